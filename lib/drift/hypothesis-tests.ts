import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import gammainc from '@stdlib/math-base-special-gammainc';
import { ksTwoSample } from './ks';
import { registerDriftTest, type DriftTest } from './registry';
import { keysOf, unionKeys, type Key } from './samples';
import { counts, numbersOf } from './shares';

/**
 * The hypothesis tests of Evidently's registry: a p-value, drift below the threshold (0.05 by
 * default) — K-S for numerical columns, chi-square and the Z-test for categorical ones.
 */

const ks: DriftTest = {
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

const chisquare: DriftTest = {
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

const z: DriftTest = {
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

for (const test of [ks, chisquare, z]) registerDriftTest(test);
