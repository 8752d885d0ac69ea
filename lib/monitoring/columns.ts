import type { ColumnMapping } from '../drift/data-drift';
import { presentCount } from '../drift/column-types';
import type { Table } from '../drift/table';

/**
 * The columns of reference_data.csv and of the current window built like it: the paper's id and
 * date (not tested), the embedding (emb_0 …), the true label (target), the model's prediction,
 * and text descriptors.
 */
export const MONITOR_COLUMNS = {
  id: 'arxiv_id',
  datetime: 'published',
  target: 'label',
  prediction: 'prediction',
  embeddingPrefix: 'emb_',
  descriptors: ['title_chars', 'abstract_chars', 'abstract_words', 'oov_share'],
} as const;

export function embeddingColumnsOf(table: Table): string[] {
  const pattern = new RegExp(`^${MONITOR_COLUMNS.embeddingPrefix}(\\d+)$`);
  return table.columns
    .filter((name) => pattern.test(name))
    .sort((a, b) => Number(pattern.exec(a)![1]) - Number(pattern.exec(b)![1]));
}

/**
 * The column mapping for two tables: the project's roles where the columns exist; for other
 * tables (a user's CSVs) only id/date/label/prediction by these names, every other column's type
 * inferred as Evidently infers it.
 */
export function monitorMapping(reference: Table, current: Table): { mapping: ColumnMapping; embedding: string[] } {
  const both = (name: string) => reference.data.has(name) && current.data.has(name);
  // A descriptor older data lacks (all empty on one side) is left out rather than failing the run.
  const filled = (name: string) =>
    both(name) && [reference, current].every((table) => presentCount(table.data.get(name)!) > 0);
  const embedding = embeddingColumnsOf(reference).filter(both);
  const mapping: ColumnMapping = {};
  if (both(MONITOR_COLUMNS.target)) mapping.target = MONITOR_COLUMNS.target;
  if (both(MONITOR_COLUMNS.prediction)) mapping.prediction = MONITOR_COLUMNS.prediction;
  if (reference.data.has(MONITOR_COLUMNS.id) || current.data.has(MONITOR_COLUMNS.id)) mapping.id = MONITOR_COLUMNS.id;
  if (reference.data.has(MONITOR_COLUMNS.datetime) || current.data.has(MONITOR_COLUMNS.datetime))
    mapping.datetime = MONITOR_COLUMNS.datetime;
  if (embedding.length > 0) {
    // Our own layout: every embedding dimension and descriptor is numerical, as Evidently would be told.
    mapping.numerical = [...embedding, ...MONITOR_COLUMNS.descriptors.filter(filled)];
    mapping.categorical = [];
  }
  return { mapping, embedding };
}
