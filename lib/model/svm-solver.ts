import { seededRandom, type CsrMatrix } from '../embedding/linalg';

/** How one class's solver ended. */
export interface ClassFit {
  epochs: number;
  converged: boolean;
}

/**
 * One binary squared-hinge SVM, w · x + b, by dual coordinate descent with shrinking (Hsieh et al.,
 * ICML 2008): each step solves the dual exactly in one paper's α, and papers whose α stays at 0
 * with a gradient beyond the last pass's spread leave the active set (most papers, once the
 * margin is found), so later passes sweep only the support vectors. Converged on the active set,
 * one pass over every paper confirms it. The bias is the weight of a constant feature 1,
 * regularized as liblinear does. `slack` adds to a row's diagonal: the squared values of its terms
 * that no other row has, whose weights the dual keeps implicitly.
 */
export function fitBinarySvm(
  x: CsrMatrix,
  positive: (row: number) => boolean,
  costOf: (row: number) => number,
  options: { maxEpochs: number; tolerance: number; seed: number; initialAlpha?: Float64Array; slack?: Float64Array },
): { weights: Float64Array; bias: number; alpha: Float64Array; fit: ClassFit } {
  const { rows, indptr, indices, values } = x;
  const w = new Float64Array(x.cols);
  let b = 0;
  const alpha = new Float64Array(rows);
  // A warm start (the dual of a fit on some of these rows): w = Σ αᵢ yᵢ xᵢ.
  if (options.initialAlpha) {
    alpha.set(options.initialAlpha.subarray(0, rows));
    for (let i = 0; i < rows; i += 1) {
      const step = alpha[i]! * (positive(i) ? 1 : -1);
      if (step === 0) continue;
      for (let p = indptr[i]!; p < indptr[i + 1]!; p += 1) w[indices[p]!]! += step * values[p]!;
      b += step;
    }
  }
  const diagonal = new Float64Array(rows);
  const qii = new Float64Array(rows);
  const sign = new Int8Array(rows);
  for (let i = 0; i < rows; i += 1) {
    diagonal[i] = 1 / (2 * costOf(i)) + (options.slack?.[i] ?? 0);
    let squared = 1; // the bias feature
    for (let p = indptr[i]!; p < indptr[i + 1]!; p += 1) squared += values[p]! * values[p]!;
    qii[i] = squared + diagonal[i]!;
    sign[i] = positive(i) ? 1 : -1;
  }
  const active = Int32Array.from({ length: rows }, (_, i) => i);
  let activeSize = rows;
  const random = seededRandom(options.seed);
  let shrinkAbove = Number.POSITIVE_INFINITY;
  let epoch = 0;
  let converged = false;
  while (epoch < options.maxEpochs) {
    epoch += 1;
    for (let s = activeSize - 1; s > 0; s -= 1) {
      const j = Math.floor(random() * (s + 1));
      const swap = active[s]!;
      active[s] = active[j]!;
      active[j] = swap;
    }
    let maxProjected = Number.NEGATIVE_INFINITY;
    let minProjected = Number.POSITIVE_INFINITY;
    for (let s = 0; s < activeSize; s += 1) {
      const i = active[s]!;
      const y = sign[i]!;
      let dot = b;
      for (let p = indptr[i]!; p < indptr[i + 1]!; p += 1) dot += w[indices[p]!]! * values[p]!;
      const gradient = y * dot - 1 + diagonal[i]! * alpha[i]!;
      let projected = gradient;
      if (alpha[i] === 0) {
        if (gradient > shrinkAbove) {
          activeSize -= 1;
          active[s] = active[activeSize]!;
          active[activeSize] = i;
          s -= 1;
          continue;
        }
        if (gradient > 0) projected = 0;
      }
      if (projected > maxProjected) maxProjected = projected;
      if (projected < minProjected) minProjected = projected;
      if (Math.abs(projected) <= 1e-12) continue;
      const before = alpha[i]!;
      alpha[i] = Math.max(before - gradient / qii[i]!, 0);
      const step = (alpha[i]! - before) * y;
      for (let p = indptr[i]!; p < indptr[i + 1]!; p += 1) w[indices[p]!]! += step * values[p]!;
      b += step;
    }
    if (maxProjected - minProjected <= options.tolerance) {
      if (activeSize === rows) {
        converged = true;
        break;
      }
      activeSize = rows;
      shrinkAbove = Number.POSITIVE_INFINITY;
      continue;
    }
    shrinkAbove = maxProjected <= 0 ? Number.POSITIVE_INFINITY : maxProjected;
  }
  return { weights: w, bias: b, alpha, fit: { epochs: epoch, converged } };
}
