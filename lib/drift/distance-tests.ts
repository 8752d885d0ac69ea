import type { ColumnType } from './column-types';
import { registerDriftTest, type DriftTest, type TestName } from './registry';
import { histogramCounts, populationStd, sortedNumbers, sturgesEdges, type Sample } from './samples';
import { binnedShares, finiteForBins, numbersOf, shares } from './shares';

/**
 * The distance tests of Evidently's registry: a score from 0 up, drift at or above the threshold
 * (0.1 by default) — normed Wasserstein for numerical columns, Jensen–Shannon, PSI,
 * Kullback–Leibler and Hellinger for numerical and categorical ones.
 */

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

/** A distance test: drift when the score is at or above the threshold. */
function distanceTest(
  name: TestName,
  displayName: string,
  allowedTypes: ColumnType[],
  score: (reference: Sample, current: Sample, type: ColumnType) => number,
): DriftTest {
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

for (const test of [wasserstein, jensenshannon, psi, klDiv, hellinger]) registerDriftTest(test);
