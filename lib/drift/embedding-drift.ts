import './builtin-tests';
import { domainClassifierAuc, randomAucPercentile } from './domain-classifier';
import { choiceWithReplacement, LegacyRandomState, pandasSample } from './numpy-random';
import { columnMeans, componentColumn, projectOnReferencePca, selectRows, type Rows } from './matrix';
import { median, percentile } from './samples';
import { driftTest, StatTestError, type TestName } from './registry';

/**
 * Drift of an embedding as a whole, by the methods Evidently offers (legacy
 * embedding_drift_methods): a domain classifier (the default), the distance between the mean
 * vectors, the share of drifted components, or the maximum mean discrepancy — each optionally on
 * the first principal components of the reference.
 */
export type Distance = 'euclidean' | 'cosine' | 'cityblock' | 'chebyshev';

export type EmbeddingDriftMethod =
  | { method: 'model'; threshold?: number; bootstrap?: boolean; quantile?: number; pcaComponents?: number }
  | {
      method: 'distance';
      distance?: Distance;
      threshold?: number;
      bootstrap?: boolean;
      quantile?: number;
      pcaComponents?: number;
    }
  | {
      method: 'ratio';
      /** A test of numerical columns, run on each component. */
      componentTest?: TestName;
      componentThreshold?: number;
      threshold?: number;
      pcaComponents?: number;
    }
  | { method: 'mmd'; threshold?: number; bootstrap?: boolean; quantile?: number; pcaComponents?: number };

export type EmbeddingMethodName = EmbeddingDriftMethod['method'];

export interface EmbeddingDrift {
  method: EmbeddingMethodName;
  score: number;
  drifted: boolean;
  /** What the score was compared with: the fixed threshold, or the bootstrap percentile. */
  threshold: number;
  bootstrap: boolean;
  dimensions: number;
  referenceRows: number;
  currentRows: number;
}

/** Bootstraps below this many reference rows, as Evidently does by default. */
export const BOOTSTRAP_BELOW_ROWS = 1000;
const BOOTSTRAP_ROUNDS = 100;

export function defaultEmbeddingMethod(referenceRows: number): EmbeddingDriftMethod {
  return { method: 'model', bootstrap: referenceRows < BOOTSTRAP_BELOW_ROWS };
}

function distanceBetween(a: Float64Array, b: Float64Array, kind: Distance): number {
  let total = 0;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i += 1) {
    const gap = Math.abs(a[i]! - b[i]!);
    if (kind === 'euclidean') total += gap * gap;
    else if (kind === 'cityblock') total += gap;
    else if (kind === 'chebyshev') total = Math.max(total, gap);
    else {
      dot += a[i]! * b[i]!;
      normA += a[i]! * a[i]!;
      normB += b[i]! * b[i]!;
    }
  }
  if (kind === 'euclidean') return Math.sqrt(total);
  if (kind === 'cosine') return 1 - dot / Math.sqrt(normA * normB);
  return total;
}

function stacked(reference: Rows, current: Rows): Rows {
  const data = new Float64Array(reference.data.length + current.data.length);
  data.set(reference.data);
  data.set(current.data, reference.data.length);
  return { count: reference.count + current.count, dims: reference.dims, data };
}

function modelDrift(reference: Rows, current: Rows, options: Extract<EmbeddingDriftMethod, { method: 'model' }>) {
  const all = stacked(reference, current);
  const labels = Uint8Array.from({ length: all.count }, (_, i) => (i < reference.count ? 1 : 0));
  const { rocAuc, testLabels } = domainClassifierAuc(labels, () => ({
    kind: 'dense',
    count: all.count,
    dims: all.dims,
    data: all.data,
  }));
  const seeds = Int32Array.from({ length: BOOTSTRAP_ROUNDS }, (_, i) => i);
  const threshold = options.bootstrap
    ? randomAucPercentile(testLabels, options.quantile ?? 0.95, seeds)
    : (options.threshold ?? 0.55);
  return { score: rocAuc, drifted: rocAuc > threshold, threshold };
}

function meanDistanceDrift(
  reference: Rows,
  current: Rows,
  options: Extract<EmbeddingDriftMethod, { method: 'distance' }>,
) {
  const kind = options.distance ?? 'euclidean';
  const score = distanceBetween(columnMeans(reference), columnMeans(current), kind);
  if (!options.bootstrap) {
    const threshold = options.threshold ?? 0.2;
    return { score, drifted: score > threshold, threshold };
  }
  // How far apart the means of two samples drawn from the reference alone fall.
  const total = reference.count + current.count;
  const referenceSize = Math.floor((reference.count * reference.count) / total);
  const currentSize = Math.floor((current.count * reference.count) / total);
  const distances: number[] = [];
  for (let round = 0; round < BOOTSTRAP_ROUNDS; round += 1) {
    const random = new LegacyRandomState(round);
    const a = columnMeans(selectRows(reference, choiceWithReplacement(reference.count, referenceSize, random)));
    const b = columnMeans(selectRows(reference, choiceWithReplacement(reference.count, currentSize, random)));
    distances.push(distanceBetween(a, b, kind));
  }
  const threshold = percentile(distances, 100 * (options.quantile ?? 0.95));
  return { score, drifted: score > threshold, threshold };
}

