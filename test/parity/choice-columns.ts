/** The columns of the test-choice cases, whose types are left to Evidently's inference. */
import { generator, range, times, type Columns } from './columns';

/**
 * A column of the test-choice cases: values drawn from small sets of integers, so the number of
 * distinct values in the reference, the current data and both together sits at the thresholds
 * that pick the test (2 and 5); some sides with missing values, some with infinite ones.
 */
interface ChoiceColumn {
  reference: readonly number[];
  current: readonly number[];
  /** Written as 1.0, 2.0 … so pandas reads floats (numerical) rather than integers (categorical up to ten values). */
  float?: boolean;
  /** Sides with missing values, every `missingEvery`th row (20). */
  missing?: 'reference' | 'current' | 'both';
  missingEvery?: number;
  /** Infinite values written into a side, one row each. */
  infinite?: { reference?: readonly number[]; current?: readonly number[] };
  /** Strings instead of numbers (`v0`, `v1` …). */
  strings?: boolean;
}

/** Column names say reference / current / union counts of distinct finite values. */
const CHOICE_COLUMNS: Readonly<Record<string, ChoiceColumn>> = {
  // Integer-valued floats: numerical columns, K-S or Wasserstein above five values in both samples together.
  f_1_1_1_constant: { reference: [3], current: [3], float: true },
  f_1_1_2: { reference: [0], current: [1], float: true },
  f_2_2_2: { reference: [0, 1], current: [0, 1], float: true },
  f_2_2_3: { reference: [0, 1], current: [1, 2], float: true },
  f_2_1_3: { reference: [0, 1], current: [2], float: true },
  f_3_3_3: { reference: [0, 1, 2], current: [0, 1, 2], float: true },
  f_3_3_5: { reference: [0, 1, 2], current: [2, 3, 4], float: true },
  f_2_3_5: { reference: [0, 1], current: [2, 3, 4], float: true },
  f_5_5_5: { reference: range(0, 5), current: range(0, 5), float: true },
  f_5_5_6: { reference: range(0, 5), current: range(1, 6), float: true },
  f_5_1_6: { reference: range(0, 5), current: [5], float: true },
  f_1_5_6: { reference: [9], current: range(0, 5), float: true },
  f_3_3_6: { reference: [0, 1, 2], current: [3, 4, 5], float: true },
  f_6_6_6: { reference: range(0, 6), current: range(0, 6), float: true },
  f_6_6_7: { reference: range(0, 6), current: range(1, 7), float: true },
  // Integers with gaps: pandas reads them as floats; missing values are never counted.
  n_1_1_1_constant: { reference: [2], current: [2], missing: 'both' },
  n_2_2_3: { reference: [0, 1], current: [1, 2], missing: 'both' },
  n_5_5_6: { reference: range(0, 5), current: range(1, 6), missing: 'reference' },
  n_5_1_6: { reference: range(0, 5), current: [7], missing: 'current' },
  n_3_3_5: { reference: [0, 1, 2], current: [2, 3, 4], missing: 'current' },
  // One missing value in 1000 rows: a reference of 1001 rows counts 1000, small.
  n1_5_5_6: { reference: range(0, 5), current: range(1, 6), float: true, missing: 'reference', missingEvery: 1_000 },
  n1_2_2_3: { reference: [0, 1], current: [1, 2], float: true, missing: 'reference', missingEvery: 1_000 },
  // Infinite values: dropped with the missing ones of a side that has any, otherwise kept — and counted.
  i_5_5_5_inf_current: { reference: range(0, 5), current: range(0, 5), float: true, infinite: { current: [Infinity] } },
  i_5_5_5_infs_current: {
    reference: range(0, 5),
    current: range(0, 5),
    float: true,
    infinite: { current: [Infinity, Infinity, -Infinity] },
  },
  i_5_5_5_infs_current_gaps: {
    reference: range(0, 5),
    current: range(0, 5),
    missing: 'current',
    infinite: { current: [Infinity, -Infinity] },
  },
  i_5_5_5_inf_reference: {
    reference: range(0, 5),
    current: range(0, 5),
    float: true,
    infinite: { reference: [-Infinity] },
  },
  i_2_2_2_inf_current: { reference: [0, 1], current: [0, 1], float: true, infinite: { current: [Infinity] } },
  i_1_1_1_inf_both: {
    reference: [4],
    current: [4],
    float: true,
    infinite: { reference: [Infinity], current: [-Infinity] },
  },
  i_6_6_6_inf_current: { reference: range(0, 6), current: range(0, 6), float: true, infinite: { current: [Infinity] } },
  // Integers: categorical up to ten distinct current values; chi-square above two values in both samples together.
  c_1_1_1_constant: { reference: [4], current: [4] },
  c_1_2_2: { reference: [7], current: [7, 8] },
  c_2_2_2: { reference: [0, 1], current: [0, 1] },
  c_2_2_3: { reference: [0, 1], current: [1, 2] },
  c_2_1_3: { reference: [0, 1], current: [2] },
  c_5_5_6: { reference: range(0, 5), current: range(1, 6) },
  c_12_10_12: { reference: range(0, 12), current: range(0, 10) },
  // Eleven distinct current values: numerical, whatever the reference holds.
  c_8_11_11: { reference: range(0, 8), current: range(0, 11) },
  s_2_2_3: { reference: [0, 1], current: [1, 2], strings: true },
  s_1_2_2: { reference: [0], current: [0, 1], strings: true },
};

export function choiceColumns(
  rows: number,
  seed: number,
  side: 'reference' | 'current',
  only?: readonly string[],
): Columns {
  const g = generator(seed);
  const columns: Columns = {};
  for (const [name, spec] of Object.entries(CHOICE_COLUMNS)) {
    if (only && !only.includes(name)) continue;
    const set = spec[side];
    const gaps = spec.missing === side || spec.missing === 'both';
    const infinite = spec.infinite?.[side] ?? [];
    columns[name] = times(rows, (i) => {
      // Every value of the set appears (the first rows), then random draws.
      const value = i < set.length ? set[i]! : set[Math.floor(g.uniform() * set.length)]!;
      if (i >= set.length && i - set.length < infinite.length) return infinite[i - set.length]!;
      const every = spec.missingEvery ?? 20;
      if (gaps && i % every === every - 1) return null;
      if (spec.strings) return `v${value}`;
      return spec.float ? value.toFixed(1) : value;
    });
  }
  return columns;
}
