import { pairHash } from './pair-table';

/**
 * The vocabulary's bigrams: a pair of token ids → its term index. Open addressing with the pair and
 * the term side by side in one 16-byte bucket, so a lookup reads one cache line where a PairTable
 * (built to number pairs as they come, in the fit) reads four: bucket, first, second, and the
 * term. With hundreds of thousands of bigrams, those reads miss the CPU's caches: they were most
 * of a serving vectorizer's time.
 */
export class BigramTerms {
  /** Bucket b: first token at 4b (-1 when empty), second at 4b + 1, term at 4b + 2. */
  private readonly buckets: Int32Array;
  private readonly mask: number;

  constructor(capacity: number) {
    // At most two thirds full, which keeps linear probing short.
    let size = 16;
    while (size * 2 < capacity * 3) size *= 2;
    this.buckets = new Int32Array(4 * size).fill(-1);
    this.mask = size - 1;
  }

  /** Adds a bigram (each pair at most once; at most `capacity` of them). */
  add(first: number, second: number, term: number): void {
    const { buckets, mask } = this;
    let bucket = pairHash(first, second) & mask;
    while (buckets[4 * bucket]! >= 0) bucket = (bucket + 1) & mask;
    buckets[4 * bucket] = first;
    buckets[4 * bucket + 1] = second;
    buckets[4 * bucket + 2] = term;
  }

  /** The term index of the bigram (first, second), or -1 when it is not a term. */
  find(first: number, second: number): number {
    const { buckets, mask } = this;
    for (let bucket = pairHash(first, second) & mask; ; bucket = (bucket + 1) & mask) {
      const at = 4 * bucket;
      const stored = buckets[at]!;
      if (stored < 0) return -1;
      if (stored === first && buckets[at + 1] === second) return buckets[at + 2]!;
    }
  }
}
