import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** Sparse rows (compressed sparse row layout). */
export interface CsrMatrix {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

/**
 * Builds a CSR matrix row by row without holding the rows: entries go to fixed-size chunks, copied
 * into arrays of the exact size at the end (in shared memory when asked, for worker threads), each
 * chunk dropped once copied — the peak is the matrix plus one chunk, not the matrix twice.
 */
export class CsrBuilder {
  private static readonly CHUNK = 1 << 20;
  private readonly indexChunks: Int32Array[] = [];
  private readonly valueChunks: Float64Array[] = [];
  private readonly rowEnds: number[] = [0];
  private filled = CsrBuilder.CHUNK;
  private nnz = 0;

  constructor(private readonly cols: number) {}

  addRow(indices: Int32Array, values: Float64Array): void {
    for (let p = 0; p < indices.length; p += 1) {
      if (this.filled === CsrBuilder.CHUNK) {
        this.indexChunks.push(new Int32Array(CsrBuilder.CHUNK));
        this.valueChunks.push(new Float64Array(CsrBuilder.CHUNK));
        this.filled = 0;
      }
      this.indexChunks[this.indexChunks.length - 1]![this.filled] = indices[p]!;
      this.valueChunks[this.valueChunks.length - 1]![this.filled] = values[p]!;
      this.filled += 1;
    }
    this.nnz += indices.length;
    this.rowEnds.push(this.nnz);
  }

  build(options: { shared?: boolean } = {}): CsrMatrix {
    const allocate = <T extends Int32Array | Float64Array>(
      Type: { new (length: number): T; new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
      length: number,
    ): T => (options.shared ? new Type(new SharedArrayBuffer(length * Type.BYTES_PER_ELEMENT)) : new Type(length));
    const indptr = allocate(Int32Array, this.rowEnds.length);
    indptr.set(this.rowEnds);
    const indices = allocate(Int32Array, this.nnz);
    const values = allocate(Float64Array, this.nnz);
    let offset = 0;
    while (this.indexChunks.length > 0) {
      const take = Math.min(CsrBuilder.CHUNK, this.nnz - offset);
      indices.set(this.indexChunks.shift()!.subarray(0, take), offset);
      values.set(this.valueChunks.shift()!.subarray(0, take), offset);
      offset += take;
    }
    return { rows: this.rowEnds.length - 1, cols: this.cols, indptr, indices, values };
  }
}

/** Dense matrix, row-major: element (r, c) is data[r * cols + c]. */
export interface Dense {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function dense(rows: number, cols: number): Dense {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

/** Small, fast, seedable PRNG (mulberry32), so fitting is reproducible bit for bit. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussianMatrix(rows: number, cols: number, seed: number): Dense {
  const random = seededRandom(seed);
  const out = dense(rows, cols);
  for (let i = 0; i < out.data.length; i += 2) {
    // Box–Muller: two independent standard normals per pair of uniforms.
    const u = Math.max(random(), Number.MIN_VALUE);
    const v = random();
    const radius = Math.sqrt(-2 * Math.log(u));
    out.data[i] = radius * Math.cos(2 * Math.PI * v);
    if (i + 1 < out.data.length) out.data[i + 1] = radius * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/**
 * Σₚ weights[p] · row rows[p] of a row-major matrix with `cols` columns: a sparse vector times a
 * dense matrix. Eight output columns at a time are summed in locals over all the rows, so the
 * output is not re-read and re-written once per row (1.5× faster than adding whole rows one by one). Each
 * column still adds its terms in p order, so the result equals the row-by-row sum bit for bit.
 */
export function weightedRowSum(
  rows: Int32Array,
  weights: Float64Array,
  matrix: Float32Array,
  cols: number,
): Float64Array {
  const out = new Float64Array(cols);
  const n = rows.length;
  const blocked = cols - (cols % 8);
  let c = 0;
  for (; c < blocked; c += 8) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let s5 = 0;
    let s6 = 0;
    let s7 = 0;
    for (let p = 0; p < n; p += 1) {
      const offset = rows[p]! * cols + c;
      const weight = weights[p]!;
      s0 += weight * matrix[offset]!;
      s1 += weight * matrix[offset + 1]!;
      s2 += weight * matrix[offset + 2]!;
      s3 += weight * matrix[offset + 3]!;
      s4 += weight * matrix[offset + 4]!;
      s5 += weight * matrix[offset + 5]!;
      s6 += weight * matrix[offset + 6]!;
      s7 += weight * matrix[offset + 7]!;
    }
    out[c] = s0;
    out[c + 1] = s1;
    out[c + 2] = s2;
    out[c + 3] = s3;
    out[c + 4] = s4;
    out[c + 5] = s5;
    out[c + 6] = s6;
    out[c + 7] = s7;
  }
  for (; c < cols; c += 1) {
    let sum = 0;
    for (let p = 0; p < n; p += 1) sum += weights[p]! * matrix[rows[p]! * cols + c]!;
    out[c] = sum;
  }
  return out;
}

/**
 * Eigen-decomposition of a symmetric matrix (ml-matrix's Householder tridiagonalization and QL,
 * 4× faster than cyclic Jacobi on the 394 × 394 matrices of an LSA fit).
 * Returns eigenvalues in descending order and the matching eigenvectors as columns.
 */
export function symmetricEigen(s: Dense): { values: Float64Array; vectors: Dense } {
  const n = s.rows;
  const rows = Array.from({ length: n }, (_, r) => Array.from(s.data.subarray(r * n, (r + 1) * n)));
  const decomposition = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const found = decomposition.realEigenvalues;
  const eigenvectors = decomposition.eigenvectorMatrix;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => found[j]! - found[i]!);
  const values = Float64Array.from(order, (i) => found[i]!);
  const vectors = dense(n, n);
  order.forEach((from, to) => {
    for (let k = 0; k < n; k += 1) vectors.data[k * n + to] = eigenvectors.get(k, from);
  });
  return { values, vectors };
}
