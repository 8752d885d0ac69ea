import mt19937 from '@stdlib/random-base-mt19937';

/**
 * numpy's legacy RandomState over the same Mersenne Twister stream (seeded as numpy seeds it), so
 * the samples, splits and bootstraps Evidently draws with `random_state=…` or `np.random.seed(…)`
 * are drawn here identically: same rows in the same halves, same bootstrap thresholds.
 */
const WORDS = 624;
/** Where the 624 state words start in the library's state array (after version, section count, length). */
const STATE_OFFSET = 3;

/**
 * The generator state numpy's `seed(s)` sets (the reference init_genrand). The library refuses
 * seed 0, which numpy and Evidently use, so the state is written into the library's layout.
 */
function seededState(seed: number): Uint32Array {
  const state = Uint32Array.from(mt19937.factory({ seed: 1 }).state);
  state[STATE_OFFSET] = seed >>> 0;
  for (let i = 1; i < WORDS; i += 1) {
    const previous = state[STATE_OFFSET + i - 1]!;
    state[STATE_OFFSET + i] = (Math.imul(previous ^ (previous >>> 30), 1812433253) + i) >>> 0;
  }
  return state;
}

export class LegacyRandomState {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mt19937.factory({ state: seededState(seed), copy: false });
  }

  uint32(): number {
    return this.next();
  }

  /** A uniform integer in [0, max], by masked rejection (numpy's random_interval). */
  interval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    for (let shift = 1; shift <= 16; shift *= 2) mask |= mask >>> shift;
    mask >>>= 0;
    let value: number;
    do value = (this.uint32() & mask) >>> 0;
    while (value > max);
    return value;
  }

  /** random_sample: a double in [0, 1) from 53 random bits. */
  rand(): number {
    const a = this.uint32() >>> 5;
    const b = this.uint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** randint(low, high): integers in [low, high). */
  randint(low: number, high: number): number {
    return low + this.interval(high - low - 1);
  }

  /** permutation(n): a Fisher–Yates shuffle of 0 … n−1 from the last position down. */
  permutation(n: number): Int32Array {
    const order = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i -= 1) {
      const j = this.interval(i);
      const held = order[i]!;
      order[i] = order[j]!;
      order[j] = held;
    }
    return order;
  }
}

/** sklearn's train_test_split(test_size=0.5, shuffle=True, random_state=seed): test first, then train. */
export function trainTestHalves(count: number, seed: number): { train: Int32Array; test: Int32Array } {
  const order = new LegacyRandomState(seed).permutation(count);
  const testSize = Math.ceil(count * 0.5);
  return { test: order.slice(0, testSize), train: order.slice(testSize) };
}

/** pandas' DataFrame.sample(n, random_state=seed) without replacement: the first n of a permutation. */
export function pandasSample(count: number, size: number, seed: number): Int32Array {
  return new LegacyRandomState(seed).permutation(count).slice(0, size);
}

/** np.random.seed(seed); np.random.choice(count, size): with replacement. */
export function choiceWithReplacement(count: number, size: number, random: LegacyRandomState): Int32Array {
  return Int32Array.from({ length: size }, () => random.randint(0, count));
}
