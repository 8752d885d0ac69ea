import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../../lib/embedding/linalg';
import type { ColumnMapping, DataDriftOptions, EmbeddingDriftMethod } from '../../lib/drift';
import { sampleLines } from '../support/papers';

/** A column of values as written to CSV: numbers, strings, or missing (null → empty field). */
type Values = Array<number | string | null>;
type Columns = Record<string, Values>;

export interface ParityCase {
  name: string;
  reference: string;
  current: string;
  mapping: ColumnMapping & { embeddings?: Record<string, string[]> };
  options?: DataDriftOptions;
  /** Let the report pick the embedding method itself (checks the default choice). */
  embeddingsViaReport?: boolean;
  embeddingMethods?: Array<EmbeddingDriftMethod & { embedding: string }>;
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
function mixedColumns(rows: number, seed: number, shift: number): Columns {
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
    num_gaps: times(rows, (i) => (i % 23 === 5 ? Number.NaN : i % 97 === 13 ? Number.POSITIVE_INFINITY : g.normal(shift, 1))),
    few_values: times(rows, () => g.choice([0, 1, 2, 3, 4], [5, 4, 3, 2 + shift * 3, 1])),
    binary_num: times(rows, () => (g.uniform() < 0.3 + shift * 0.15 ? 1 : 0)),
    cat3: times(rows, () => g.choice(['red', 'green', 'blue'], [3, 2, 1 + shift * 2])),
    cat_binary: times(rows, () => (g.uniform() < 0.5 + shift * 0.1 ? 'yes' : 'no')),
    cat_many: times(rows, () => g.choice(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'], [8, 7, 6, 5, 4, 3, 2 + shift * 4, 1])),
    cat_new_value: times(rows, (i) => (shift > 0 && i % 40 === 0 ? 'unseen' : g.choice(['p', 'q', 'r'], [2, 1, 1]))),
  };
}

const MIXED_MAPPING: ColumnMapping = {
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

/** Every parity case, its CSVs written under `dir`. */
export function buildParityCases(dir: string): { cases: ParityCase[]; inference: string[] } {
  const csv = (name: string, columns: Columns) => writeCsv(join(dir, `${name}.csv`), columns);
  const cases: ParityCase[] = [];
  const pair = (name: string, reference: Columns, current: Columns, rest: Omit<ParityCase, 'name' | 'reference' | 'current'>) =>
    cases.push({ name, reference: csv(`${name}-reference`, reference), current: csv(`${name}-current`, current), ...rest });

  // Small reference (≤ 1000 rows): K-S, chi-square and Z-tests.
  pair('small-drifted', mixedColumns(400, 1, 0), mixedColumns(500, 2, 1), { mapping: MIXED_MAPPING });
  pair('small-stable', mixedColumns(400, 3, 0), mixedColumns(450, 4, 0), { mapping: MIXED_MAPPING });
  pair('small-equal-sizes', mixedColumns(300, 5, 0), mixedColumns(300, 6, 0.4), { mapping: MIXED_MAPPING });
  // Large reference: normed Wasserstein and Jensen–Shannon.
  pair('large-drifted', mixedColumns(3_000, 7, 0), mixedColumns(2_000, 8, 1), { mapping: MIXED_MAPPING });
  pair('large-stable', mixedColumns(2_500, 9, 0), mixedColumns(2_200, 10, 0), { mapping: MIXED_MAPPING });
  pair('large-slight', mixedColumns(1_200, 11, 0), mixedColumns(1_500, 12, 0.25), { mapping: MIXED_MAPPING, options: { driftShare: 0.3 } });
  // Tests and thresholds chosen per type, per column and for all columns.
  pair('overrides', mixedColumns(1_500, 13, 0), mixedColumns(1_300, 14, 0.5), {
    mapping: MIXED_MAPPING,
    options: {
      numericalTest: 'psi',
      perColumnTest: { num_same: 'kl_div', num_skewed: 'hellinger', cat_many: 'hellinger', num_scale: 'ks', cat3: 'chisquare', few_values: 'jensenshannon' },
      categoricalThreshold: 0.2,
      perColumnThreshold: { num_shift: 0.05, num_scale: 0.01 },
      driftShare: 0.4,
    },
  });
  pair('overrides-global', mixedColumns(600, 15, 0), mixedColumns(700, 16, 0.6), {
    mapping: { ...MIXED_MAPPING, numerical: MIXED_MAPPING.numerical!.filter((name) => name !== 'binary_num' && name !== 'few_values') },
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
    embeddingMethods: every([{ method: 'distance' }, { method: 'distance', bootstrap: true }, { method: 'ratio' }, { method: 'mmd' }]),
  });
  pair('embeddings-large-drifted', embeddingColumns(1_500, 24, 21, 0), embeddingColumns(1_200, 24, 22, 0.3), {
    mapping: embeddingMapping(24),
    embeddingsViaReport: true,
    embeddingMethods: every([{ method: 'distance', distance: 'cityblock' }, { method: 'ratio', componentTest: 'jensenshannon' }, { method: 'mmd' }]),
  });
  pair('embeddings-large-stable', embeddingColumns(1_400, 24, 23, 0), embeddingColumns(1_100, 24, 24, 0), {
    mapping: embeddingMapping(24),
    embeddingsViaReport: true,
    embeddingMethods: every([{ method: 'distance', distance: 'chebyshev' }, { method: 'ratio' }, { method: 'model', pcaComponents: 6 }]),
  });

  // Text: real arXiv titles; the domain classifier tells computational linguistics from numerical analysis.
  pair('text-drifted', { title: titles('cs.CL', 300) }, { title: titles('math.NA', 300) }, { mapping: { text: ['title'] } });
  pair('text-stable', { title: titles('cs.CL', 250) }, { title: titles('cs.CL', 250, 250) }, { mapping: { text: ['title'] } });

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
    }),
  ];
  return { cases, inference };
}
