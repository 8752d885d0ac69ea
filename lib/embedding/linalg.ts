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
    const allocate = <T extends Int32Array | Float64Array>(Type: { new (length: number): T; new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, length: number): T =>
      options.shared ? new Type(new SharedArrayBuffer(length * Type.BYTES_PER_ELEMENT)) : new Type(length);
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
 * target += weight · source[offset … offset + target.length). Unrolled by four: the rows are
 * gathered from all over a large matrix, and the unrolled loop overlaps those memory loads.
 */
export function addScaledRow(
  target: Float64Array,
  source: Float64Array | Float32Array,
  offset: number,
  weight: number,
  targetOffset = 0,
  length = target.length - targetOffset,
): void {
  const end = length - (length % 4);
  let c = 0;
  for (; c < end; c += 4) {
    const t = targetOffset + c;
    const s = offset + c;
    target[t]! += weight * source[s]!;
    target[t + 1]! += weight * source[s + 1]!;
    target[t + 2]! += weight * source[s + 2]!;
    target[t + 3]! += weight * source[s + 3]!;
  }
  for (; c < length; c += 1) target[targetOffset + c]! += weight * source[offset + c]!;
}

/**
 * Σₚ weights[p] · row rows[p] of a row-major matrix with `cols` columns: a sparse vector times a
 * dense matrix. Eight output columns at a time are summed in locals over all the rows, so the
 * output is not re-read and re-written once per row (1.5× faster than addScaledRow per row). Each
 * column still adds its terms in p order, so the result equals the row-by-row sum bit for bit.
 */
export function weightedRowSum(rows: Int32Array, weights: Float64Array, matrix: Float32Array, cols: number): Float64Array {
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

/** X · W for sparse X (n × d) and dense W (d × l). */
export function sparseTimesDense(x: CsrMatrix, w: Dense): Dense {
  if (x.cols !== w.rows) throw new Error(`shape mismatch: ${x.rows}×${x.cols} · ${w.rows}×${w.cols}`);
  const l = w.cols;
  const out = dense(x.rows, l);
  for (let i = 0; i < x.rows; i += 1) {
    const rowOffset = i * l;
    for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p += 1) {
      addScaledRow(out.data, w.data, x.indices[p]! * l, x.values[p]!, rowOffset, l);
    }
  }
  return out;
}

/** Xᵀ · Q for sparse X (n × d) and dense Q (n × l). */
export function sparseTransposeTimesDense(x: CsrMatrix, q: Dense): Dense {
  if (x.rows !== q.rows) throw new Error(`shape mismatch: (${x.rows}×${x.cols})ᵀ · ${q.rows}×${q.cols}`);
  const l = q.cols;
  const out = dense(x.cols, l);
  for (let i = 0; i < x.rows; i += 1) {
    const qOffset = i * l;
    for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p += 1) {
      addScaledRow(out.data, q.data, qOffset, x.values[p]!, x.indices[p]! * l, l);
    }
  }
  return out;
}

function transpose(m: Dense): Dense {
  const out = dense(m.cols, m.rows);
  for (let r = 0; r < m.rows; r += 1) {
    for (let c = 0; c < m.cols; c += 1) out.data[c * m.rows + r] = m.data[r * m.cols + c]!;
  }
  return out;
}

/**
 * Orthonormal basis of the columns of m (same shape), by modified Gram–Schmidt; a second pass
 * re-orthogonalizes for full accuracy. Columns that vanish (rank deficiency) are left as zeros.
 */
export function orthonormalize(m: Dense, passes: 1 | 2 = 2): Dense {
  // Work on the transpose so each column is contiguous in memory.
  const transposed = transpose(m);
  const t = transposed.data;
  const n = m.rows;
  for (let k = 0; k < m.cols; k += 1) {
    const kOffset = k * n;
    for (let pass = 0; pass < passes; pass += 1) {
      for (let j = 0; j < k; j += 1) {
        const jOffset = j * n;
        const dot = dotProduct(t, jOffset, kOffset, n);
        if (dot !== 0) subtractScaled(t, kOffset, jOffset, dot, n);
      }
    }
    const norm = Math.sqrt(dotProduct(t, kOffset, kOffset, n));
    const scale = norm > 1e-12 ? 1 / norm : 0;
    for (let i = 0; i < n; i += 1) t[kOffset + i]! *= scale;
  }
  return transpose(transposed);
}

