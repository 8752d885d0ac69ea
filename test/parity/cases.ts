import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../../lib/embedding/linalg';
import type { ColumnMapping, DataDriftOptions, EmbeddingDriftMethod } from '../../lib/drift';
import { sampleLines } from '../support/papers';

/** A column of values as written to CSV: numbers, strings, or missing (null → empty field). */
type Values = Array<number | string | null>;
export type Columns = Record<string, Values>;

export interface ParityCase {
  name: string;
  reference: string;
  current: string;
  mapping: ColumnMapping & { embeddings?: Record<string, string[]> };
  options?: DataDriftOptions;
  /** Let the report pick the embedding method itself (checks the default choice). */
  embeddingsViaReport?: boolean;
  embeddingMethods?: Array<EmbeddingDriftMethod & { embedding: string }>;
  /**
   * No feature lists: as `mlops run monitor` maps a user's two CSVs, every column is tested with
   * the type Evidently's inference gives it on the current data.
   */
  inferTypes?: boolean;
}

function generator(seed: number) {
  const uniform = seededRandom(seed);
  const normal = (mean = 0, sd = 1) => {
    const u = Math.max(uniform(), Number.MIN_VALUE);
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  const choice = <T>(items: readonly T[], weights: readonly number[]) => {
    const total = weights.reduce((a, b) => a + b, 0);
    let r = uniform() * total;
    for (let i = 0; i < items.length; i += 1) {
      r -= weights[i]!;
      if (r < 0) return items[i]!;
    }
    return items[items.length - 1]!;
  };
  return { uniform, normal, choice };
}

function field(value: number | string | null): string {
  if (value === null || (typeof value === 'number' && Number.isNaN(value))) return '';
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  if (typeof value === 'number') return String(value);
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function writeCsv(path: string, columns: Columns): string {
  const names = Object.keys(columns);
  const rows = columns[names[0]!]!.length;
  const lines = [names.join(',')];
  for (let r = 0; r < rows; r += 1) lines.push(names.map((name) => field(columns[name]![r]!)).join(','));
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

/** Mixed columns; `shift` 0 draws reference and current from one distribution. */
export function mixedColumns(rows: number, seed: number, shift: number): Columns {
  const g = generator(seed);
  const labels = ['alpha', 'beta', 'gamma'];
  const label = times(rows, () => g.choice(labels, [1, 1, 1 + shift * 2]));
  return {
    label,
    prediction: label.map((truth) => (g.uniform() < 0.8 - shift * 0.3 ? truth : g.choice(labels, [1, 1, 1]))),
    num_shift: times(rows, () => g.normal(shift * 0.5, 1)),
    num_same: times(rows, () => g.normal(3, 2)),
    num_scale: times(rows, () => g.normal(0, 1 + shift * 0.6)),
    num_skewed: times(rows, () => Math.exp(g.normal(shift * 0.2, 0.7))),
    num_gaps: times(rows, (i) =>
      i % 23 === 5 ? Number.NaN : i % 97 === 13 ? Number.POSITIVE_INFINITY : g.normal(shift, 1),
    ),
    few_values: times(rows, () => g.choice([0, 1, 2, 3, 4], [5, 4, 3, 2 + shift * 3, 1])),
    binary_num: times(rows, () => (g.uniform() < 0.3 + shift * 0.15 ? 1 : 0)),
    cat3: times(rows, () => g.choice(['red', 'green', 'blue'], [3, 2, 1 + shift * 2])),
    cat_binary: times(rows, () => (g.uniform() < 0.5 + shift * 0.1 ? 'yes' : 'no')),
    cat_many: times(rows, () =>
      g.choice(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'], [8, 7, 6, 5, 4, 3, 2 + shift * 4, 1]),
    ),
    cat_new_value: times(rows, (i) => (shift > 0 && i % 40 === 0 ? 'unseen' : g.choice(['p', 'q', 'r'], [2, 1, 1]))),
  };
}

export const MIXED_MAPPING: ColumnMapping = {
  target: 'label',
  prediction: 'prediction',
  numerical: ['num_shift', 'num_same', 'num_scale', 'num_skewed', 'num_gaps', 'few_values', 'binary_num'],
  categorical: ['cat3', 'cat_binary', 'cat_many', 'cat_new_value'],
};

function embeddingColumns(rows: number, dims: number, seed: number, shift: number): Columns {
  const g = generator(seed);
  const columns: Columns = {};
  const data = times(rows, () => times(dims, (d) => g.normal(d < dims / 3 ? shift : 0, 1 + (d % 3) * 0.2)));
  for (let d = 0; d < dims; d += 1) columns[`emb_${d}`] = data.map((row) => row[d]!);
  columns.prediction = times(rows, () => g.choice(['x', 'y', 'z'], [2, 1, 1 + shift]));
  return columns;
}

function embeddingMapping(dims: number): ParityCase['mapping'] {
  const names = times(dims, (d) => `emb_${d}`);
  return { prediction: 'prediction', numerical: names, embeddings: { emb: names } };
}

function titles(category: string, count: number, skip = 0): string[] {
  return sampleLines(5_000)
    .map((line) => JSON.parse(line) as { title: string; primary_category: string })
    .filter((paper) => paper.primary_category === category)
    .slice(skip, skip + count)
    .map((paper) => paper.title.replace(/\s+/g, ' ').trim());
}

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

const range = (from: number, to: number) => times(to - from, (i) => from + i);

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

function choiceColumns(rows: number, seed: number, side: 'reference' | 'current', only?: readonly string[]): Columns {
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

/** Every parity case, its CSVs written under `dir`. */
export function buildParityCases(dir: string): { cases: ParityCase[]; inference: string[] } {
  const csv = (name: string, columns: Columns) => writeCsv(join(dir, `${name}.csv`), columns);
  const cases: ParityCase[] = [];
  const pair = (
    name: string,
    reference: Columns,
    current: Columns,
    rest: Omit<ParityCase, 'name' | 'reference' | 'current'>,
  ) =>
    cases.push({
      name,
      reference: csv(`${name}-reference`, reference),
      current: csv(`${name}-current`, current),
      ...rest,
    });

  // Small reference (≤ 1000 rows): K-S, chi-square and Z-tests.
  pair('small-drifted', mixedColumns(400, 1, 0), mixedColumns(500, 2, 1), { mapping: MIXED_MAPPING });
  pair('small-stable', mixedColumns(400, 3, 0), mixedColumns(450, 4, 0), { mapping: MIXED_MAPPING });
  pair('small-equal-sizes', mixedColumns(300, 5, 0), mixedColumns(300, 6, 0.4), { mapping: MIXED_MAPPING });
  // Large reference: normed Wasserstein and Jensen–Shannon.
  pair('large-drifted', mixedColumns(3_000, 7, 0), mixedColumns(2_000, 8, 1), { mapping: MIXED_MAPPING });
  pair('large-stable', mixedColumns(2_500, 9, 0), mixedColumns(2_200, 10, 0), { mapping: MIXED_MAPPING });
  pair('large-slight', mixedColumns(1_200, 11, 0), mixedColumns(1_500, 12, 0.25), {
    mapping: MIXED_MAPPING,
    options: { driftShare: 0.3 },
  });
  // Tests and thresholds chosen per type, per column and for all columns.
  pair('overrides', mixedColumns(1_500, 13, 0), mixedColumns(1_300, 14, 0.5), {
    mapping: MIXED_MAPPING,
    options: {
      numericalTest: 'psi',
      perColumnTest: {
        num_same: 'kl_div',
        num_skewed: 'hellinger',
        cat_many: 'hellinger',
        num_scale: 'ks',
        cat3: 'chisquare',
        few_values: 'jensenshannon',
      },
      categoricalThreshold: 0.2,
      perColumnThreshold: { num_shift: 0.05, num_scale: 0.01 },
      driftShare: 0.4,
    },
  });
  pair('overrides-global', mixedColumns(600, 15, 0), mixedColumns(700, 16, 0.6), {
    mapping: {
      ...MIXED_MAPPING,
      numerical: MIXED_MAPPING.numerical!.filter((name) => name !== 'binary_num' && name !== 'few_values'),
    },
    options: { test: 'psi', threshold: 0.15 },
  });

  // Embeddings: the default method as the report picks it, and each method explicitly.
  const every = (methods: EmbeddingDriftMethod[]) => methods.map((method) => ({ ...method, embedding: 'emb' }));
  pair('embeddings-small-drifted', embeddingColumns(300, 12, 17, 0), embeddingColumns(320, 12, 18, 0.6), {
    mapping: embeddingMapping(12),
    embeddingsViaReport: true,
    embeddingMethods: every([
      { method: 'distance' },
      { method: 'distance', distance: 'cosine' },
      { method: 'distance', bootstrap: true },
      { method: 'ratio' },
      { method: 'mmd' },
      { method: 'mmd', bootstrap: true },
      { method: 'model', pcaComponents: 4 },
      { method: 'distance', pcaComponents: 5 },
    ]),
  });
  pair('embeddings-small-stable', embeddingColumns(350, 12, 19, 0), embeddingColumns(300, 12, 20, 0), {
    mapping: embeddingMapping(12),
    embeddingsViaReport: true,
    embeddingMethods: every([
      { method: 'distance' },
      { method: 'distance', bootstrap: true },
      { method: 'ratio' },
      { method: 'mmd' },
    ]),
  });
  pair('embeddings-large-drifted', embeddingColumns(1_500, 24, 21, 0), embeddingColumns(1_200, 24, 22, 0.3), {
    mapping: embeddingMapping(24),
    embeddingsViaReport: true,
    embeddingMethods: every([
      { method: 'distance', distance: 'cityblock' },
      { method: 'ratio', componentTest: 'jensenshannon' },
      { method: 'mmd' },
    ]),
  });
  pair('embeddings-large-stable', embeddingColumns(1_400, 24, 23, 0), embeddingColumns(1_100, 24, 24, 0), {
    mapping: embeddingMapping(24),
    embeddingsViaReport: true,
    embeddingMethods: every([
      { method: 'distance', distance: 'chebyshev' },
      { method: 'ratio' },
      { method: 'model', pcaComponents: 6 },
    ]),
  });

  // Text: real arXiv titles; the domain classifier tells computational linguistics from numerical analysis.
  pair(
    'text-drifted',
    { title: titles('cs.CL', 300) },
    { title: titles('math.NA', 300) },
    { mapping: { text: ['title'] } },
  );
  pair(
    'text-stable',
    { title: titles('cs.CL', 250) },
    { title: titles('cs.CL', 250, 250) },
    { mapping: { text: ['title'] } },
  );

  // The test Evidently picks by the number of distinct values, with column types left to inference.
  const choice = (name: string, rows: [number, number], seeds: [number, number], only?: readonly string[]) =>
    pair(name, choiceColumns(rows[0], seeds[0], 'reference', only), choiceColumns(rows[1], seeds[1], 'current', only), {
      mapping: {},
      inferTypes: true,
    });
  choice('choice-small', [400, 350], [31, 32]);
  choice('choice-large', [1_500, 1_200], [33, 34]);
  // 1001 reference rows: large, unless missing values leave 1000 (missing values are dropped before counting rows).
  choice(
    'choice-boundary',
    [1_001, 600],
    [35, 36],
    ['f_5_5_6', 'n1_5_5_6', 'f_2_2_3', 'n1_2_2_3', 'i_5_5_5_inf_reference', 'c_2_2_3'],
  );

  const g = generator(25);
  const inference = [
    csv('inference', {
      float_col: times(200, () => g.normal()),
      float_with_gaps: times(200, (i) => (i % 10 === 0 ? null : i)),
      int_few: times(200, (i) => i % 7),
      int_many: times(200, (i) => i * 3),
      string_categories: times(200, (i) => ['a', 'b', 'c'][i % 3]!),
      string_text: times(200, (i) => `note number ${i}`),
      string_half_distinct: times(200, (i) => `k${i % 100}`),
      booleans: times(200, (i) => (i % 3 === 0 ? 'True' : 'False')),
      // Around the integer cardinality limit (ten), and integers that pandas reads as floats.
      int_ten: times(200, (i) => i % 10),
      int_eleven: times(200, (i) => i % 11),
      int_constant: times(200, () => 5),
      int_as_float: times(200, (i) => (i % 3).toFixed(1)),
      int_few_with_gaps: times(200, (i) => (i % 9 === 4 ? null : i % 3)),
      float_with_infinity: times(200, (i) => (i === 7 ? Number.POSITIVE_INFINITY : i % 4)),
    }),
  ];
  return { cases, inference };
}
