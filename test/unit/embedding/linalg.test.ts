import {
  CsrBuilder,
  dense,
  gaussianMatrix,
  symmetricEigen,
  weightedRowSum,
  type Dense,
} from '../../../lib/embedding/linalg';
import { orthonormalize, randomizedRightSingularVectors } from '../../../lib/embedding/randomized-svd';
import { csrOf } from './matrices';

function at(m: Dense, r: number, c: number): number {
  return m.data[r * m.cols + c]!;
}

function multiply(a: Dense, b: Dense): Dense {
  const out = dense(a.rows, b.cols);
  for (let r = 0; r < a.rows; r += 1) {
    for (let c = 0; c < b.cols; c += 1) {
      let sum = 0;
      for (let i = 0; i < a.cols; i += 1) sum += at(a, r, i) * at(b, i, c);
      out.data[r * b.cols + c] = sum;
    }
  }
  return out;
}

function transposed(m: Dense): Dense {
  const out = dense(m.cols, m.rows);
  for (let r = 0; r < m.rows; r += 1) for (let c = 0; c < m.cols; c += 1) out.data[c * m.rows + r] = at(m, r, c);
  return out;
}

function maxAbsDifference(a: Dense, b: Dense): number {
  expect([a.rows, a.cols]).toEqual([b.rows, b.cols]);
  return a.data.reduce((worst, value, i) => Math.max(worst, Math.abs(value - b.data[i]!)), 0);
}

function identity(n: number): Dense {
  const out = dense(n, n);
  for (let i = 0; i < n; i += 1) out.data[i * n + i] = 1;
  return out;
}

function columns(m: Dense, from: number, to: number): Dense {
  const out = dense(m.rows, to - from);
  for (let r = 0; r < m.rows; r += 1)
    for (let c = from; c < to; c += 1) out.data[r * out.cols + c - from] = at(m, r, c);
  return out;
}

/** X = U diag(σ) Vᵀ with random orthonormal U (n × r) and V (d × r): its SVD is known by construction. */
function matrixWithKnownSvd(n: number, d: number, singularValues: number[], seed: number): { x: Dense; v: Dense } {
  const r = singularValues.length;
  const u = orthonormalize(gaussianMatrix(n, r, seed));
  const v = orthonormalize(gaussianMatrix(d, r, seed + 1));
  const scaledU = dense(n, r);
  for (let i = 0; i < n; i += 1)
    for (let c = 0; c < r; c += 1) scaledU.data[i * r + c] = at(u, i, c) * singularValues[c]!;
  return { x: multiply(scaledU, transposed(v)), v };
}

describe('gaussianMatrix', () => {
  it('is reproducible from its seed and differs between seeds', () => {
    expect(gaussianMatrix(7, 5, 3).data).toEqual(gaussianMatrix(7, 5, 3).data);
    expect(gaussianMatrix(7, 5, 3).data).not.toEqual(gaussianMatrix(7, 5, 4).data);
  });

  it('draws standard normal entries', () => {
    const { data } = gaussianMatrix(200, 100, 1);
    const mean = data.reduce((sum, value) => sum + value, 0) / data.length;
    const variance = data.reduce((sum, value) => sum + (value - mean) ** 2, 0) / data.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(variance).toBeCloseTo(1, 1);
  });
});

describe('weightedRowSum', () => {
  it.each([13, 384])('equals summing the weighted rows one by one, bit for bit (%i columns)', (cols) => {
    const matrix = Float32Array.from(gaussianMatrix(50, cols, 21).data);
    const rows = Int32Array.from([7, 0, 49, 7, 23, 3]);
    const weights = Float64Array.from(gaussianMatrix(1, rows.length, 22).data);
    const expected = new Float64Array(cols);
    rows.forEach((row, p) => {
      for (let c = 0; c < cols; c += 1) expected[c]! += weights[p]! * matrix[row * cols + c]!;
    });
    expect(weightedRowSum(rows, weights, matrix, cols)).toEqual(expected);
  });

  it('returns zeros for no rows', () => {
    expect(weightedRowSum(new Int32Array(0), new Float64Array(0), new Float32Array(16), 8)).toEqual(
      new Float64Array(8),
    );
  });
});

