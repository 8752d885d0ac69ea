import { fromDense, keepLargest, margins, nonzeroWeights, termMajor, weightOf } from '../../../lib/model/term-weights';

const dense = (rows: number[][]) => Float32Array.from(rows.flat());

describe('term weights (non-zeros, term by term)', () => {
  const rows = [
    [0.5, 0, -2, 0, 1e-3],
    [0, 0, 0.25, -0.75, 0],
    [3, 0, 0, 0, -1e-3],
  ];
  const weights = fromDense(dense(rows), 3, 5);

  it('keeps each non-zero weight under its term, classes ascending', () => {
    expect(weights.values.length).toBe(7);
    expect(Array.from(weights.offsets)).toEqual([0, 2, 2, 4, 5, 7]);
    expect(Array.from(weights.classOf)).toEqual([0, 2, 0, 1, 1, 0, 2]);
    rows.forEach((row, k) => row.forEach((w, t) => expect(weightOf(weights, k, t)).toBe(Math.fround(w))));
  });

  it('gives the dense product’s margins bit for bit', () => {
    const indices = Int32Array.of(4, 0, 2, 3);
    const values = Float64Array.of(0.3, 0.1, 0.7, 0.2);
    const bias = Float32Array.of(0.1, -0.2, 0.05);
    const scores = margins(weights, bias, indices, values);
    rows.forEach((row, k) => {
      let sum = bias[k]!;
      indices.forEach((t, p) => (sum += Math.fround(row[t]!) * values[p]!));
      expect(scores[k]).toBe(sum);
    });
    expect(Array.from(margins(weights, bias, indices, values, 1, 2))).toEqual([
      bias[0]! + Math.fround(0.5) * 0.1,
      bias[1]!,
      bias[2]! + 3 * 0.1,
    ]);
  });

  it('gives the dense product’s margins bit for bit on many terms, some without weights, some repeated, from any start', () => {
    const classes = 7;
    const terms = 3_000;
    let state = 11;
    const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    // Most terms weigh in a few classes only; every fifth in none.
    const denseWeights = Float32Array.from({ length: classes * terms }, (_, i) =>
      (i % terms) % 5 === 0 || random() < 0.6 ? 0 : random() * 2 - 1,
    );
    const many = fromDense(denseWeights, classes, terms);
    const bias = Float32Array.from({ length: classes }, () => random());
    const indices = Int32Array.from({ length: 1_500 }, () => Math.floor(random() * terms));
    const values = Float64Array.from(indices, () => random());
    for (const [start, end] of [
      [0, indices.length],
      [700, 1_200],
      [5, 5],
    ] as const) {
      const scores = margins(many, bias, indices, values, start, end);
      for (let k = 0; k < classes; k += 1) {
        let sum = bias[k]!;
        for (let p = start; p < end; p += 1)
          if (denseWeights[k * terms + indices[p]!] !== 0) sum += denseWeights[k * terms + indices[p]!]! * values[p]!;
        expect(scores[k]).toBe(sum);
      }
    }
  });

  it('drops what rounds to zero as float32', () => {
    expect(Array.from(nonzeroWeights(Float64Array.of(0, 1e-50, 2, -0.5)).indices)).toEqual([2, 3]);
  });

  it('keeps exactly the budget, the largest magnitudes, ties to the earlier class then term', () => {
    const classes = [
      { indices: Int32Array.of(0, 1, 2), values: Float32Array.of(1, -4, 2) },
      { indices: Int32Array.of(0, 3), values: Float32Array.of(-2, 3) },
      { indices: Int32Array.of(1), values: Float32Array.of(2) },
    ];
    const kept = keepLargest(classes, 4);
    expect(kept.map((c) => Array.from(c.values))).toEqual([[-4, 2], [-2, 3], []]);
    expect(kept.map((c) => Array.from(c.indices))).toEqual([[1, 2], [0, 3], []]);
    expect(keepLargest(classes, 6).map((c) => Array.from(c.values))).toEqual(classes.map((c) => Array.from(c.values)));
    expect(keepLargest(classes, 0).every((c) => c.values.length === 0)).toBe(true);
  });

  it('finds the cut-off among magnitudes that share their high bits', () => {
    const values = Float32Array.from({ length: 1_000 }, (_, i) => 1 + i * 1e-6 * (i % 2 ? 1 : -1));
    const kept = keepLargest([{ indices: Int32Array.from(values.keys()), values }], 10)[0]!;
    const expected = Float32Array.from(values).sort().slice(-10);
    expect(Float32Array.from(kept.values).sort()).toEqual(expected);
  });

  it('refuses more classes than a uint16 can name', () => {
    expect(() =>
      termMajor(
        Array.from({ length: 70_000 }, () => ({ indices: new Int32Array(0), values: new Float32Array(0) })),
        1,
      ),
    ).toThrow(RangeError);
  });
});