/** Σᵢ data[a + i] · data[b + i] for i < n, in four running sums (1.6× faster than one here). */
function dotProduct(data: Float64Array, a: number, b: number, n: number): number {
  const end = n - (n % 4);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i < end; i += 4) {
    s0 += data[a + i]! * data[b + i]!;
    s1 += data[a + i + 1]! * data[b + i + 1]!;
    s2 += data[a + i + 2]! * data[b + i + 2]!;
    s3 += data[a + i + 3]! * data[b + i + 3]!;
  }
  let sum = s0 + s1 + s2 + s3;
  for (; i < n; i += 1) sum += data[a + i]! * data[b + i]!;
  return sum;
}

/** data[target + i] -= weight · data[source + i] for i < n. */
function subtractScaled(data: Float64Array, target: number, source: number, weight: number, n: number): void {
  const end = n - (n % 4);
  let i = 0;
  for (; i < end; i += 4) {
    data[target + i]! -= weight * data[source + i]!;
    data[target + i + 1]! -= weight * data[source + i + 1]!;
    data[target + i + 2]! -= weight * data[source + i + 2]!;
    data[target + i + 3]! -= weight * data[source + i + 3]!;
  }
  for (; i < n; i += 1) data[target + i]! -= weight * data[source + i]!;
}