describe('orthonormalize', () => {
  const m = gaussianMatrix(20, 6, 5);

  it('returns orthonormal columns: QᵀQ = I', () => {
    const q = orthonormalize(m);
    expect(maxAbsDifference(multiply(transposed(q), q), identity(6))).toBeLessThan(1e-13);
  });

  it('spans the same columns: Q Qᵀ M = M, and each leading block of columns spans the same space', () => {
    const q = orthonormalize(m);
    expect(maxAbsDifference(multiply(q, multiply(transposed(q), m)), m)).toBeLessThan(1e-12);
    const firstTwo = columns(q, 0, 2);
    const leading = columns(m, 0, 2);
    expect(maxAbsDifference(multiply(firstTwo, multiply(transposed(firstTwo), leading)), leading)).toBeLessThan(1e-12);
  });

  it('leaves a column that depends on earlier ones as zeros', () => {
    const deficient = gaussianMatrix(8, 3, 6);
    for (let r = 0; r < 8; r += 1) deficient.data[r * 3 + 2] = 2 * at(deficient, r, 0) - at(deficient, r, 1);
    const q = orthonormalize(deficient);
    for (let r = 0; r < 8; r += 1) expect(Math.abs(at(q, r, 2))).toBe(0);
  });
});

describe('symmetricEigen', () => {
  const b = gaussianMatrix(8, 8, 9);
  const a = dense(8, 8);
  for (let r = 0; r < 8; r += 1) for (let c = 0; c < 8; c += 1) a.data[r * 8 + c] = at(b, r, c) + at(b, c, r);

  // Jacobi stops once the off-diagonal mass is below 1e-22 of the diagonal's: about 1e-11 relative.
  it('reconstructs the matrix: V Λ Vᵀ = A', () => {
    const { values, vectors } = symmetricEigen(a);
    const lambda = dense(8, 8);
    values.forEach((value, i) => (lambda.data[i * 8 + i] = value));
    expect(maxAbsDifference(multiply(multiply(vectors, lambda), transposed(vectors)), a)).toBeLessThan(1e-10);
  });

  it('returns orthonormal eigenvectors with eigenvalues in descending order', () => {
    const { values, vectors } = symmetricEigen(a);
    expect(maxAbsDifference(multiply(transposed(vectors), vectors), identity(8))).toBeLessThan(1e-12);
    for (let i = 1; i < values.length; i += 1) expect(values[i - 1]!).toBeGreaterThanOrEqual(values[i]!);
    expect(values[values.length - 1]!).toBeLessThan(0);
  });

  it('satisfies A v = λ v for each pair', () => {
    const { values, vectors } = symmetricEigen(a);
    const av = multiply(a, vectors);
    for (let c = 0; c < 8; c += 1)
      for (let r = 0; r < 8; r += 1) expect(at(av, r, c)).toBeCloseTo(values[c]! * at(vectors, r, c), 9);
  });
});

