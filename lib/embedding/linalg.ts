/** Sparse rows (compressed sparse row layout). */
export interface CsrMatrix {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

/** Sparse rows stacked into one CSR matrix of `cols` columns. */
export function csrFromRows(rows: ReadonlyArray<{ indices: Int32Array; values: Float64Array }>, cols: number): CsrMatrix {
  const nnz = rows.reduce((sum, row) => sum + row.indices.length, 0);
  const indptr = new Int32Array(rows.length + 1);
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  let offset = 0;
  rows.forEach((row, i) => {
    indices.set(row.indices, offset);
    values.set(row.values, offset);
    offset += row.indices.length;
    indptr[i + 1] = offset;
  });
  return { rows: rows.length, cols, indptr, indices, values };
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
  const t = transpose(m);
  const n = m.rows;
  const columns = m.cols;
  for (let k = 0; k < columns; k += 1) {
    const kOffset = k * n;
    for (let pass = 0; pass < passes; pass += 1) {
      for (let j = 0; j < k; j += 1) {
        const jOffset = j * n;
        let dot = 0;
        for (let i = 0; i < n; i += 1) dot += t.data[jOffset + i]! * t.data[kOffset + i]!;
        if (dot === 0) continue;
        for (let i = 0; i < n; i += 1) t.data[kOffset + i]! -= dot * t.data[jOffset + i]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i += 1) norm += t.data[kOffset + i]! ** 2;
    norm = Math.sqrt(norm);
    const scale = norm > 1e-12 ? 1 / norm : 0;
    for (let i = 0; i < n; i += 1) t.data[kOffset + i]! *= scale;
  }
  return transpose(t);
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
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations.
 * Returns eigenvalues in descending order and the matching eigenvectors as columns.
 */
export function symmetricEigen(s: Dense, maxSweeps = 60): { values: Float64Array; vectors: Dense } {
  const n = s.rows;
  const a = Float64Array.from(s.data);
  const v = dense(n, n);
  for (let i = 0; i < n; i += 1) v.data[i * n + i] = 1;
  for (let sweep = 0; sweep < maxSweeps; sweep += 1) {
    let offDiagonal = 0;
    let diagonal = 0;
    for (let p = 0; p < n; p += 1) {
      diagonal += a[p * n + p]! ** 2;
      for (let q = p + 1; q < n; q += 1) offDiagonal += a[p * n + q]! ** 2;
    }
    if (offDiagonal <= 1e-22 * Math.max(diagonal, 1e-300)) break;
    for (let p = 0; p < n - 1; p += 1) {
      for (let q = p + 1; q < n; q += 1) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[p * n + p]!;
        const aqq = a[q * n + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const sn = t * c;
        for (let k = 0; k < n; k += 1) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - sn * akq;
          a[k * n + q] = sn * akp + c * akq;
        }
        for (let k = 0; k < n; k += 1) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - sn * aqk;
          a[q * n + k] = sn * apk + c * aqk;
        }
        for (let k = 0; k < n; k += 1) {
          const vkp = v.data[k * n + p]!;
          const vkq = v.data[k * n + q]!;
          v.data[k * n + p] = c * vkp - sn * vkq;
          v.data[k * n + q] = sn * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j]! - a[i * n + i]!);
  const values = Float64Array.from(order, (i) => a[i * n + i]!);
  const vectors = dense(n, n);
  order.forEach((from, to) => {
    for (let k = 0; k < n; k += 1) vectors.data[k * n + to] = v.data[k * n + from]!;
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

  step('sketch');
  let q = orthonormalize(sparseTimesDense(x, gaussianMatrix(x.cols, l, options.seed)), 1);
  for (let i = 0; i < iterations; i += 1) {
    step(`power iteration ${i + 1}/${iterations}`);
    // Only the n-side is re-normalized: with Q orthonormal, Xᵀ Q cannot overflow, and one pass of
    // Gram–Schmidt per iteration keeps X Xᵀ Q well enough conditioned (sklearn normalizes by LU
    // here for the same reason). The last basis gets the full two passes.
    const z = sparseTransposeTimesDense(x, q);
    q = orthonormalize(sparseTimesDense(x, z), i === iterations - 1 ? 2 : 1);
  }
  step('project');
  // B = Qᵀ X (l × d); its right singular vectors are those of X. With Z = Bᵀ = Xᵀ Q:
  // B Bᵀ = Zᵀ Z = U Σ² Uᵀ and V = Z U Σ⁻¹.
  const zt = sparseTransposeTimesDense(x, q);
  const { values, vectors: u } = symmetricEigen(gram(zt));
  const singularValues = Float64Array.from(values.subarray(0, k), (value) => Math.sqrt(Math.max(value, 0)));
  // Uₖ Σₖ⁻¹ as an l × k row-major matrix; each output row is a weighted sum of its rows.
  const scaledU = new Float64Array(l * k);
  for (let j = 0; j < l; j += 1) {
    for (let c = 0; c < k; c += 1) {
      const sigma = singularValues[c]!;
      scaledU[j * k + c] = sigma > 0 ? u.data[j * l + c]! / sigma : 0;
    }
  }
  const out = dense(x.cols, k);
  for (let r = 0; r < x.cols; r += 1) {
    const zOffset = r * l;
    for (let j = 0; j < l; j += 1) {
      const weight = zt.data[zOffset + j]!;
      if (weight !== 0) addScaledRow(out.data, scaledU, j * k, weight, r * k, k);
    }
  }
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
