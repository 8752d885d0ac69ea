import type { ColumnDrift } from '../drift/column-drift';
import { pandasSample } from '../drift/numpy-random';
import type { CsrMatrix } from '../embedding/linalg';
import { randomizedRightSingularVectors } from '../embedding/randomized-svd';
import { columnMeans, selectRows, type Rows } from '../drift/matrix';
import { cleanSample } from '../drift/samples';
import { column, type Table } from '../drift/table';

/** Data for one reference-vs-current chart: shares per bin (numbers) or per value (categories). */
export type Distribution =
  | { column: string; kind: 'histogram'; edges: number[]; reference: number[]; current: number[] }
  | { column: string; kind: 'bars'; categories: string[]; reference: number[]; current: number[] };

const HISTOGRAM_BINS = 20;
const MAX_CATEGORIES = 20;

const round = (value: number) => Number(value.toPrecision(4));

function histogram(name: string, reference: Float64Array, current: Float64Array): Distribution {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (const values of [reference, current]) {
    for (const value of values) {
      if (value < low) low = value;
      if (value > high) high = value;
    }
  }
  if (low === high) {
    low -= 0.5;
    high += 0.5;
  }
  const width = (high - low) / HISTOGRAM_BINS;
  const shares = (values: Float64Array) => {
    const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
    for (const value of values) counts[Math.min(HISTOGRAM_BINS - 1, Math.floor((value - low) / width))]! += 1;
    return counts.map((count) => round(count / values.length));
  };
  return {
    column: name,
    kind: 'histogram',
    edges: Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) => round(low + i * width)),
    reference: shares(reference),
    current: shares(current),
  };
}

function bars(name: string, reference: ArrayLike<string | number>, current: ArrayLike<string | number>): Distribution {
  const count = (values: ArrayLike<string | number>) => {
    const counts = new Map<string, number>();
    for (let i = 0; i < values.length; i += 1) counts.set(String(values[i]), (counts.get(String(values[i])) ?? 0) + 1);
    return counts;
  };
  const referenceCounts = count(reference);
  const currentCounts = count(current);
  const combined = new Map<string, number>();
  for (const counts of [referenceCounts, currentCounts])
    for (const [key, n] of counts) combined.set(key, (combined.get(key) ?? 0) + n);
  const ranked = [...combined.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([key]) => key);
  const shown = ranked.slice(0, MAX_CATEGORIES);
  const rest = ranked.slice(MAX_CATEGORIES);
  const shares = (counts: Map<string, number>, total: number) => {
    const out = shown.map((key) => round((counts.get(key) ?? 0) / total));
    if (rest.length > 0) out.push(round(rest.reduce((sum, key) => sum + (counts.get(key) ?? 0), 0) / total));
    return out;
  };
  return {
    column: name,
    kind: 'bars',
    categories: rest.length > 0 ? [...shown, `${rest.length} others`] : shown,
    reference: shares(referenceCounts, reference.length),
    current: shares(currentCounts, current.length),
  };
}

export function distributionOf(result: ColumnDrift, reference: Table, current: Table): Distribution | undefined {
  if (result.type === 'text') return undefined;
  const ref = cleanSample(column(reference, result.column));
  const cur = cleanSample(column(current, result.column));
  if (result.type === 'numerical' && ref.kind === 'numbers' && cur.kind === 'numbers')
    return histogram(result.column, ref.values, cur.values);
  return bars(result.column, ref.values as ArrayLike<string | number>, cur.values as ArrayLike<string | number>);
}

/** How far a column is from drifting, comparable across tests: score/threshold for distances, threshold/score for p-values. */
export function severity(result: ColumnDrift): number {
  if (result.scoreKind === 'p_value') return result.threshold / Math.max(result.score, 1e-300);
  return result.score / result.threshold;
}

/** Charts for the drifted columns and the `others` nearest to drifting. */
export function distributionsFor(
  results: readonly ColumnDrift[],
  reference: Table,
  current: Table,
  others: number,
): Distribution[] {
  const drifted = results.filter((result) => result.drifted);
  const nearest = results
    .filter((result) => !result.drifted)
    .sort((a, b) => severity(b) - severity(a))
    .slice(0, others);
  return [...drifted, ...nearest].flatMap((result) => distributionOf(result, reference, current) ?? []);
}

export interface Projection {
  reference: Array<[number, number]>;
  current: Array<[number, number]>;
}

const PROJECTION_POINTS = 1000;
const PCA_FIT_ROWS = 2000;

/** The reference sample, centred, as a (dense) CSR matrix for the randomized SVD. */
function centredCsr(rows: Rows, means: Float64Array): CsrMatrix {
  const values = new Float64Array(rows.count * rows.dims);
  for (let r = 0; r < rows.count; r += 1) {
    for (let d = 0; d < rows.dims; d += 1) values[r * rows.dims + d] = rows.data[r * rows.dims + d]! - means[d]!;
  }
  return {
    rows: rows.count,
    cols: rows.dims,
    indptr: Int32Array.from({ length: rows.count + 1 }, (_, r) => r * rows.dims),
    indices: Int32Array.from({ length: rows.count * rows.dims }, (_, i) => i % rows.dims),
    values,
  };
}

/**
 * The embeddings on the reference's first two principal components, up to 1,000 points a side.
 * The components come from the randomized SVD the embedder uses, on a sample of the reference:
 * a picture needs two directions, not the full covariance (which would cost seconds at 384 dims).
 */
export function projection(reference: Rows, current: Rows): Projection {
  const fitRows =
    reference.count > PCA_FIT_ROWS ? selectRows(reference, pandasSample(reference.count, PCA_FIT_ROWS, 0)) : reference;
  const means = columnMeans(fitRows);
  const { vectors } = randomizedRightSingularVectors(centredCsr(fitRows, means), { components: 2, seed: 0 });
  const k = vectors.cols;
  const points = (rows: Rows, seed: number) =>
    Array.from(pandasSample(rows.count, Math.min(PROJECTION_POINTS, rows.count), seed), (r): [number, number] => {
      const coordinates = [0, 0];
      for (let d = 0; d < rows.dims; d += 1) {
        const centred = rows.data[r * rows.dims + d]! - means[d]!;
        for (let c = 0; c < k; c += 1) coordinates[c]! += centred * vectors.data[d * k + c]!;
      }
      return [round(coordinates[0]!), round(coordinates[1]!)];
    });
  return { reference: points(reference, 1), current: points(current, 2) };
}
