/**
 * Numbers the distinct pairs of non-negative 32-bit integers (a bigram's two token ids) in the
 * order they are first met: open addressing on typed arrays, because a Map keyed by a combined
 * number above 2^31 hashes a heap number per lookup and is several times slower on this hot path.
 */
export class PairTable {
  /** Slot of each bucket, or -1 when empty. */
  private buckets: Int32Array<ArrayBuffer>;
  private firsts = new Int32Array(1 << 12);
  private seconds = new Int32Array(1 << 12);
  private count = 0;

  constructor(expected = 1 << 12) {
    this.buckets = new Int32Array(bucketsFor(expected)).fill(-1);
  }

  get size(): number {
    return this.count;
  }

  /** The pair's number, given to it now if it is new. */
  slotOf(first: number, second: number): number {
    const mask = this.buckets.length - 1;
    for (let bucket = pairHash(first, second) & mask; ; bucket = (bucket + 1) & mask) {
      const slot = this.buckets[bucket]!;
      if (slot < 0) {
        const added = this.count;
        this.count += 1;
        this.store(added, first, second);
        this.buckets[bucket] = added;
        if (this.count * 2 > this.buckets.length) this.rehash();
        return added;
      }
      if (this.firsts[slot] === first && this.seconds[slot] === second) return slot;
    }
  }

  /** The pair's number, or -1 when it was never given one. */
  find(first: number, second: number): number {
    const mask = this.buckets.length - 1;
    for (let bucket = pairHash(first, second) & mask; ; bucket = (bucket + 1) & mask) {
      const slot = this.buckets[bucket]!;
      if (slot < 0) return -1;
      if (this.firsts[slot] === first && this.seconds[slot] === second) return slot;
    }
  }

  first(slot: number): number {
    return this.firsts[slot]!;
  }

  second(slot: number): number {
    return this.seconds[slot]!;
  }

  private store(slot: number, first: number, second: number): void {
    if (slot >= this.firsts.length) {
      const firsts = new Int32Array(this.firsts.length * 2);
      firsts.set(this.firsts);
      this.firsts = firsts;
      const seconds = new Int32Array(this.seconds.length * 2);
      seconds.set(this.seconds);
      this.seconds = seconds;
    }
    this.firsts[slot] = first;
    this.seconds[slot] = second;
  }

  private rehash(): void {
    this.buckets = new Int32Array(this.buckets.length * 2).fill(-1);
    const mask = this.buckets.length - 1;
    for (let slot = 0; slot < this.count; slot += 1) {
      let bucket = pairHash(this.firsts[slot]!, this.seconds[slot]!) & mask;
      while (this.buckets[bucket]! >= 0) bucket = (bucket + 1) & mask;
      this.buckets[bucket] = slot;
    }
  }
}

function bucketsFor(expected: number): number {
  let size = 16;
  while (size < expected * 2) size *= 2;
  return size;
}

/** A hash of a pair of token ids (the low bits pick a bucket). */
export function pairHash(first: number, second: number): number {
  let h = Math.imul(first, 0x9e3779b1) ^ second;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return h ^ (h >>> 13);
}
