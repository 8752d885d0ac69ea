import { createHash } from 'node:crypto';

/** A paper's place in every sample: the lower, the sooner it is kept. */
export function sampleRank(id: string): string {
  return createHash('sha1').update(id).digest('hex');
}

/**
 * The `limit` keys of lowest rank among all keys offered, with a value per key, in memory bounded
 * by twice the limit: a bottom-k sample by hash, so the keys kept do not depend on the order they
 * come in, and equal what sorting all keys by rank and keeping the first `limit` gives.
 */
export class BottomSample<V> {
  private readonly kept = new Map<string, { rank: string; value: V }>();
  /** Keys ranked above this can never be kept (after a first pruning). */
  private ceiling: string | undefined;

  constructor(private readonly limit: number) {}

  /** The value kept for this key, created when the key is (for now) in the sample; undefined when it cannot be. */
  slot(key: string, create: () => V): V | undefined {
    const entry = this.kept.get(key);
    if (entry) return entry.value;
    if (!Number.isFinite(this.limit)) return this.add(key, '', create);
    const rank = sampleRank(key);
    if (this.ceiling !== undefined && rank > this.ceiling) return undefined;
    const value = this.add(key, rank, create);
    if (this.kept.size >= 2 * this.limit) this.prune();
    return this.kept.has(key) ? value : undefined;
  }

  private add(key: string, rank: string, create: () => V): V {
    const value = create();
    this.kept.set(key, { rank, value });
    return value;
  }

  private prune(): void {
    const ranked = [...this.kept.entries()].sort((a, b) => (a[1].rank < b[1].rank ? -1 : 1));
    for (const [key] of ranked.slice(this.limit)) this.kept.delete(key);
    this.ceiling = ranked[this.limit - 1]?.[1].rank;
  }

  /** The sample, ordered by key. */
  entries(): [string, V][] {
    if (Number.isFinite(this.limit) && this.kept.size > this.limit) this.prune();
    return [...this.kept.entries()]
      .map(([key, entry]): [string, V] => [key, entry.value])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
}
