import { join } from 'node:path';
import type { ColumnMapping, DataDriftOptions, EmbeddingDriftMethod } from '../../lib/drift';
import { choiceColumns } from './choice-columns';
import { generator, times, writeCsv, type Columns } from './columns';
import { embeddingColumns, embeddingMapping, MIXED_MAPPING, mixedColumns, titles } from './generated-columns';

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
