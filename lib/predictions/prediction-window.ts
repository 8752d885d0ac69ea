import type { Db } from 'mongodb';
import { PREDICTIONS_COLLECTION, type PredictionDocument } from './prediction-document';

export type LoggedPrediction = Pick<
  PredictionDocument,
  '_id' | 'at' | 'title' | 'abstract' | 'text' | 'embedding' | 'embedderVersion' | 'category' | 'runId'
>;

const PROJECTION = {
  _id: 1,
  at: 1,
  title: 1,
  abstract: 1,
  text: 1,
  embedding: 1,
  embedderVersion: 1,
  category: 1,
  runId: 1,
} as const;

/**
 * Predictions the API served between two times, the most recent first, at most `limit` of them;
 * `found` counts all in the window.
 */
export async function predictionsServed(
  db: Db,
  window: { from?: Date; until?: Date },
  limit: number,
): Promise<{ rows: LoggedPrediction[]; found: number }> {
  const bounds = { ...(window.from ? { $gte: window.from } : {}), ...(window.until ? { $lte: window.until } : {}) };
  const query = Object.keys(bounds).length > 0 ? { at: bounds } : {};
  const collection = db.collection<PredictionDocument>(PREDICTIONS_COLLECTION);
  const [rows, found] = await Promise.all([
    collection.find(query, { projection: PROJECTION }).sort({ at: -1 }).limit(limit).toArray() as Promise<
      LoggedPrediction[]
    >,
    collection.countDocuments(query),
  ]);
  return { rows, found };
}