// A tall X is orthonormalized on its column side, a wide one on its row side.
describe.each([
  ['tall', 30, 16],
  ['wide', 16, 30],
])('randomizedRightSingularVectors of a %s matrix (%i × %i)', (_shape, rows, cols) => {
  const sigma = [10, 5, 2, 1, 0.5, 0.25];
  const { x, v } = matrixWithKnownSvd(rows, cols, sigma, 31);
  const components = 3;

  /** The true V's columns, each flipped so that its largest-magnitude entry is positive. */
  function expectedVectors(): Dense {
    const out = columns(v, 0, components);
    for (let c = 0; c < components; c += 1) {
      let largest = 0;
      for (let r = 0; r < out.rows; r += 1) if (Math.abs(at(out, r, c)) > Math.abs(largest)) largest = at(out, r, c);
      if (largest < 0) for (let r = 0; r < out.rows; r += 1) out.data[r * components + c] = -at(out, r, c);
    }
    return out;
  }

  it('recovers the leading singular values', () => {
    const { singularValues } = randomizedRightSingularVectors(csrOf(x), { components, seed: 1 });
    expect(singularValues).toHaveLength(components);
    singularValues.forEach((value, i) => expect(value).toBeCloseTo(sigma[i]!, 10));
  });

  it('recovers the leading right singular vectors, each with its largest entry positive', () => {
    const { vectors } = randomizedRightSingularVectors(csrOf(x), { components, seed: 1 });
    expect([vectors.rows, vectors.cols]).toEqual([cols, components]);
    expect(maxAbsDifference(vectors, expectedVectors())).toBeLessThan(1e-10);
  });

  it('converges with few oversamples thanks to power iterations', () => {
    const { vectors, singularValues } = randomizedRightSingularVectors(csrOf(x), {
      components,
      oversamples: 1,
      seed: 2,
    });
    singularValues.forEach((value, i) => expect(value).toBeCloseTo(sigma[i]!, 4));
    expect(maxAbsDifference(vectors, expectedVectors())).toBeLessThan(1e-3);
  });

  it('gives the same answer for any seed once it has converged', () => {
    const one = randomizedRightSingularVectors(csrOf(x), { components, seed: 1 });
    const other = randomizedRightSingularVectors(csrOf(x), { components, seed: 99 });
    expect(maxAbsDifference(one.vectors, other.vectors)).toBeLessThan(1e-10);
  });

  it('asks for no more components than the matrix has columns or rows', () => {
    const small = matrixWithKnownSvd(5, 4, [3, 2], 41).x;
    const { vectors, singularValues } = randomizedRightSingularVectors(csrOf(small), { components: 10, seed: 1 });
    expect(vectors.cols).toBe(4);
    expect(singularValues[0]!).toBeCloseTo(3, 9);
    expect(singularValues[1]!).toBeCloseTo(2, 9);
    expect(singularValues[2]!).toBeLessThan(1e-7);
  });

  it('reports each step', () => {
    const steps: string[] = [];
    randomizedRightSingularVectors(csrOf(x), {
      components,
      powerIterations: 2,
      seed: 1,
      onStep: (step) => steps.push(step),
    });
    expect(steps).toEqual(['sketch', 'power iteration 1/2', 'power iteration 2/2', 'project']);
  });
});

describe('CsrBuilder', () => {
  it('stacks rows into one CSR matrix, across its chunks, in shared memory when asked', () => {
    const rows = Array.from({ length: 3_200 }, (_, i) => ({
      indices: Int32Array.from({ length: (i % 700) + 1 }, (_, p) => (p * 7 + i) % 5_000),
      values: Float64Array.from({ length: (i % 700) + 1 }, (_, p) => i + p / 1_000),
    }));
    const builder = new CsrBuilder(5_000);
    for (const row of rows) builder.addRow(row.indices, row.values);
    const built = builder.build({ shared: true });
    const nnz = rows.reduce((sum, row) => sum + row.indices.length, 0);
    expect(nnz).toBeGreaterThan(1 << 20);
    expect(built.rows).toBe(3_200);
    expect(built.cols).toBe(5_000);
    expect(built.values.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(built.indptr[3_200]).toBe(nnz);
    for (const i of [0, 1, 1_497, 1_498, 3_199]) {
      const start = built.indptr[i]!;
      const end = built.indptr[i + 1]!;
      expect(Array.from(built.indices.subarray(start, end))).toEqual(Array.from(rows[i]!.indices));
      expect(Array.from(built.values.subarray(start, end))).toEqual(Array.from(rows[i]!.values));
    }
    const empty = new CsrBuilder(3).build();
    expect(empty.rows).toBe(0);
    expect(empty.values.buffer).not.toBeInstanceOf(SharedArrayBuffer);
  });
});
