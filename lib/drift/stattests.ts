import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import gammainc from '@stdlib/math-base-special-gammainc';
import type { ColumnType } from './column-types';
import { ksTwoSample } from './ks';
import {
  countDistinct,
  histogramCounts,
  keysOf,
  populationStd,
  sortedNumbers,
  sturgesEdges,
  unionKeys,
  valueCounts,
  type Key,
  type Sample,
} from './samples';

/**
 * The statistical tests of Evidently's legacy registry, by the names Evidently gives them. A test
 * scores a reference and a current sample (missing values already dropped); p-value tests detect
 * drift below their threshold, distances at or above it.
 */
export type StatTestName = 'ks' | 'chisquare' | 'z' | 'wasserstein' | 'jensenshannon' | 'psi' | 'kl_div' | 'hellinger';

export interface StatTest {
  name: StatTestName;
  /** As Evidently's reports show it. */
  displayName: string;
  allowedTypes: ColumnType[];
  defaultThreshold: number;
  /** What the score is: a p-value (small means drift) or a distance (large means drift). */
  scoreKind: 'p_value' | 'distance';
  run(reference: Sample, current: Sample, type: ColumnType, threshold: number): { score: number; drifted: boolean };
}

export class StatTestError extends Error {
  override readonly name = 'StatTestError';
  readonly permanent = true;
}

function numbersOf(sample: Sample, test: string): Float64Array {
  if (sample.kind !== 'numbers') throw new StatTestError(`${test} needs numerical values`);
  return sample.values;
}

