import { createRequire } from 'node:module';
import { countAtMost, sortedNumbers } from './samples';

// The Kolmogorov distribution of @stdlib/stats-kstest (Marsaglia, Tsang & Wang's exact CDF of D_n).
// The package exports only the one-sample test, so its distribution module is loaded by path.
const requireStdlib = createRequire(__filename);
const kolmogorovCdf = requireStdlib('@stdlib/stats-kstest/lib/marsaglia.js') as (d: number, n: number) => number;

/** scipy's ks_2samp computes exact p-values while both samples are at most this large. */
const MAX_EXACT_SIZE = 10_000;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** The two-sided statistic: the largest distance between the two empirical CDFs. */
export function ksStatistic(sortedA: Float64Array, sortedB: Float64Array): number {
  let largest = 0;
  for (const sorted of [sortedA, sortedB]) {
    for (const x of sorted) {
      const gap = Math.abs(countAtMost(sortedA, x) / sortedA.length - countAtMost(sortedB, x) / sortedB.length);
      if (gap > largest) largest = gap;
    }
  }
  return largest;
}

/**
 * P(D_{n,n} ≥ h/n) for equal sample sizes: the alternating sum of ratios of binomial coefficients,
 * evaluated from the innermost term outwards so nothing cancels.
 */
function equalSizeTail(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k -= 1) {
    let term = 1;
    for (let j = 0; j < h; j += 1) term = ((n - k * h - j) * term) / (n + k * h + j + 1);
    p = term * (1 - p);
  }
  return 2 * p;
}

/**
 * P(D_{m,n} ≥ h/lcm) by counting lattice paths from (0,0) to (m,n) that leave the band
 * |x/m − y/n| < h/lcm (Hodges' inside method), carried as the complement probability column by
 * column (Viehmann's recursion) so small p-values keep their precision.
 */
function latticeTail(m: number, n: number, g: number, h: number): number {
  if (m < n) [m, n] = [n, m];
  const mg = m / g;
  const ng = n / g;
  let minJ = 0;
  let maxJ = Math.min(Math.ceil(h / mg), n + 1);
  let length = maxJ - minJ;
  const column = new Float64Array(Math.min(2 * maxJ + 2, n + 1)).fill(1);
  column.fill(0, minJ, maxJ);
  for (let i = 1; i <= m; i += 1) {
    const lastMinJ = minJ;
    const lastLength = length;
    minJ = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxJ = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxJ <= minJ) return 1;
    let value = minJ === 0 ? 0 : 1;
    for (let jj = 0; jj < maxJ - minJ; jj += 1) {
      const j = jj + minJ;
      value = (column[jj + minJ - lastMinJ]! * i + value * j) / (i + j);
      column[jj] = value;
    }
    length = maxJ - minJ;
    if (lastLength > length) column.fill(1, maxJ - minJ, maxJ - minJ + (lastLength - length));
  }
  return column[maxJ - minJ - 1]!;
}

export interface KsResult {
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymptotic';
}

/** Two-sample, two-sided Kolmogorov–Smirnov test with scipy's ks_2samp(method='auto') semantics. */
export function ksTwoSample(a: Float64Array, b: Float64Array): KsResult {
  const sortedA = sortedNumbers(a);
  const sortedB = sortedNumbers(b);
  const n1 = sortedA.length;
  const n2 = sortedB.length;
  if (n1 === 0 || n2 === 0) throw new Error('the Kolmogorov–Smirnov test needs values on both sides');
  let d = ksStatistic(sortedA, sortedB);
  if (Math.max(n1, n2) <= MAX_EXACT_SIZE) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = Math.round(d * lcm);
    d = h / lcm;
    if (h === 0) return { statistic: d, pValue: 1, method: 'exact' };
    const p = n1 === n2 ? equalSizeTail(n1, h) : latticeTail(n1, n2, g, h);
    if (Number.isFinite(p) && p >= 0 && p <= 1) return { statistic: d, pValue: p, method: 'exact' };
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const effective = Math.round((m * n) / (m + n));
  const p = 1 - kolmogorovCdf(d, effective);
  return { statistic: d, pValue: Math.min(1, Math.max(0, p)), method: 'asymptotic' };
}
