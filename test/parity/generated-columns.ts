/** Generated columns of the data-drift cases: numerical and categorical, embeddings, and real arXiv titles. */
import type { ColumnMapping } from '../../lib/drift';
import { sampleLines } from '../support/papers';
import { generator, times, type Columns } from './columns';

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

export function embeddingColumns(rows: number, dims: number, seed: number, shift: number): Columns {
  const g = generator(seed);
  const columns: Columns = {};
  const data = times(rows, () => times(dims, (d) => g.normal(d < dims / 3 ? shift : 0, 1 + (d % 3) * 0.2)));
  for (let d = 0; d < dims; d += 1) columns[`emb_${d}`] = data.map((row) => row[d]!);
  columns.prediction = times(rows, () => g.choice(['x', 'y', 'z'], [2, 1, 1 + shift]));
  return columns;
}

export function embeddingMapping(dims: number): ColumnMapping & { embeddings: Record<string, string[]> } {
  const names = times(dims, (d) => `emb_${d}`);
  return { prediction: 'prediction', numerical: names, embeddings: { emb: names } };
}

export function titles(category: string, count: number, skip = 0): string[] {
  return sampleLines(5_000)
    .map((line) => JSON.parse(line) as { title: string; primary_category: string })
    .filter((paper) => paper.primary_category === category)
    .slice(skip, skip + count)
    .map((paper) => paper.title.replace(/\s+/g, ' ').trim());
}
