import type { ColumnType } from './column-types';
import { countDistinct, sampleSize, type Sample } from './samples';
import type { TestName } from './registry';

/** Up to this many reference rows, Evidently picks hypothesis tests; above it, distances. */
export const SMALL_REFERENCE_ROWS = 1000;

/**
 * Evidently's automatic choice of a test for a column (legacy `_get_default_stattest`):
 * text → domain classifier on the text; reference ≤ 1000 rows → K-S for numbers with more than
 * five values, chi-square (more than two values) or Z-test (two) otherwise; larger references →
 * normed Wasserstein for numbers with more than five values, Jensen–Shannon otherwise.
 *
 * "Values" and "rows" are those of the cleaned samples (`cleanSample`), as Evidently counts them:
 * the distinct values of reference and current together (`pd.concat([ref, cur]).nunique()`, so
 * a value only the current data holds counts too), and the reference's rows after cleaning.
 */
export function defaultTest(reference: Sample, current: Sample, type: ColumnType): TestName {
  const small = sampleSize(reference) <= SMALL_REFERENCE_ROWS;
  if (type === 'text') return small ? 'perc_text_content_drift' : 'abs_text_content_drift';
  // Only whether there are more than two, or more than five, distinct values matters.
  const distinct = countDistinct(6, reference, current);
  if (small) {
    if (type === 'numerical' && distinct > 5) return 'ks';
    return distinct > 2 ? 'chisquare' : 'z';
  }
  if (type === 'numerical' && distinct > 5) return 'wasserstein';
  return 'jensenshannon';
}
