import { paperText } from '../arxiv/record';
import type { FeatureStore, FeatureWindow, WindowRow } from '../features/feature-store';
import { ObjectNotFoundError, type ObjectStore } from '../storage/object-store';
import { readRawBatch } from '../storage/raw-batch';
import type { PaperInput } from '../model/family';
import type { TextPredictor } from '../tracking/serving-model';
import type { ScoredPaper } from './current-window';

export interface ScoredWindow {
  papers: ScoredPaper[];
  /** Papers in the window before sampling down to the row limit. */
  found: number;
  /** Papers whose stored features came from another embedder: embedded again from their raw text. */
  reembedded: number;
  /** Papers whose raw text was gone, so they could not be seen by the serving embedder. */
  unavailable: number;
}

/** The monitored model's category for each paper (its vector, and its text for a model that reads text). */
export function predictCategories(predictor: TextPredictor, papers: readonly PaperInput[]): string[] {
  return papers.length === 0 ? [] : predictor.categories(papers);
}

/**
 * The window's papers as the serving model sees them: its own embedder's vectors (stored, or
 * embedded again from the raw batches when another embedder stored them), its predictions, and
 * the true labels. Above `maxRows` papers, a fixed sample (ranked by a hash of the id) is kept.
 */
export async function scoreWindow(
  sources: { features: FeatureStore; store: ObjectStore },
  predictor: TextPredictor,
  window: FeatureWindow,
  options: { maxRows: number; onProgress?: (step: string) => void },
): Promise<ScoredWindow> {
  const progress = options.onProgress ?? (() => undefined);
  progress('selecting the window');
  const sampled = await sources.features.window(window, options.maxRows);
  const byPaper = new Map<string, WindowRow>();
  for (const row of sampled.rows) {
    const kept = byPaper.get(row.arxivId);
    if (
      !kept ||
      (row.embedderVersion === predictor.embedderVersion && kept.embedderVersion !== predictor.embedderVersion)
    )
      byPaper.set(row.arxivId, row);
  }
  const { found } = sampled;
  const rows = [...byPaper.values()];

  const vectors = new Map<string, { vector: Float32Array; oovShare?: number; text?: string; title?: string }>();
  const foreign = rows.filter((row) => row.embedderVersion !== predictor.embedderVersion);
  const own = (row: WindowRow) => ({ vector: row.vector, oovShare: row.text.oovShare });
  // A model that reads text needs every paper's raw text; otherwise only papers another embedder stored are read again.
  if (!predictor.readsText)
    for (const row of rows) if (row.embedderVersion === predictor.embedderVersion) vectors.set(row.arxivId, own(row));
  const toRead = predictor.readsText ? rows : foreign;
  if (toRead.length > 0) {
    const { embedder } = predictor;
    const wanted = new Map(toRead.map((row) => [row.arxivId, row]));
    const batches = [...new Set(toRead.map((row) => row.lineage.rawKey))];
    for (const [index, key] of batches.entries()) {
      progress(`reading raw batch ${index + 1}/${batches.length}`);
      for (const record of await readRawBatch(sources.store, key).catch((error: unknown) => {
        if (error instanceof ObjectNotFoundError) return []; // its papers stay unavailable
        throw error;
      })) {
        const row = wanted.get(record.id);
        if (!row || vectors.has(record.id)) continue;
        const text = paperText(record);
        const { title } = record;
        if (row.embedderVersion === predictor.embedderVersion) vectors.set(record.id, { ...own(row), text, title });
        else
          vectors.set(record.id, {
            vector: embedder.embed(text),
            oovShare: embedder.outOfVocabularyShare(text),
            text,
            title,
          });
      }
    }
  }
  const usable = rows.filter((row) => vectors.has(row.arxivId));

  progress('scoring');
  const predictions = predictCategories(
    predictor,
    usable.map((row) => vectors.get(row.arxivId)!),
  );
  const papers = usable.map((row, i): ScoredPaper => {
    const { vector, oovShare } = vectors.get(row.arxivId)!;
    return {
      arxivId: row.arxivId,
      published: row.published,
      vector,
      label: row.primaryCategory,
      prediction: predictions[i]!,
      text: { ...row.text, oovShare },
    };
  });
  const reembedded = usable.filter((row) => row.embedderVersion !== predictor.embedderVersion).length;
  return { papers, found, reembedded, unavailable: rows.length - usable.length };
}
