import { LegacyRandomState } from './numpy-random';

/**
 * A binary linear classifier trained the way scikit-learn's SGDClassifier trains one — same
 * losses, "optimal" learning rate, weight scaling, truncated L1 penalty, stopping rule and the
 * same per-epoch shuffle drawn from the same seed — because Evidently's domain-classifier drift
 * tests are defined by it. Labels are 0/1; the decision function scores class 1.
 */
export type Design =
  | { kind: 'dense'; count: number; dims: number; data: Float64Array }
  | { kind: 'sparse'; count: number; dims: number; rows: ReadonlyArray<{ indices: Int32Array; values: Float64Array }> };

export interface SgdOptions {
  loss: 'log_loss' | 'modified_huber';
  penalty: 'l2' | 'l1';
  alpha: number;
  maxIter: number;
  tol: number;
  nIterNoChange: number;
  randomState: number;
}

export const SGD_DEFAULTS: SgdOptions = {
  loss: 'log_loss',
  penalty: 'l2',
  alpha: 0.0001,
  maxIter: 1000,
  tol: 1e-3,
  nIterNoChange: 5,
  randomState: 42,
};

const MAX_DLOSS = 1e12;
const RAND_R_MAX = 0x7fffffff;

/** scikit-learn's our_rand_r: a xorshift step on a 32-bit state. */
function xorshift(state: Uint32Array): number {
  if (state[0] === 0) state[0] = 1;
  state[0] ^= state[0]! << 13;
  state[0] ^= state[0]! >>> 17;
  state[0] ^= state[0]! << 5;
  return state[0]! % (RAND_R_MAX + 1);
}

function lossOf(kind: SgdOptions['loss'], y: number, p: number): number {
  if (kind === 'log_loss') {
    // log(1 + e^p) − y·p, by the same branches as scikit-learn's log1pexp.
    const softplus =
      p <= -37
        ? Math.exp(p)
        : p <= -2
          ? Math.log1p(Math.exp(p))
          : p <= 18
            ? Math.log(1 + Math.exp(p))
            : p <= 33.3
              ? p + Math.exp(-p)
              : p;
    return softplus - y * p;
  }
  const z = p * y;
  if (z >= 1) return 0;
  if (z >= -1) return (1 - z) * (1 - z);
  return -4 * z;
}

function gradientOf(kind: SgdOptions['loss'], y: number, p: number): number {
  if (kind === 'log_loss') {
    if (p > -37) {
      const e = Math.exp(-p);
      return (1 - y - y * e) / (1 + e);
    }
    return Math.exp(p) - y;
  }
  const z = p * y;
  if (z >= 1) return 0;
  if (z >= -1) return 2 * (1 - z) * -y;
  return -4 * y;
}

export interface SgdModel {
  /** The decision function of a row of the design it was trained on. */
  decision(row: number): number;
  epochs: number;
}