function ratioDrift(reference: Rows, current: Rows, options: Extract<EmbeddingDriftMethod, { method: 'ratio' }>) {
  const test = driftTest(options.componentTest ?? 'wasserstein');
  // Evidently looks the component test up for numerical columns: one that does not take them is refused.
  if (!test.allowedTypes.includes('numerical'))
    throw new StatTestError(
      `${test.name} does not apply to embedding components, which are numerical (it takes ${test.allowedTypes.join(' or ')} columns)`,
    );
  const componentThreshold = options.componentThreshold ?? 0.1;
  let drifted = 0;
  for (let d = 0; d < reference.dims; d += 1) {
    const result = test.run(
      { kind: 'numbers', values: componentColumn(reference, d) },
      { kind: 'numbers', values: componentColumn(current, d) },
      'numerical',
      componentThreshold,
    );
    if (result.drifted) drifted += 1;
  }
  const threshold = options.threshold ?? 0.2;
  const score = drifted / reference.dims;
  return { score, drifted: score > threshold, threshold };
}

function squaredDistance(a: Rows, i: number, b: Rows, j: number): number {
  let sum = 0;
  const offsetA = i * a.dims;
  const offsetB = j * b.dims;
  for (let d = 0; d < a.dims; d += 1) sum += (a.data[offsetA + d]! - b.data[offsetB + d]!) ** 2;
  return sum;
}

/** At most `limit` rows, drawn as pandas' sample(random_state=0) draws them. */
function sampleRows(rows: Rows, limit: number): Rows {
  return selectRows(rows, pandasSample(rows.count, Math.min(rows.count, limit), 0));
}

/** Median pairwise distance, squared: the RBF kernel's bandwidth (the median heuristic). */
function medianSquaredDistance(a: Rows, b: Rows): number {
  const distances = new Float64Array(a.count * b.count);
  for (let i = 0; i < a.count; i += 1)
    for (let j = 0; j < b.count; j += 1) distances[i * b.count + j] = Math.sqrt(squaredDistance(a, i, b, j));
  return median(distances) ** 2;
}

/** Unbiased MMD² of x (indices into `pool`) against y, RBF kernel exp(−γ‖a−b‖²). */
function mmdSquared(pool: Rows, x: ArrayLike<number>, y: ArrayLike<number>, gamma: number): number {
  const kernelSum = (p: ArrayLike<number>, q: ArrayLike<number>, skipDiagonal: boolean) => {
    let sum = 0;
    for (let i = 0; i < p.length; i += 1) {
      for (let j = 0; j < q.length; j += 1) {
        if (skipDiagonal && i === j) continue;
        sum += Math.exp(-gamma * squaredDistance(pool, p[i]!, pool, q[j]!));
      }
    }
    return sum;
  };
  const m = x.length;
  const n = y.length;
  return (
    kernelSum(x, x, true) / (m * (m - 1)) +
    kernelSum(y, y, true) / (n * (n - 1)) -
    (2 * kernelSum(x, y, false)) / (m * n)
  );
}

function mmdDrift(reference: Rows, current: Rows, options: Extract<EmbeddingDriftMethod, { method: 'mmd' }>) {
  const sigma2 = medianSquaredDistance(sampleRows(reference, 1000), sampleRows(current, 1000));
  const all = stacked(reference, current);
  const x = Int32Array.from({ length: reference.count }, (_, i) => i);
  const y = Int32Array.from({ length: current.count }, (_, i) => reference.count + i);
  const mmd2 = mmdSquared(all, x, y, 1 / sigma2);
  if (!options.bootstrap) {
    const threshold = options.threshold ?? 0.015;
    return { score: Math.max(mmd2, 0), drifted: mmd2 > threshold, threshold };
  }
  const sample = sampleRows(reference, 1000);
  const gamma = 1 / medianSquaredDistance(sample, sample);
  const m = reference.count;
  const total = m + current.count;
  const xSize = Math.max(Math.floor((m * m) / total), 1);
  const ySize = Math.max(Math.floor((m * current.count) / total), 1);
  const values: number[] = [];
  for (let round = 0; round < BOOTSTRAP_ROUNDS; round += 1) {
    const random = new LegacyRandomState(round);
    const x = choiceWithReplacement(m, xSize, random);
    values.push(mmdSquared(reference, x, choiceWithReplacement(m, ySize, random), gamma));
  }
  const threshold = percentile(values, 100 * (options.quantile ?? 0.05));
  return { score: Math.max(mmd2, 0), drifted: mmd2 > threshold, threshold };
}

export function embeddingDrift(
  reference: Rows,
  current: Rows,
  method: EmbeddingDriftMethod = defaultEmbeddingMethod(reference.count),
): EmbeddingDrift {
  if (reference.dims !== current.dims)
    throw new Error(`the reference embedding has ${reference.dims} dimensions, the current ${current.dims}`);
  if (reference.count < 2 || current.count < 2) throw new Error('embedding drift needs at least two rows on each side');
  let ref = reference;
  let cur = current;
  if (method.pcaComponents) {
    const projected = projectOnReferencePca(reference, [current], method.pcaComponents);
    ref = projected.reference;
    cur = projected.others[0]!;
  }
  const outcome =
    method.method === 'model'
      ? modelDrift(ref, cur, method)
      : method.method === 'distance'
        ? meanDistanceDrift(ref, cur, method)
        : method.method === 'ratio'
          ? ratioDrift(ref, cur, method)
          : mmdDrift(ref, cur, method);
  return {
    method: method.method,
    ...outcome,
    bootstrap: 'bootstrap' in method ? Boolean(method.bootstrap) : false,
    dimensions: ref.dims,
    referenceRows: reference.count,
    currentRows: current.count,
  };
}
