import { BottomSample, sampleRank } from '../../../lib/features/bottom-sample';

const ids = Array.from({ length: 5_000 }, (_, i) => `2501.${String(i).padStart(5, '0')}`);

function shuffled<T>(values: T[], seed: number): T[] {
  const out = [...values];
  let state = seed;
  for (let i = out.length - 1; i > 0; i -= 1) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function sampleOf(order: string[], limit: number): string[] {
  const sample = new BottomSample<{ seen: number }>(limit);
  for (const id of order) {
    const slot = sample.slot(id, () => ({ seen: 0 }));
    if (slot) slot.seen += 1;
  }
  return sample.entries().map(([id]) => id);
}

describe('bottom-k sample by hash of the id', () => {
  it('keeps the same papers as sorting the whole window by rank and taking the first ones', () => {
    const expected = [...ids]
      .sort((a, b) => (sampleRank(a) < sampleRank(b) ? -1 : 1))
      .slice(0, 300)
      .sort();
    expect(sampleOf(ids, 300)).toEqual(expected);
  });

  it('keeps the same papers whatever order they are read in', () => {
    const reference = sampleOf(ids, 250);
    for (const seed of [1, 7, 42]) expect(sampleOf(shuffled(ids, seed), 250)).toEqual(reference);
  });

  it('merges every version of a kept paper into its one slot', () => {
    const sample = new BottomSample<string[]>(100);
    for (const round of ['a', 'b']) for (const id of ids.slice(0, 1_000)) sample.slot(id, () => [])?.push(round);
    const entries = sample.entries();
    expect(entries).toHaveLength(100);
    for (const [, versions] of entries) expect(versions).toEqual(['a', 'b']);
  });

  it('never holds more than twice the limit', () => {
    const sample = new BottomSample<number>(50);
    let largest = 0;
    for (const id of ids) {
      sample.slot(id, () => 0);
      largest = Math.max(largest, (sample as unknown as { kept: Map<string, unknown> }).kept.size);
    }
    expect(largest).toBeLessThanOrEqual(100);
    expect(sample.entries()).toHaveLength(50);
  });

  it('keeps everything without a limit, ordered by id', () => {
    expect(sampleOf(shuffled(ids.slice(0, 200), 3), Number.POSITIVE_INFINITY)).toEqual(ids.slice(0, 200));
  });
});
