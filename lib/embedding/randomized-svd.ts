import { KernelMemory, type KernelCsr, type KernelDense } from './kernel-memory';
import { gaussianMatrix, symmetricEigen, type CsrMatrix, type Dense } from './linalg';

export interface RandomizedSvdOptions {
  components: number;
  oversamples?: number;
  powerIterations?: number;
  seed: number;
  onStep?: (step: string) => void;
}

/** The right singular vectors (d × k) and their singular values. */
interface RitzVectors {
  vectors: Dense;
  singularValues: Float64Array;
}

/**
 * Top right singular vectors of sparse X (Halko, Martinsson & Tropp's randomized range finder),
 * as a d × k row-major matrix, plus the singular values. Signs are fixed so that each vector's
 * largest-magnitude entry is positive, which makes the result independent of rotation order.
 * The products run in WebAssembly kernels (kernels.wat) on one copy of X.
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
  const { vectors: out, singularValues } =
    x.rows <= x.cols
      ? rowSideRitz(x, k, l, iterations, options.seed, step)
      : columnSideRitz(x, k, l, iterations, options.seed, step);
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

/** Kernel memory for X and `doubles` more, allocated at once so the fit never grows it. */
function memoryFor(x: CsrMatrix, doubles: number): { memory: KernelMemory; matrix: KernelCsr } {
  const memory = new KernelMemory(
    x.indptr.byteLength + x.indices.byteLength + x.values.byteLength + doubles * 8 + 1024,
  );
  return { memory, matrix: memory.csr(x) };
}

/**
 * Orthonormalizes on the n side: Q spans (XXᵀ)^iterations X Ω. Qᵀ X Xᵀ Q = U Σ² Uᵀ and
 * V = Xᵀ Q U Σ⁻¹, computed in that order (n·l·k, then a sparse product) rather than as
 * (Xᵀ Q)(U Σ⁻¹), which costs d·l·k.
 */
function rowSideRitz(
  x: CsrMatrix,
  k: number,
  l: number,
  iterations: number,
  seed: number,
  step: (step: string) => void,
): RitzVectors {
  const { memory, matrix } = memoryFor(x, x.cols * l + 2 * x.rows * l + l * l + l * k);
  const dSide = memory.denseFrom(gaussianMatrix(x.cols, l, seed)); // d × l: Ω, then every Xᵀ Q
  const q = memory.dense(x.rows, l);
  const scratch = memory.dense(x.rows, l); // Gram–Schmidt's transpose, then X Xᵀ Q, then Q U Σ⁻¹
  step('sketch');
  memory.sparseTimesDense(matrix, dSide, q);
  memory.orthonormalizeColumns(q, 1, scratch);
  const xxtq = (into: KernelDense) => {
    memory.zero(dSide);
    memory.addSparseTransposeTimesDense(matrix, q, dSide);
    memory.sparseTimesDense(matrix, dSide, into);
  };
  for (let i = 0; i < iterations; i += 1) {
    step(`power iteration ${i + 1}/${iterations}`);
    // Only the n-side is re-normalized: with Q orthonormal, Xᵀ Q cannot overflow, and one pass of
    // Gram–Schmidt per iteration keeps X Xᵀ Q well enough conditioned (sklearn normalizes by LU
    // here for the same reason). The last basis gets the full two passes.
    xxtq(q);
    memory.orthonormalizeColumns(q, i === iterations - 1 ? 2 : 1, scratch);
  }
  step('project');
  xxtq(scratch);
  const { singularValues, coefficients } = ritzPairs(memory, q, scratch, k, true);
  const scaled = memory.reshape(scratch, x.rows, k);
  memory.zero(scaled);
  memory.addTimes(q, coefficients, scaled);
  const vectors = memory.reshape(dSide, x.cols, k);
  memory.zero(vectors);
  memory.addSparseTransposeTimesDense(matrix, scaled, vectors);
  return { vectors: memory.read(vectors), singularValues };
}

/**
 * Orthonormalizes on the d side (when X has more rows than columns): V₀ = Ω, Vᵢ₊₁ = orth(XᵀX Vᵢ),
 * then Rayleigh–Ritz: Vᵀ XᵀX V = W Λ Wᵀ, the vectors V W and the values √Λ. XᵀX V is summed one
 * row of X at a time, so the fit's memory beyond X does not grow with n.
 */
