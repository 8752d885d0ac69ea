import { createHash } from 'node:crypto';
import { seededRandom } from '../embedding/linalg';

export interface SplitFractions {
  test: number;
  validation: number;
}

export interface DatasetSplit<T> {
  train: T[];
  validation: T[];
  test: T[];
}

/** Fisher–Yates with a seeded generator. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const random = seededRandom(seed);
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function validateFractions(fractions: SplitFractions): void {
  const { test, validation } = fractions;
  const valid = (share: number) => Number.isFinite(share) && share >= 0 && share < 1;
  if (!valid(test) || !valid(validation) || test + validation >= 1) {
    throw new Error(
      `split fractions must be in [0, 1) and leave a share for training; got test ${test}, validation ${validation}`,
    );
  }
}

/** A paper's place in the seeded order: a hash of (seed, key), so it does not depend on the other papers. */
function rank(seed: number, key: string): string {
  return createHash('sha256').update(`${seed}\u0000${key}`).digest('hex');
}

/**
 * Stratified split: each class is ordered by a seeded hash of the key and cut into test,
 * validation and train shares, so every part keeps the class mix. Because a paper's rank depends
 * only on its own key, adding papers moves few others between parts: a model trained before and
 * one trained after share almost all their test papers (what a fair champion comparison needs).
 * A class of three or more gets at least one test and one validation example (for a non-zero
 * fraction) and always keeps one for training; a class too small to share keeps its examples in train.
 */
export function stratifiedSplit<T>(
  items: readonly T[],
  labelOf: (item: T) => string,
  keyOf: (item: T) => string,
  fractions: SplitFractions,
  seed: number,
): DatasetSplit<T> {
  validateFractions(fractions);
  const byLabel = new Map<string, Array<{ key: string; item: T }>>();
  for (const item of items) {
    const label = labelOf(item);
    let members = byLabel.get(label);
    if (!members) byLabel.set(label, (members = []));
    members.push({ key: keyOf(item), item });
  }
  const split: DatasetSplit<T> = { train: [], validation: [], test: [] };
  const share = (count: number, fraction: number) =>
    count < 3 || fraction === 0 ? 0 : Math.max(1, Math.round(count * fraction));
  for (const label of [...byLabel.keys()].sort()) {
    const ranked = byLabel.get(label)!.map((member) => ({ ...member, rank: rank(seed, member.key) }));
    ranked.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const shuffled = ranked.map((member) => member.item);
    const testCount = Math.min(share(shuffled.length, fractions.test), shuffled.length - 1);
    const validationCount = Math.min(share(shuffled.length, fractions.validation), shuffled.length - 1 - testCount);
    // A loop, not push(...part): spreading a class of ~125k rows overflows the call stack.
    shuffled.forEach((item, i) =>
      (i < testCount ? split.test : i < testCount + validationCount ? split.validation : split.train).push(item),
    );
  }
  return split;
}
