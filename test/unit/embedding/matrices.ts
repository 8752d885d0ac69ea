import type { CsrMatrix, Dense } from '../../../lib/embedding/linalg';

/** The non-zero entries of a dense matrix as CSR. */
export function csrOf(m: Dense): CsrMatrix {
  const indptr = new Int32Array(m.rows + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let r = 0; r < m.rows; r += 1) {
    for (let c = 0; c < m.cols; c += 1) {
      const value = m.data[r * m.cols + c]!;
      if (value !== 0) {
        indices.push(c);
        values.push(value);
      }
    }
    indptr[r + 1] = indices.length;
  }
  return { rows: m.rows, cols: m.cols, indptr, indices: Int32Array.from(indices), values: Float64Array.from(values) };
}