/** Fits on the given rows of the design, visited in the given order (shuffled per epoch as scikit-learn does). */
export function fitSgdClassifier(
  design: Design,
  labels: ArrayLike<number>,
  rows: ArrayLike<number>,
  options: Partial<SgdOptions> = {},
): SgdModel {
  const { loss, penalty, alpha, maxIter, tol, nIterNoChange, randomState } = { ...SGD_DEFAULTS, ...options };
  const l1Ratio = penalty === 'l1' ? 1 : 0;
  // Sparse data decays the intercept's updates (scikit-learn's SPARSE_INTERCEPT_DECAY).
  const interceptDecay = design.kind === 'sparse' ? 0.01 : 1;
  const n = rows.length;
  const y = Float64Array.from(rows as ArrayLike<number>, (row) =>
    loss === 'log_loss' ? labels[row]! : labels[row] === 1 ? 1 : -1,
  );
  const positions = Int32Array.from({ length: n }, (_, i) => i);

  // The seeds scikit-learn draws: one for the dataset, then the one its shuffle uses.
  const random = new LegacyRandomState(randomState);
  random.randint(1, 2147483647);
  const shuffleSeed = random.randint(0, 2147483647);

  const w = new Float64Array(design.dims);
  const q = l1Ratio > 0 ? new Float64Array(design.dims) : undefined;
  let wscale = 1;
  let sqNorm = 0;
  let l1Norm = 0;
  let intercept = 0;
  let u = 0;
  const typw = Math.sqrt(1 / Math.sqrt(alpha));
  const optimalInit = 1 / ((typw / Math.max(1, gradientOf(loss, 1, -typw))) * alpha);
  let t = 1;
  let best = Number.POSITIVE_INFINITY;
  let noImprovement = 0;
  let epoch = 0;

  const dot = (row: number): number => {
    let sum = 0;
    if (design.kind === 'dense') {
      const offset = row * design.dims;
      for (let d = 0; d < design.dims; d += 1) sum += w[d]! * design.data[offset + d]!;
    } else {
      const { indices, values } = design.rows[row]!;
      for (let k = 0; k < indices.length; k += 1) sum += w[indices[k]!]! * values[k]!;
    }
    return sum * wscale;
  };
  const add = (row: number, c: number): void => {
    let l2 = 0;
    let l1 = 0;
    const step = c / wscale;
    if (design.kind === 'dense') {
      const offset = row * design.dims;
      for (let d = 0; d < design.dims; d += 1) {
        w[d]! += design.data[offset + d]! * step;
        l2 += w[d]! * w[d]!;
        l1 += Math.abs(w[d]!);
      }
    } else {
      const { indices, values } = design.rows[row]!;
      for (let k = 0; k < indices.length; k += 1) {
        const j = indices[k]!;
        w[j]! += values[k]! * step;
        l2 += w[j]! * w[j]!;
        l1 += Math.abs(w[j]!);
      }
    }
    sqNorm = l2 * wscale * wscale;
    l1Norm = l1 * wscale;
  };
  const scale = (c: number): void => {
    wscale *= c;
    sqNorm *= c * c;
    l1Norm *= Math.abs(c);
    if (wscale < 1e-9) {
      for (let d = 0; d < w.length; d += 1) w[d]! *= wscale;
      wscale = 1;
    }
  };
  /** Tsuruoka et al.'s truncated gradient on the row's features. */
  const l1Penalty = (row: number): void => {
    const visit = (j: number) => {
      const z = w[j]!;
      if (wscale * z > 0) w[j] = Math.max(0, w[j]! - (u + q![j]!) / wscale);
      else if (wscale * z < 0) w[j] = Math.min(0, w[j]! + (u - q![j]!) / wscale);
      q![j]! += wscale * (w[j]! - z);
    };
    if (design.kind === 'dense') for (let d = 0; d < design.dims; d += 1) visit(d);
    else for (const j of design.rows[row]!.indices) visit(j);
  };

  const seed = new Uint32Array(1);
  for (epoch = 0; epoch < maxIter; epoch += 1) {
    seed[0] = shuffleSeed;
    for (let i = 0; i < n - 1; i += 1) {
      const j = i + (xorshift(seed) % (n - i));
      const held = positions[i]!;
      positions[i] = positions[j]!;
      positions[j] = held;
    }
    let objective = 0;
    for (let k = 0; k < n; k += 1) {
      const position = positions[k]!;
      const row = rows[position]!;
      const target = y[position]!;
      const p = dot(row) + intercept;
      const eta = 1 / (alpha * (optimalInit + t - 1));
      objective += lossOf(loss, target, p) + alpha * ((1 - l1Ratio) * 0.5 * Math.sqrt(sqNorm) ** 2 + l1Ratio * l1Norm);
      const dloss = Math.min(MAX_DLOSS, Math.max(-MAX_DLOSS, gradientOf(loss, target, p)));
      const update = -eta * dloss;
      if (penalty === 'l2') scale(Math.max(0, 1 - eta * alpha));
      if (update !== 0) {
        add(row, update);
        intercept += update * interceptDecay;
      }
      if (l1Ratio > 0) {
        u += eta * alpha;
        l1Penalty(row);
      }
      t += 1;
    }
    const meanObjective = objective / n;
    if (meanObjective > best - tol) noImprovement += 1;
    else noImprovement = 0;
    if (meanObjective < best) best = meanObjective;
    if (noImprovement >= nIterNoChange) {
      epoch += 1;
      break;
    }
  }
  return { epochs: epoch, decision: (row) => dot(row) + intercept };
}