function columnSideRitz(
  x: CsrMatrix,
  k: number,
  l: number,
  iterations: number,
  seed: number,
  step: (step: string) => void,
): RitzVectors {
  const { memory, matrix } = memoryFor(x, 3 * x.cols * l + l + l * l + l * k);
  let v = memory.denseFrom(gaussianMatrix(x.cols, l, seed));
  let product = memory.dense(x.cols, l);
  const scratch = memory.dense(x.cols, l); // Gram–Schmidt's transpose, then V W
  const row = memory.dense(1, l);
  const gramTimesV = () => {
    memory.zero(product);
    memory.addGramTimes(matrix, v, product, row);
  };
  for (let i = 0; i <= iterations; i += 1) {
    step(i === 0 ? 'sketch' : `power iteration ${i}/${iterations}`);
    gramTimesV();
    memory.orthonormalizeColumns(product, i === iterations ? 2 : 1, scratch);
    [v, product] = [product, v];
  }
  step('project');
  gramTimesV();
  const { singularValues, coefficients } = ritzPairs(memory, v, product, k, false);
  const vectors = memory.reshape(scratch, x.cols, k);
  memory.zero(vectors);
  memory.addTimes(v, coefficients, vectors);
  return { vectors: memory.read(vectors), singularValues };
}

/**
 * Rayleigh–Ritz on an orthonormal basis B and P = M B for the symmetric M (XXᵀ or XᵀX): the k
 * leading pairs of Bᵀ P, their l × k coefficients in kernel memory.
 */
function ritzPairs(
  memory: KernelMemory,
  basis: KernelDense,
  product: KernelDense,
  k: number,
  divideBySingularValue: boolean,
): { singularValues: Float64Array; coefficients: KernelDense } {
  const ritz = memory.dense(basis.cols, basis.cols);
  memory.addTransposeTimes(basis, product, ritz);
  const { singularValues, coefficients } = leadingPairs(
    symmetricEigen(symmetrized(memory.read(ritz))),
    k,
    divideBySingularValue,
  );
  return { singularValues, coefficients: memory.denseFrom(coefficients) };
}

/** A square matrix made exactly symmetric (Aᵀ B for A and B spanning one subspace is, up to rounding). */
function symmetrized(m: Dense): Dense {
  const l = m.rows;
  for (let i = 0; i < l; i += 1) {
    for (let j = 0; j < i; j += 1) {
      const mean = (m.data[i * l + j]! + m.data[j * l + i]!) / 2;
      m.data[i * l + j] = mean;
      m.data[j * l + i] = mean;
    }
  }
  return m;
}

/**
 * The k largest eigenpairs of XᵀX (or XXᵀ) as singular values √λ and the l × k matrix of their
 * eigenvectors, each divided by its singular value when asked (0 for a zero one).
 */
function leadingPairs(
  { values, vectors }: { values: Float64Array; vectors: Dense },
  k: number,
  divideBySingularValue: boolean,
): { singularValues: Float64Array; coefficients: Dense } {
  const l = vectors.cols;
  const singularValues = Float64Array.from(values.subarray(0, k), (value) => Math.sqrt(Math.max(value, 0)));
  const coefficients: Dense = { rows: l, cols: k, data: new Float64Array(l * k) };
  for (let j = 0; j < l; j += 1) {
    for (let c = 0; c < k; c += 1) {
      const sigma = singularValues[c]!;
      const value = vectors.data[j * l + c]!;
      coefficients.data[j * k + c] = !divideBySingularValue ? value : sigma > 0 ? value / sigma : 0;
    }
  }
  return { singularValues, coefficients };
}

/** An orthonormal basis of m's columns (same shape), by modified Gram–Schmidt in `passes` passes. */
export function orthonormalize(m: Dense, passes: 1 | 2 = 2): Dense {
  const memory = new KernelMemory(2 * m.data.byteLength + 1024);
  const matrix = memory.denseFrom(m);
  memory.orthonormalizeColumns(matrix, passes, memory.dense(m.rows, m.cols));
  return memory.read(matrix);
}