/** Counts of each distinct value of either sample, in one key order for both. */
function counts(reference: Sample, current: Sample): { keys: Key[]; reference: Float64Array; current: Float64Array } {
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
function shares(reference: Sample, current: Sample): { keys: Key[]; reference: Float64Array; current: Float64Array } {
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
function finiteForBins(values: Float64Array): Float64Array {
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

/** x·ln(x/y) with scipy's rel_entr conventions. */
function relativeEntropy(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Number.POSITIVE_INFINITY;
}

function normalized(values: Float64Array): Float64Array {
  let total = 0;
  for (const value of values) total += value;
  return values.map((value) => value / total);
}

/** scipy.spatial.distance.jensenshannon with the natural logarithm. */
export function jensenShannonDistance(p: Float64Array, q: Float64Array): number {
  const pn = normalized(p);
  const qn = normalized(q);
  let left = 0;
  let right = 0;
  for (let i = 0; i < pn.length; i += 1) {
    const middle = (pn[i]! + qn[i]!) / 2;
    left += relativeEntropy(pn[i]!, middle);
    right += relativeEntropy(qn[i]!, middle);
  }
  return Math.sqrt((left + right) / 2);
}

/**
 * First Wasserstein distance between two samples: the area between their empirical CDFs. With
 * infinite values, as scipy: one +inf or -inf makes the area infinite; the same infinity twice
 * (a step of ∞ − ∞ between them) makes it NaN.
 */
export function wassersteinDistance(a: Float64Array, b: Float64Array): number {
  let positive = 0;
  let negative = 0;
  for (const values of [a, b]) {
    for (const value of values) {
      if (value === Number.POSITIVE_INFINITY) positive += 1;
      else if (value === Number.NEGATIVE_INFINITY) negative += 1;
    }
  }
  if (positive > 1 || negative > 1) return Number.NaN;
  if (positive + negative > 0) return Number.POSITIVE_INFINITY;
  const sortedA = sortedNumbers(a);
  const sortedB = sortedNumbers(b);
  // Walk the merged order of both samples; between consecutive values both CDFs are constant.
  let area = 0;
  let i = 0;
  let j = 0;
  let previous = Math.min(sortedA[0]!, sortedB[0]!);
  while (i < sortedA.length || j < sortedB.length) {
    const x = j >= sortedB.length || (i < sortedA.length && sortedA[i]! <= sortedB[j]!) ? sortedA[i]! : sortedB[j]!;
    area += Math.abs(i / sortedA.length - j / sortedB.length) * (x - previous);
    while (i < sortedA.length && sortedA[i]! <= x) i += 1;
    while (j < sortedB.length && sortedB[j]! <= x) j += 1;
    previous = x;
  }
  return area;
}

/** The distance tests: a score from 0 up, drift at or above the threshold (0.1 by default). */
function distanceTest(
  name: StatTestName,
  displayName: string,
  allowedTypes: ColumnType[],
  score: (reference: Sample, current: Sample, type: ColumnType) => number,
): StatTest {
  return {
    name,
    displayName,
    allowedTypes,
    defaultThreshold: 0.1,
    scoreKind: 'distance',
    run(reference, current, type, threshold) {
      const value = score(reference, current, type);
      return { score: value, drifted: value >= threshold };
    },
  };
}

const ks: StatTest = {
  name: 'ks',
  displayName: 'K-S p_value',
  allowedTypes: ['numerical'],
  defaultThreshold: 0.05,
  scoreKind: 'p_value',
  run(reference, current, _type, threshold) {
    const { pValue } = ksTwoSample(numbersOf(reference, 'ks'), numbersOf(current, 'ks'));
    return { score: pValue, drifted: pValue <= threshold };
  },
};

const chisquare: StatTest = {
  name: 'chisquare',
  displayName: 'chi-square p_value',
  allowedTypes: ['categorical'],
  defaultThreshold: 0.05,
  scoreKind: 'p_value',
  run(reference, current, _type, threshold) {
    const counted = counts(reference, current);
    const scale = current.values.length / reference.values.length;
    let statistic = 0;
    counted.reference.forEach((count, k) => {
      const expected = count * scale;
      statistic += (counted.current[k]! - expected) ** 2 / expected;
    });
    const degrees = counted.keys.length - 1;
    // A value the reference never had expects zero: an infinite statistic, p = 0 (as scipy).
    const pValue =
      degrees <= 0 || Number.isNaN(statistic)
        ? Number.NaN
        : statistic === Number.POSITIVE_INFINITY
          ? 0
          : gammainc(statistic / 2, degrees / 2, true, true);
    return { score: pValue, drifted: pValue < threshold };
  },
};

const z: StatTest = {
  name: 'z',
  displayName: 'Z-test p_value',
  allowedTypes: ['categorical'],
  defaultThreshold: 0.05,
  scoreKind: 'p_value',
  run(reference, current, _type, threshold) {
    const referenceKeys = keysOf(reference);
    const currentKeys = keysOf(current);
    const referenceDistinct = new Set(referenceKeys);
    const currentDistinct = new Set(currentKeys);
    let pValue: number;
    if (referenceDistinct.size === 1 && currentDistinct.size === 1 && referenceKeys[0] === currentKeys[0]) {
      pValue = 1;
    } else {
      // Proportion of "not the first value" on each side; which value comes first does not change a two-sided p.
      const first = unionKeys(referenceKeys, currentKeys).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[0];
      const share = (keys: Key[]) => keys.filter((key) => key !== first).length / keys.length;
      const n1 = referenceKeys.length;
      const n2 = currentKeys.length;
      const p1 = share(referenceKeys);
      const p2 = share(currentKeys);
      const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
      const statistic = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
      pValue = 2 * (1 - normalCdf(Math.abs(statistic), 0, 1));
    }
    return { score: pValue, drifted: pValue < threshold };
  },
};

const wasserstein = distanceTest(
  'wasserstein',
  'Wasserstein distance (normed)',
  ['numerical'],
  (reference, current) => {
    const referenceValues = numbersOf(reference, 'wasserstein');
    const norm = Math.max(populationStd(referenceValues), 0.001);
    return wassersteinDistance(referenceValues, numbersOf(current, 'wasserstein')) / norm;
  },
);

const jensenshannon = distanceTest(
  'jensenshannon',
  'Jensen-Shannon distance',
  ['categorical', 'numerical'],
  (reference, current, type) => {
    const binned = binnedShares(reference, current, type, false);
    return jensenShannonDistance(binned.reference, binned.current);
  },
);

const psi = distanceTest('psi', 'PSI', ['categorical', 'numerical'], (reference, current, type) => {
  const binned = binnedShares(reference, current, type, true);
  let score = 0;
  binned.reference.forEach((r, i) => {
    const c = binned.current[i]!;
    score += (r - c) * Math.log(r / c);
  });
  return score;
});

const klDiv = distanceTest(
  'kl_div',
  'Kullback-Leibler divergence',
  ['categorical', 'numerical'],
  (reference, current, type) => {
    const binned = binnedShares(reference, current, type, true);
    const p = normalized(binned.reference);
    const q = normalized(binned.current);
    let score = 0;
    p.forEach((value, i) => (score += relativeEntropy(value, q[i]!)));
    return score;
  },
);

const hellinger = distanceTest(
  'hellinger',
  'Hellinger distance',
  ['categorical', 'numerical'],
  (reference, current, type) => {
    let overlap = 0;
    if (type === 'categorical') {
      const { reference: p, current: q } = shares(reference, current);
      p.forEach((value, i) => (overlap += Math.sqrt(value * q[i]!)));
    } else {
      // Densities over Sturges bins of the distinct values, weighted by the bin width.
      const referenceValues = numbersOf(reference, 'hellinger');
      const currentValues = numbersOf(current, 'hellinger');
      const edges = sturgesEdges(finiteForBins(Float64Array.from(new Set([...referenceValues, ...currentValues]))));
      const width = (edges[edges.length - 1]! - edges[0]!) / (edges.length - 1);
      const density = (values: Float64Array) => {
        const counts = histogramCounts(sortedNumbers(values), edges);
        let total = 0;
        for (const count of counts) total += count;
        return counts.map((count, b) => count / total / (edges[b + 1]! - edges[b]!));
      };
      const p = density(referenceValues);
      const q = density(currentValues);
      p.forEach((value, i) => (overlap += Math.sqrt(value * q[i]!) * width));
    }
    return Math.sqrt(1 - Math.min(1, Math.max(0, overlap)));
  },
);

export const STAT_TESTS: Readonly<Record<StatTestName, StatTest>> = {
  ks,
  chisquare,
  z,
  wasserstein,
  jensenshannon,
  psi,
  kl_div: klDiv,
  hellinger,
};

const BY_NAME: ReadonlyMap<string, StatTest> = new Map(Object.entries(STAT_TESTS));

/** The statistical test of this registry name, if there is one (`toString` is none). */
export function findStatTest(name: string): StatTest | undefined {
  return BY_NAME.get(name);
}

export function statTest(name: string): StatTest {
  const test = findStatTest(name);
  if (!test) throw new StatTestError(`unknown drift test "${name}": use one of ${[...BY_NAME.keys()].join(', ')}`);
  return test;
}
