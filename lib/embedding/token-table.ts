import { finishTokenHash, TOKEN_HASH_SEED, tokenHashStep } from './tokenize';

/**
 * Token strings numbered 0, 1, … in the order they are added, found by where they are in a text
 * and their hash (as TokenSpans gives both) rather than as strings: a paper's tokens are looked
 * up without slicing each one out of it and hashing it again in a Map. Open addressing on typed
 * arrays: each bucket holds a hash and a number side by side (one cache line to rule a token out),
 * and the tokens' code units sit one after the other in one pool.
 */
export class TokenTable {
  /** Bucket b: its token's hash at 2b, its number at 2b + 1 (-1 when empty). */
  private buckets: Int32Array;
  /** Token i: where its code units start in the pool at 2i, how many at 2i + 1. */
  private extents = new Int32Array(2 << 10);
  private pool = new Uint16Array(1 << 13);
  private poolSize = 0;
  private count = 0;

  constructor() {
    this.buckets = emptyBuckets(1 << 11);
  }

  get size(): number {
    return this.count;
  }

  /** The token's number, given to it now if it is new. */
  idOf(token: string): number {
    let hash = TOKEN_HASH_SEED;
    for (let i = 0; i < token.length; i += 1) hash = tokenHashStep(hash, token.charCodeAt(i));
    hash = finishTokenHash(hash);
    const found = this.lookup(token, 0, token.length, hash);
    return found >= 0 ? found : this.add(token, hash);
  }

  /** The number of `text.slice(start, end)`, whose hash is `hash`, or -1 when it was never added. */
  lookup(text: string, start: number, end: number, hash: number): number {
    const { buckets, extents, pool } = this;
    const mask = buckets.length / 2 - 1;
    const length = end - start;
    for (let bucket = hash & mask; ; bucket = (bucket + 1) & mask) {
      const id = buckets[2 * bucket + 1]!;
      if (id < 0) return -1;
      if (buckets[2 * bucket] !== hash || extents[2 * id + 1] !== length) continue;
      const offset = extents[2 * id]! - start;
      let i = start;
      while (i < end && pool[offset + i] === text.charCodeAt(i)) i += 1;
      if (i === end) return id;
    }
  }

  private add(token: string, hash: number): number {
    const id = this.count;
    if (2 * id === this.extents.length) this.extents = grown(this.extents, this.extents.length * 2);
    if (this.poolSize + token.length > this.pool.length)
      this.pool = grown(this.pool, Math.max(this.pool.length * 2, this.poolSize + token.length));
    for (let i = 0; i < token.length; i += 1) this.pool[this.poolSize + i] = token.charCodeAt(i);
    this.extents[2 * id] = this.poolSize;
    this.extents[2 * id + 1] = token.length;
    this.poolSize += token.length;
    this.count += 1;
    if (this.count * 2 > this.buckets.length / 2) {
      const old = this.buckets;
      this.buckets = emptyBuckets(old.length);
      for (let bucket = 0; bucket < old.length / 2; bucket += 1)
        if (old[2 * bucket + 1]! >= 0) this.place(old[2 * bucket]!, old[2 * bucket + 1]!);
    }
    this.place(hash, id);
    return id;
  }

  private place(hash: number, id: number): void {
    const mask = this.buckets.length / 2 - 1;
    let bucket = hash & mask;
    while (this.buckets[2 * bucket + 1]! >= 0) bucket = (bucket + 1) & mask;
    this.buckets[2 * bucket] = hash;
    this.buckets[2 * bucket + 1] = id;
  }
}

/** `count` empty buckets. */
function emptyBuckets(count: number): Int32Array {
  return new Int32Array(2 * count).fill(-1);
}

function grown<T extends Int32Array | Uint16Array>(array: T, length: number): T {
  const out = (array instanceof Int32Array ? new Int32Array(length) : new Uint16Array(length)) as T;
  out.set(array);
  return out;
}
