import { createHash } from 'node:crypto';
import { BSON, Binary } from 'mongodb';
import type { TextDescriptors } from '../features/feature-store';

/**
 * One served prediction, as monitoring reads it back: what the model saw (the embedding, the
 * text's descriptors, its hash), what it answered (the class and the top-k it returned), and which
 * model answered. The full probability vector is not kept: the monitor never reads it, and at 78
 * classes it and its class names were more than half the document (4.6 KB of BSON against 2.2 KB).
 */
export interface PredictionDocument {
  /** `<request id>:<item index>`: an entry delivered twice is stored once. */
  _id: string;
  requestId: string;
  at: Date;
  /** sha256 of the title and abstract: the same paper asked twice has the same hash. */
  inputHash: string;
  /** The text itself only with PREDICTION_LOG_TEXT=true; the hash and descriptors always. */
  title?: string;
  abstract?: string;
  text: TextDescriptors;
  /** The embedder's vector (float32, little-endian), as for stored features. */
  embedding: Binary;
  category: string;
  /** The classes the API answered with, most probable first. */
  top: Array<{ category: string; probability: number }>;
  modelName: string;
  modelVersion: string | null;
  runId: string;
  embedderVersion: string;
}

export const PREDICTIONS_COLLECTION = 'predictions';

export function inputHash(paper: { title: string; abstract: string }): string {
  return createHash('sha256').update(paper.title).update('\u0000').update(paper.abstract).digest('hex');
}

/** A prediction as the bytes of one stream entry: BSON, so the embedding and the date travel as they are stored. */
export function encodePrediction(document: PredictionDocument): Buffer {
  const bytes = BSON.serialize(document);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export class UndecodablePredictionError extends Error {
  override readonly name = 'UndecodablePredictionError';
}

const STRING_FIELDS = ['_id', 'requestId', 'inputHash', 'category', 'modelName', 'runId', 'embedderVersion'] as const;

/** The prediction an entry holds; throws UndecodablePredictionError (with the reason) when it holds none. */
export function decodePrediction(bytes: Buffer): PredictionDocument {
  let value: Record<string, unknown>;
  try {
    value = BSON.deserialize(bytes, { promoteBuffers: false });
  } catch (error) {
    throw new UndecodablePredictionError(`not BSON: ${(error as Error).message}`);
  }
  for (const field of STRING_FIELDS) {
    if (typeof value[field] !== 'string') throw new UndecodablePredictionError(`${field} is not a string`);
  }
  if (!(value.at instanceof Date)) throw new UndecodablePredictionError('at is not a date');
  if (!(value.embedding instanceof Binary)) throw new UndecodablePredictionError('embedding is not binary');
  if (!value.text || typeof value.text !== 'object')
    throw new UndecodablePredictionError('text descriptors are missing');
  if (!Array.isArray(value.top)) throw new UndecodablePredictionError('top is not a list');
  return value as unknown as PredictionDocument;
}
