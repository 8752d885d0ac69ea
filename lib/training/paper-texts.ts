import { paperText } from '../arxiv/record';
import type { FeatureRow } from '../features/feature-store';
import { TrainingDataError } from '../model/classifier';
import { ObjectNotFoundError, type ObjectStore } from '../storage/object-store';
import { readRawBatch } from '../storage/raw-batch';

/** A paper's words, as the families that read text take them. */
export interface PaperWords {
  text: string;
  title: string;
}

/** The raw text of each paper, read from the raw batches its features name (for families that read text). */
export async function paperTexts(
  store: ObjectStore,
  rows: readonly FeatureRow[],
  onBatch: (done: number, total: number) => void,
): Promise<Map<string, PaperWords>> {
  const wanted = new Set(rows.map((row) => row.arxivId));
  const texts = new Map<string, PaperWords>();
  const batches = [...new Set(rows.map((row) => row.lineage.rawKey))];
  for (const [index, key] of batches.entries()) {
    onBatch(index, batches.length);
    let records;
    try {
      records = await readRawBatch(store, key);
    } catch (error) {
      if (error instanceof ObjectNotFoundError)
        throw new TrainingDataError(
          `raw batch ${key} is gone: the text of its papers cannot be read to train a family that reads text`,
        );
      throw error;
    }
    for (const record of records)
      if (wanted.has(record.id)) texts.set(record.id, { text: paperText(record), title: record.title });
  }
  const missing = rows.filter((row) => !texts.has(row.arxivId));
  if (missing.length > 0)
    throw new TrainingDataError(
      `${missing.length} papers (${missing[0]!.arxivId}…) are not in the raw batches their features name: their text cannot be read`,
    );
  return texts;
}
