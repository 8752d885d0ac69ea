import { paperText } from '../arxiv/record';
import type { FeatureStore, FeatureWindow, WindowRow } from '../features/feature-store';
import { ObjectNotFoundError, type ObjectStore } from '../storage/object-store';
import { readRawBatch } from '../storage/raw-batch';
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

/** The monitored model's category for each already embedded paper. */
export function predictCategories(predictor: TextPredictor, vectors: readonly Float32Array[]): string[] {
  if (vectors.length === 0) return [];
  const dimensions = predictor.model.model.inputDimensions;
  const x = new Float32Array(vectors.length * dimensions);
  vectors.forEach((vector, i) => x.set(vector, i * dimensions));
  return Array.from(predictor.model.model.predict(x, vectors.length), (code) => predictor.model.encoder.decode(code));
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
    if (!kept || (row.embedderVersion === predictor.embedderVersion && kept.embedderVersion !== predictor.embedderVersion)) byPaper.set(row.arxivId, row);
  }
  const { found } = sampled;
  const rows = [...byPaper.values()];

  const vectors = new Map<string, { vector: Float32Array; oovShare?: number }>();
  const foreign = rows.filter((row) => row.embedderVersion !== predictor.embedderVersion);
  for (const row of rows) if (row.embedderVersion === predictor.embedderVersion) vectors.set(row.arxivId, { vector: row.vector, oovShare: row.text.oovShare });
  if (foreign.length > 0) {
    const { embedder } = predictor;
    const wanted = new Set(foreign.map((row) => row.arxivId));
    const batches = [...new Set(foreign.map((row) => row.lineage.rawKey))];
    for (const [index, key] of batches.entries()) {
      progress(`re-embedding raw batch ${index + 1}/${batches.length}`);
      for (const record of await readRawBatch(sources.store, key).catch((error: unknown) => {
        if (error instanceof ObjectNotFoundError) return []; // its papers stay unavailable
        throw error;
      })) {
        if (!wanted.has(record.id) || vectors.has(record.id)) continue;
        const text = paperText(record);
        vectors.set(record.id, { vector: embedder.embed(text), oovShare: embedder.outOfVocabularyShare(text) });
      }
    }
  }
  const usable = rows.filter((row) => vectors.has(row.arxivId));

  progress('scoring');
  const predictions = predictCategories(predictor, usable.map((row) => vectors.get(row.arxivId)!.vector));
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
  return { papers, found, reembedded: foreign.length - (rows.length - usable.length), unavailable: rows.length - usable.length };
}
