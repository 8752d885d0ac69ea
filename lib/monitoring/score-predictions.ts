import type { Db } from 'mongodb';
import { paperText } from '../arxiv/record';
import { decodeVector } from '../features/feature-store';
import { predictionsServed, type LoggedPrediction } from '../predictions/prediction-window';
import type { TextPredictor } from '../tracking/serving-model';
import type { ScoredPaper } from './current-window';
import { predictCategories, type ScoredWindow } from './score-window';

/**
 * The predictions the API served in a window as the monitored model sees them: the logged vector
 * when the same embedder made it, else the logged text embedded again (logged only with
 * PREDICTION_LOG_TEXT=true: without it such predictions are unavailable); scored by the monitored
 * model (whatever model served them). A model that reads text (tfidf-linear) scores predictions
 * logged with their text; those it served itself without text keep the category it answered.
 * They carry no true label, so quality is not measured.
 */
export async function scorePredictions(
  db: Db,
  predictor: TextPredictor,
  window: { from?: Date; until?: Date },
  options: { maxRows: number; onProgress?: (step: string) => void },
): Promise<ScoredWindow> {
  options.onProgress?.('selecting the served predictions');
  const { rows: served, found } = await predictionsServed(db, window, options.maxRows);
  const sameEmbedder = (row: LoggedPrediction) =>
    row.embedderVersion === predictor.embedderVersion && row.embedding !== undefined;
  const hasText = (row: LoggedPrediction) => row.title !== undefined && row.abstract !== undefined;
  // What the monitored model itself answered needs no scoring again: its logged category is its prediction.
  const answeredByIt = (row: LoggedPrediction) => row.runId === predictor.runId && row.category !== undefined;
  // Otherwise a model that reads text can score only predictions logged with their text.
  const rows = served.filter(
    (row) => hasText(row) || (sameEmbedder(row) && (!predictor.readsText || answeredByIt(row))),
  );
  let reembedded = 0;
  const vectors = rows.map((row) => {
    const text = hasText(row) ? paperText({ title: row.title!, abstract: row.abstract! }) : undefined;
    const { title } = row;
    if (sameEmbedder(row)) return { vector: decodeVector(row.embedding), oovShare: row.text.oovShare, text, title };
    reembedded += 1;
    return {
      vector: predictor.embedder.embed(text!),
      oovShare: predictor.embedder.outOfVocabularyShare(text!),
      text,
      title,
    };
  });
  options.onProgress?.('scoring');
  const rescored = rows.flatMap((row, i) => (answeredByIt(row) && predictor.readsText && !hasText(row) ? [] : [i]));
  const predictions: string[] = rows.map((row) => row.category);
  predictCategories(
    predictor,
    rescored.map((i) => vectors[i]!),
  ).forEach((category, j) => {
    predictions[rescored[j]!] = category;
  });
  const papers = rows.map((row, i): ScoredPaper => ({
    arxivId: row._id,
    published: row.at,
    vector: vectors[i]!.vector,
    label: null,
    prediction: predictions[i]!,
    text: { ...row.text, oovShare: vectors[i]!.oovShare },
  }));
  return { papers, found, reembedded, unavailable: served.length - rows.length };
}
