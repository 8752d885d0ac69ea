import { readFileSync } from 'node:fs';
import { KernelMemory } from '../../../lib/embedding/kernel-memory';
import { dense, gaussianMatrix, type CsrMatrix, type Dense } from '../../../lib/embedding/linalg';
import { orthonormalize } from '../../../lib/embedding/randomized-svd';
import { compileKernels, KERNELS_BINARY } from '../../../scripts/build-kernels';
import { csrOf } from './matrices';

// The plain loops the kernels replaced: each output element adds its terms in this order, so the
// kernels must give the same doubles, not merely close ones.
function addRow(
  target: Float64Array,
  targetAt: number,
  source: Float64Array,
  sourceAt: number,
  weight: number,
  length: number,
): void {
  for (let c = 0; c < length; c += 1) target[targetAt + c]! += weight * source[sourceAt + c]!;
}

function plainSparseTimesDense(x: CsrMatrix, w: Dense): Dense {
  const out = dense(x.rows, w.cols);
  for (let i = 0; i < x.rows; i += 1) {
    for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p += 1)
      addRow(out.data, i * w.cols, w.data, x.indices[p]! * w.cols, x.values[p]!, w.cols);
  }
  return out;
}

function plainSparseTransposeTimesDense(x: CsrMatrix, q: Dense): Dense {
  const out = dense(x.cols, q.cols);
  for (let i = 0; i < x.rows; i += 1) {
    for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p += 1)
      addRow(out.data, x.indices[p]! * q.cols, q.data, i * q.cols, x.values[p]!, q.cols);
  }
  return out;
}

function plainGramTimes(x: CsrMatrix, v: Dense): Dense {
  const out = dense(x.cols, v.cols);
  for (let i = 0; i < x.rows; i += 1) {
    const row = new Float64Array(v.cols);
    for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p += 1)
      addRow(row, 0, v.data, x.indices[p]! * v.cols, x.values[p]!, v.cols);
    for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p += 1)
      addRow(out.data, x.indices[p]! * v.cols, row, 0, x.values[p]!, v.cols);
  }
  return out;
}

function plainTransposeTimes(a: Dense, b: Dense): Dense {
  const out = dense(a.cols, b.cols);
  for (let r = 0; r < a.rows; r += 1)
    for (let i = 0; i < a.cols; i += 1)
      if (a.data[r * a.cols + i] !== 0)
        addRow(out.data, i * b.cols, b.data, r * b.cols, a.data[r * a.cols + i]!, b.cols);
  return out;
}

function plainTimes(a: Dense, b: Dense): Dense {
  const out = dense(a.rows, b.cols);
  for (let r = 0; r < a.rows; r += 1)
    for (let i = 0; i < a.cols; i += 1)
      if (a.data[r * a.cols + i] !== 0)
        addRow(out.data, r * b.cols, b.data, i * b.cols, a.data[r * a.cols + i]!, b.cols);
  return out;
}

/** Four running sums by index mod 4, added in order, then the tail. */
function plainDot(data: Float64Array, a: number, b: number, n: number): number {
  const sums = [0, 0, 0, 0];
  const end = n - (n % 4);
  for (let i = 0; i < end; i += 1) sums[i % 4]! += data[a + i]! * data[b + i]!;
  let sum = sums[0]! + sums[1]! + sums[2]! + sums[3]!;
  for (let i = end; i < n; i += 1) sum += data[a + i]! * data[b + i]!;
  return sum;
}

function plainOrthonormalize(m: Dense, passes: number): Dense {
  const t = new Float64Array(m.data.length);
  for (let r = 0; r < m.rows; r += 1) for (let c = 0; c < m.cols; c += 1) t[c * m.rows + r] = m.data[r * m.cols + c]!;
  const n = m.rows;
  for (let k = 0; k < m.cols; k += 1) {
    for (let pass = 0; pass < passes; pass += 1) {
      for (let j = 0; j < k; j += 1) {
        const dot = plainDot(t, j * n, k * n, n);
        if (dot !== 0) for (let i = 0; i < n; i += 1) t[k * n + i]! -= dot * t[j * n + i]!;
      }
    }
    const norm = Math.sqrt(plainDot(t, k * n, k * n, n));
    const scale = norm > 1e-12 ? 1 / norm : 0;
    for (let i = 0; i < n; i += 1) t[k * n + i]! *= scale;
  }
  const out = dense(m.rows, m.cols);
  for (let r = 0; r < m.rows; r += 1) for (let c = 0; c < m.cols; c += 1) out.data[r * m.cols + c] = t[c * m.rows + r]!;
  return out;
}

function sparseGaussian(rows: number, cols: number, seed: number): Dense {
  const m = gaussianMatrix(rows, cols, seed);
  for (let i = 0; i < m.data.length; i += 3) m.data[i] = 0;
  return m;
}