/** Mᵀ · M for dense M (n × l): an l × l symmetric matrix. */
export function gram(m: Dense): Dense {
  const l = m.cols;
  const out = dense(l, l);
  for (let r = 0; r < m.rows; r += 1) {
    const offset = r * l;
    for (let a = 0; a < l; a += 1) {
      const value = m.data[offset + a]!;
      if (value === 0) continue;
      addScaledRow(out.data, m.data, offset + a, value, a * l + a, l - a);
    }
  }
  for (let a = 0; a < l; a += 1) for (let b = 0; b < a; b += 1) out.data[a * l + b] = out.data[b * l + a]!;
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

export interface RandomizedSvdOptions {
  components: number;
  oversamples?: number;
  powerIterations?: number;
  seed: number;
  onStep?: (step: string) => void;
}

/**
 * Xᵀ · (X · V) for sparse X (n × d) and dense V (d × l), one row of X at a time, so the n × l
 * product X · V is never stored: the fit's memory beyond X does not grow with n. (As fast as the
 * two products; summing eight columns in locals, as weightedRowSum does, is slower here: rows of
 * 150 terms are re-walked once per eight columns.)
 */
export function gramTimes(x: CsrMatrix, v: Dense): Dense {
  if (x.cols !== v.rows) throw new Error(`shape mismatch: ${x.rows}×${x.cols} · ${v.rows}×${v.cols}`);
  const l = v.cols;
  const out = dense(x.cols, l);
  const row = new Float64Array(l);
  for (let i = 0; i < x.rows; i += 1) {
    const start = x.indptr[i]!;
    const end = x.indptr[i + 1]!;
    if (start === end) continue;
    row.fill(0);
    for (let p = start; p < end; p += 1) addScaledRow(row, v.data, x.indices[p]! * l, x.values[p]!, 0, l);
    for (let p = start; p < end; p += 1) addScaledRow(out.data, row, 0, x.values[p]!, x.indices[p]! * l, l);
  }
  return out;
}

/** The right singular vectors (d × k) and their singular values. */
interface RitzVectors {
  vectors: Dense;
  singularValues: Float64Array;
}

/**
 * Orthonormalizes on the n side: Q spans (XXᵀ)^iterations X Ω. Qᵀ X Xᵀ Q = U Σ² Uᵀ and
 * V = Xᵀ Q U Σ⁻¹, computed in that order (n·l·k, then a sparse product) rather than as
 * (Xᵀ Q)(U Σ⁻¹), which costs d·l·k.
 */
function rowSideRitz(x: CsrMatrix, k: number, l: number, iterations: number, seed: number, step: (step: string) => void): RitzVectors {
  step('sketch');
  let q = orthonormalize(sparseTimesDense(x, gaussianMatrix(x.cols, l, seed)), 1);
  for (let i = 0; i < iterations; i += 1) {
    step(`power iteration ${i + 1}/${iterations}`);
    // Only the n-side is re-normalized: with Q orthonormal, Xᵀ Q cannot overflow, and one pass of
    // Gram–Schmidt per iteration keeps X Xᵀ Q well enough conditioned (sklearn normalizes by LU
    // here for the same reason). The last basis gets the full two passes.
    q = orthonormalize(sparseTimesDense(x, sparseTransposeTimesDense(x, q)), i === iterations - 1 ? 2 : 1);
  }
  step('project');
  const { singularValues, coefficients } = leadingPairs(symmetricEigen(transposeTimes(q, sparseTimesDense(x, sparseTransposeTimesDense(x, q)))), k, true);
  return { vectors: sparseTransposeTimesDense(x, times(q, coefficients)), singularValues };
}

/**
 * The k largest eigenpairs of XᵀX (or XXᵀ) as singular values √λ and the l × k matrix of their
 * eigenvectors, each divided by its singular value when asked (0 for a zero one).
 */
function leadingPairs({ values, vectors }: { values: Float64Array; vectors: Dense }, k: number, divideBySingularValue: boolean): { singularValues: Float64Array; coefficients: Dense } {
  const l = vectors.cols;
  const singularValues = Float64Array.from(values.subarray(0, k), (value) => Math.sqrt(Math.max(value, 0)));
  const coefficients = dense(l, k);
  for (let j = 0; j < l; j += 1) {
    for (let c = 0; c < k; c += 1) {
      const sigma = singularValues[c]!;
      const value = vectors.data[j * l + c]!;
      coefficients.data[j * k + c] = !divideBySingularValue ? value : sigma > 0 ? value / sigma : 0;
    }
  }
  return { singularValues, coefficients };
}

/** A · B for dense A and B. */
function times(a: Dense, b: Dense): Dense {
  const out = dense(a.rows, b.cols);
  for (let r = 0; r < a.rows; r += 1) {
    for (let i = 0; i < a.cols; i += 1) {
      const weight = a.data[r * a.cols + i]!;
      if (weight !== 0) addScaledRow(out.data, b.data, i * b.cols, weight, r * b.cols, b.cols);
    }
  }
  return out;
}

/**
 * Orthonormalizes on the d side (when X has more rows than columns): V₀ = Ω, Vᵢ₊₁ = orth(XᵀX Vᵢ),
 * then Rayleigh–Ritz: Vᵀ XᵀX V = W Λ Wᵀ, the vectors V W and the values √Λ.
 */
function columnSideRitz(x: CsrMatrix, k: number, l: number, iterations: number, seed: number, step: (step: string) => void): RitzVectors {
  let v = gaussianMatrix(x.cols, l, seed);
  for (let i = 0; i <= iterations; i += 1) {
    step(i === 0 ? 'sketch' : `power iteration ${i}/${iterations}`);
    v = orthonormalize(gramTimes(x, v), i === iterations ? 2 : 1);
  }
  step('project');
  const { singularValues, coefficients } = leadingPairs(symmetricEigen(transposeTimes(v, gramTimes(x, v))), k, false);
  return { vectors: times(v, coefficients), singularValues };
}

/** Aᵀ · B for dense A and B with the same rows, made exactly symmetric (A and B span one subspace). */
function transposeTimes(a: Dense, b: Dense): Dense {
  const l = a.cols;
  const out = dense(l, b.cols);
  for (let r = 0; r < a.rows; r += 1) {
    for (let i = 0; i < l; i += 1) {
      const weight = a.data[r * l + i]!;
      if (weight !== 0) addScaledRow(out.data, b.data, r * b.cols, weight, i * b.cols, b.cols);
    }
  }
  for (let i = 0; i < l; i += 1) {
    for (let j = 0; j < i; j += 1) {
      const mean = (out.data[i * l + j]! + out.data[j * l + i]!) / 2;
      out.data[i * l + j] = mean;
      out.data[j * l + i] = mean;
    }
  }
  return out;
}

/**
 * Top right singular vectors of sparse X (Halko, Martinsson & Tropp's randomized range finder),
 * as a d × k row-major matrix, plus the singular values. Signs are fixed so that each vector's
 * largest-magnitude entry is positive, which makes the result independent of rotation order.
 */
export function randomizedRightSingularVectors(
  x: CsrMatrix,
  options: RandomizedSvdOptions,
): { vectors: Dense; singularValues: Float64Array } {
  const k = Math.min(options.components, x.rows, x.cols);
  const l = Math.min(k + (options.oversamples ?? 10), x.rows, x.cols);
  const iterations = options.powerIterations ?? 4;
  const step = options.onStep ?? (() => undefined);

  // Both ways span the same subspace, (XᵀX)^(iterations + 1) Ω, and each orthonormalizes on the
  // smaller side of X: Gram–Schmidt costs side · l², much of the fit's time.
  const { vectors: out, singularValues } = x.rows <= x.cols ? rowSideRitz(x, k, l, iterations, options.seed, step) : columnSideRitz(x, k, l, iterations, options.seed, step);
  for (let c = 0; c < k; c += 1) {
    let largest = 0;
    for (let r = 0; r < x.cols; r += 1) {
      const value = out.data[r * k + c]!;
      if (Math.abs(value) > Math.abs(largest)) largest = value;
    }
    if (largest < 0) for (let r = 0; r < x.cols; r += 1) out.data[r * k + c] = -out.data[r * k + c]!;
  }
  return { vectors: out, singularValues };
}
