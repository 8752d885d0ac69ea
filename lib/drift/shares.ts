import type { ColumnType } from './column-types';
import { StatTestError } from './registry';
import {
  countDistinct,
  histogramCounts,
  keysOf,
  sortedNumbers,
  sturgesEdges,
  unionKeys,
  valueCounts,
  type Key,
  type Sample,
} from './samples';

/**
 * What the statistical tests compare: the numbers of a sample, and the counts or shares of each
 * value (or histogram bin) of a reference and a current sample, as Evidently computes them.
 */

/** The numbers of a sample, for a test that takes only numbers. */
export function numbersOf(sample: Sample, test: string): Float64Array {
  if (sample.kind !== 'numbers') throw new StatTestError(`${test} needs numerical values`);
  return sample.values;
}

/** Counts of each distinct value of either sample, in one key order for both. */
export function counts(
  reference: Sample,
  current: Sample,
): { keys: Key[]; reference: Float64Array; current: Float64Array } {
  const referenceCounts = valueCounts(keysOf(reference));
  const currentCounts = valueCounts(keysOf(current));
  const keys = unionKeys(keysOf(reference), keysOf(current));
  return {
    keys,
    reference: Float64Array.from(keys, (key) => referenceCounts.get(key) ?? 0),
    current: Float64Array.from(keys, (key) => currentCounts.get(key) ?? 0),
  };
}

/** Shares of each distinct value (in one key order for both samples). */
export function shares(
  reference: Sample,
  current: Sample,
): { keys: Key[]; reference: Float64Array; current: Float64Array } {
  const counted = counts(reference, current);
  return {
    keys: counted.keys,
    reference: counted.reference.map((count) => count / reference.values.length),
    current: counted.current.map((count) => count / current.values.length),
  };
}

/** Replaces empty bins by a small share, so logarithms stay finite (Evidently's "feel zeroes"). */
function fillZeroes(percents: Float64Array): void {
  let smallest = Number.POSITIVE_INFINITY;
  for (const value of percents) if (value !== 0 && value < smallest) smallest = value;
  const fill = smallest <= 0.0001 ? smallest / 10 ** 6 : 0.0001;
  for (let i = 0; i < percents.length; i += 1) if (percents[i] === 0) percents[i] = fill;
}

/** numpy's histogram bins refuse an infinite range, and Evidently fails with them: so do we, saying why. */
export function finiteForBins(values: Float64Array): Float64Array {
  for (const value of values) {
    if (!Number.isFinite(value))
      throw new StatTestError(
        'infinite values cannot be cut into histogram bins (Evidently fails on them too): remove them, or choose a test that does not bin',
      );
  }
  return values;
}

/**
 * Evidently's get_binned_data: numerical columns with more than 20 distinct reference values are
 * cut into Sturges bins over reference and current together; other columns are shares per value.
 */
export function binnedShares(
  reference: Sample,
  current: Sample,
  type: ColumnType,
  fillEmpty: boolean,
): { reference: Float64Array; current: Float64Array } {
  let result: { reference: Float64Array; current: Float64Array };
  if (
    type === 'numerical' &&
    reference.kind === 'numbers' &&
    current.kind === 'numbers' &&
    countDistinct(21, reference) > 20
  ) {
    const combined = new Float64Array(reference.values.length + current.values.length);
    combined.set(reference.values);
    combined.set(current.values, reference.values.length);
    const edges = sturgesEdges(finiteForBins(combined));
    const referenceCounts = histogramCounts(sortedNumbers(reference.values), edges);
    const currentCounts = histogramCounts(sortedNumbers(current.values), edges);
    result = {
      reference: referenceCounts.map((count) => count / reference.values.length),
      current: currentCounts.map((count) => count / current.values.length),
    };
  } else {
    result = shares(reference, current);
  }
  if (fillEmpty) {
    fillZeroes(result.reference);
    fillZeroes(result.current);
  }
  return result;
}
