import { seededShuffle, stratifiedSplit, type DatasetSplit } from '../../../lib/model/split';

interface Paper {
  id: string;
  label: string;
}

/** `counts[label]` papers per label, ids unique across labels. */
function papers(counts: Record<string, number>): Paper[] {
  return Object.entries(counts).flatMap(([label, n]) =>
    Array.from({ length: n }, (_, i) => ({ id: `${label}-${String(i).padStart(5, '0')}`, label })),
  );
}

const byLabel = (paper: Paper) => paper.label;
const byId = (paper: Paper) => paper.id;
const FRACTIONS = { test: 0.2, validation: 0.1 };
const ids = (part: Paper[]) => part.map(byId);
const countOf = (part: Paper[], label: string) => part.filter((paper) => paper.label === label).length;

function reversedAndInterleaved<T>(items: readonly T[]): T[] {
  const reversed = [...items].reverse();
  return [...reversed.filter((_, i) => i % 2 === 1), ...reversed.filter((_, i) => i % 2 === 0)];
}

describe('seededShuffle', () => {
  it('is a permutation fixed by the seed', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = seededShuffle(items, 7);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
    expect(shuffled).not.toEqual(items);
    expect(seededShuffle(items, 7)).toEqual(shuffled);
    expect(seededShuffle(items, 8)).not.toEqual(shuffled);
  });

  it('leaves its input untouched', () => {
    const items = [1, 2, 3, 4, 5];
    seededShuffle(items, 1);
    expect(items).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('stratifiedSplit', () => {
  const data = papers({ 'cs.AI': 100, 'cs.LG': 57, 'math.ST': 23, 'q-bio': 10 });

  it('gives the same parts for a seed whatever the input order', () => {
    const first = stratifiedSplit(data, byLabel, byId, FRACTIONS, 42);
    const again = stratifiedSplit(reversedAndInterleaved(data), byLabel, byId, FRACTIONS, 42);
    expect(ids(again.test)).toEqual(ids(first.test));
    expect(ids(again.validation)).toEqual(ids(first.validation));
    expect(ids(again.train)).toEqual(ids(first.train));
  });

  it('gives different parts for another seed', () => {
    const first = stratifiedSplit(data, byLabel, byId, FRACTIONS, 42);
    const other = stratifiedSplit(data, byLabel, byId, FRACTIONS, 43);
    expect(new Set(ids(other.test))).not.toEqual(new Set(ids(first.test)));
  });

  it('keeps parts disjoint and covering every item exactly once', () => {
    const split = stratifiedSplit(data, byLabel, byId, FRACTIONS, 42);
    const all = [...ids(split.train), ...ids(split.validation), ...ids(split.test)];
    expect(all).toHaveLength(data.length);
    expect(new Set(all)).toEqual(new Set(ids(data)));
  });

  it('keeps each class proportion in every part, within one example per class', () => {
    const split = stratifiedSplit(data, byLabel, byId, FRACTIONS, 42);
    for (const [label, total] of Object.entries({ 'cs.AI': 100, 'cs.LG': 57, 'math.ST': 23, 'q-bio': 10 })) {
      expect(Math.abs(countOf(split.test, label) - total * FRACTIONS.test)).toBeLessThanOrEqual(1);
      expect(Math.abs(countOf(split.validation, label) - total * FRACTIONS.validation)).toBeLessThanOrEqual(1);
      expect(
        Math.abs(countOf(split.train, label) - total * (1 - FRACTIONS.test - FRACTIONS.validation)),
      ).toBeLessThanOrEqual(1);
    }
  });

  it('keeps classes of fewer than three examples in train', () => {
    const split = stratifiedSplit(papers({ big: 30, pair: 2, single: 1 }), byLabel, byId, FRACTIONS, 1);
    expect(countOf(split.train, 'pair')).toBe(2);
    expect(countOf(split.train, 'single')).toBe(1);
    expect([...split.test, ...split.validation].some((paper) => paper.label !== 'big')).toBe(false);
  });

  it('gives a class of three one example per part', () => {
    const split = stratifiedSplit(papers({ trio: 3 }), byLabel, byId, FRACTIONS, 1);
    expect([split.train.length, split.validation.length, split.test.length]).toEqual([1, 1, 1]);
  });

  it('always leaves a class at least one training example, even when the shares round up', () => {
    const split = stratifiedSplit(papers({ four: 4 }), byLabel, byId, { test: 0.45, validation: 0.45 }, 1);
    expect(split.train.length).toBeGreaterThanOrEqual(1);
    expect(split.train.length + split.validation.length + split.test.length).toBe(4);
  });

  it('puts nothing in a part whose fraction is zero', () => {
    const split = stratifiedSplit(data, byLabel, byId, { test: 0.2, validation: 0 }, 42);
    expect(split.validation).toEqual([]);
  });

  it.each([
    [{ test: 0.6, validation: 0.4 }],
    [{ test: -0.1, validation: 0.1 }],
    [{ test: Number.NaN, validation: 0.1 }],
  ])('rejects fractions that leave nothing to train on or are not shares: %j', (fractions) => {
    expect(() => stratifiedSplit(data, byLabel, byId, fractions, 1)).toThrow('split fractions must be in [0, 1)');
  });

  it('splits a class of 200,000 examples without overflowing the call stack', () => {
    const split: DatasetSplit<Paper> = stratifiedSplit(papers({ huge: 200_000 }), byLabel, byId, FRACTIONS, 3);
    expect(split.train.length + split.validation.length + split.test.length).toBe(200_000);
  });
});
