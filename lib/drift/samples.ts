import { isNumeric, type ColumnValues } from './table';

/** A column's values ready for a test. */
export type Sample = { kind: 'numbers'; values: Float64Array } | { kind: 'labels'; values: string[] };

/**
 * One side of a column cleaned as Evidently's legacy drift calculation cleans it
 * (`get_drift_for_columns` → `get_one_column_drift`): a side with missing values loses them and
 * its infinite values; a side without any keeps everything. pandas' `isna()` does not count ±inf
 * as missing, so on such a side infinities stay: they count as distinct values when the test is
 * chosen, count as rows, and go into the test.
 */
export function cleanSample(values: ColumnValues): Sample {
  if (isNumeric(values)) {
    if (!values.values.some(Number.isNaN)) return { kind: 'numbers', values: values.values.slice() };
    let kept = 0;
    const out = new Float64Array(values.values.length);
    for (const value of values.values) if (Number.isFinite(value)) out[kept++] = value;
    return { kind: 'numbers', values: out.slice(0, kept) };
  }
  return { kind: 'labels', values: values.values.filter((value): value is string => value !== null) };
}

export function sampleSize(sample: Sample): number {
  return sample.values.length;
}

export type Key = string | number;

export function keysOf(sample: Sample): Key[] {
  return Array.from(sample.values as ArrayLike<Key>);
}

/**
 * Distinct values of the samples together (pandas' `concat(...).nunique()`: ±inf count, -0 is 0),
 * counted up to `limit` (a column of 20,000 floats stops early).
 */
export function countDistinct(limit: number, ...samples: Sample[]): number {
  const seen = new Set<Key>();
  for (const sample of samples) {
    for (let i = 0; i < sample.values.length; i += 1) {
      seen.add(sample.values[i]!);
      if (seen.size >= limit) return limit;
    }
  }
  return seen.size;
}

export function valueCounts(values: ArrayLike<Key>): Map<Key, number> {
  const counts = new Map<Key, number>();
  for (let i = 0; i < values.length; i += 1) counts.set(values[i]!, (counts.get(values[i]!) ?? 0) + 1);
  return counts;
}

/** Distinct values of both samples, in first-seen order (reference first). */
export function unionKeys(reference: ArrayLike<Key>, current: ArrayLike<Key>): Key[] {
  const keys = new Set<Key>();
  for (let i = 0; i < reference.length; i += 1) keys.add(reference[i]!);
  for (let i = 0; i < current.length; i += 1) keys.add(current[i]!);
  return [...keys];
}

export function sortedNumbers(values: Float64Array): Float64Array {
  return Float64Array.from(values).sort();
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i += 1) sum += values[i]!;
  return sum / values.length;
}

/** Population standard deviation (ddof = 0), as numpy's std. */
export function populationStd(values: ArrayLike<number>): number {
  const center = mean(values);
  let squares = 0;
  for (let i = 0; i < values.length; i += 1) squares += (values[i]! - center) ** 2;
  return Math.sqrt(squares / values.length);
}

/** The q-th percentile (0–100) with linear interpolation between order statistics, as numpy's default. */
export function percentile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return Number.NaN;
  const position = ((sorted.length - 1) * q) / 100;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const weight = position - below;
  return sorted[below]! + (sorted[above]! - sorted[below]!) * weight;
}

export function median(values: ArrayLike<number>): number {
  return percentile(values, 50);
}

/** Number of sorted values ≤ x (searchsorted side='right'). */
export function countAtMost(sorted: Float64Array, x: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! <= x) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Number of sorted values < x (searchsorted side='left'). */
export function countBelow(sorted: Float64Array, x: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < x) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Bin edges by Sturges' rule over the data's range, as numpy's histogram_bin_edges(bins='sturges'):
 * width = range / (log2 n + 1), ceil(range / width) equal bins, edges from linspace.
 */
export function sturgesEdges(values: ArrayLike<number>): Float64Array {
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i += 1) {
    if (values[i]! < low) low = values[i]!;
    if (values[i]! > high) high = values[i]!;
  }
  const range = high - low;
  const width = range / (Math.log2(values.length) + 1);
  const bins = width ? Math.ceil(range / width) : 1;
  if (low === high) {
    low -= 0.5;
    high += 0.5;
  }
  return linspace(low, high, bins + 1);
}

/** numpy's linspace with the endpoint: start + i·step, the last edge exactly `stop`. */
export function linspace(start: number, stop: number, count: number): Float64Array {
  const edges = new Float64Array(count);
  const step = (stop - start) / (count - 1);
  for (let i = 0; i < count; i += 1) edges[i] = i * step + start;
  edges[count - 1] = stop;
  return edges;
}

/** Counts per bin [e_i, e_i+1), the last bin closed on the right, values outside ignored (numpy's histogram). */
export function histogramCounts(sorted: Float64Array, edges: Float64Array): Float64Array {
  const counts = new Float64Array(edges.length - 1);
  for (let b = 0; b < counts.length; b += 1) {
    const upper = b === counts.length - 1 ? countAtMost(sorted, edges[b + 1]!) : countBelow(sorted, edges[b + 1]!);
    counts[b] = upper - countBelow(sorted, edges[b]!);
  }
  return counts;
}