describe('KernelMemory', () => {
  const x = csrOf(sparseGaussian(37, 23, 11));

  // Widths around the kernels' 4-double steps, so the scalar tails run too.
  it.each([1, 3, 4, 19, 394])('multiplies sparse by dense as the plain loops do, bit for bit (%i columns)', (l) => {
    const memory = new KernelMemory();
    const matrix = memory.csr(x);
    const w = gaussianMatrix(x.cols, l, 12);
    const q = gaussianMatrix(x.rows, l, 13);
    const xw = memory.dense(x.rows, l);
    memory.sparseTimesDense(matrix, memory.denseFrom(w), xw);
    expect(memory.read(xw).data).toEqual(plainSparseTimesDense(x, w).data);
    const xtq = memory.dense(x.cols, l);
    memory.addSparseTransposeTimesDense(matrix, memory.denseFrom(q), xtq);
    expect(memory.read(xtq).data).toEqual(plainSparseTransposeTimesDense(x, q).data);
    const gram = memory.dense(x.cols, l);
    memory.addGramTimes(matrix, memory.denseFrom(w), gram, memory.dense(1, l));
    expect(memory.read(gram).data).toEqual(plainGramTimes(x, w).data);
  });

  it.each([1, 5, 8, 21])('multiplies dense matrices as the plain loops do, bit for bit (%i columns)', (cols) => {
    const memory = new KernelMemory();
    const a = sparseGaussian(30, 7, 14);
    const b = gaussianMatrix(30, cols, 15);
    const c = gaussianMatrix(7, cols, 16);
    const atb = memory.dense(7, cols);
    memory.addTransposeTimes(memory.denseFrom(a), memory.denseFrom(b), atb);
    expect(memory.read(atb).data).toEqual(plainTransposeTimes(a, b).data);
    const ac = memory.dense(30, cols);
    memory.addTimes(memory.denseFrom(a), memory.denseFrom(c), ac);
    expect(memory.read(ac).data).toEqual(plainTimes(a, c).data);
  });

  it('adds into its output rather than overwriting it', () => {
    const memory = new KernelMemory();
    const a = memory.denseFrom(gaussianMatrix(6, 3, 1));
    const b = memory.denseFrom(gaussianMatrix(3, 5, 2));
    const out = memory.dense(6, 5);
    memory.addTimes(a, b, out);
    const once = memory.read(out).data;
    memory.addTimes(a, b, out);
    memory.read(out).data.forEach((value, i) => expect(value).toBeCloseTo(2 * once[i]!, 12));
  });

  it.each([
    [9, 4, 1],
    [40, 13, 2],
    [7, 7, 2],
  ] as const)(
    'orthonormalizes %i × %i by Gram–Schmidt as the plain loops do, bit for bit (%i passes)',
    (rows, cols, passes) => {
      const m = gaussianMatrix(rows, cols, rows + cols);
      expect(orthonormalize(m, passes).data).toEqual(plainOrthonormalize(m, passes).data);
    },
  );

  it('grows its memory past the first page and keeps what it held', () => {
    const memory = new KernelMemory();
    const first = memory.denseFrom(gaussianMatrix(10, 10, 3));
    const large = memory.dense(300, 300); // 720 KB: several more pages
    memory.view(large).fill(2);
    expect(memory.read(first).data).toEqual(gaussianMatrix(10, 10, 3).data);
    expect(memory.view(large)[300 * 300 - 1]).toBe(2);
  });

  it('rejects mismatched shapes and reshapes beyond the storage', () => {
    const memory = new KernelMemory();
    const matrix = memory.csr(x);
    expect(() => memory.sparseTimesDense(matrix, memory.dense(4, 4), memory.dense(x.rows, 4))).toThrow(
      /shape mismatch/,
    );
    expect(() => memory.addSparseTransposeTimesDense(matrix, memory.dense(5, 4), memory.dense(x.cols, 4))).toThrow(
      /shape mismatch/,
    );
    expect(() =>
      memory.addGramTimes(matrix, memory.dense(x.cols, 4), memory.dense(x.rows, 4), memory.dense(1, 4)),
    ).toThrow(/shape mismatch/);
    expect(() => memory.addTimes(memory.dense(2, 3), memory.dense(2, 3), memory.dense(2, 3))).toThrow(/shape mismatch/);
    expect(() => memory.reshape(memory.dense(2, 3), 4, 2)).toThrow(/does not fit/);
  });

  it('runs the kernels.wasm that kernels.wat compiles to (run `npm run build:kernels` after editing the .wat)', async () => {
    expect(Buffer.from(await compileKernels()).equals(readFileSync(KERNELS_BINARY))).toBe(true);
  });
});
