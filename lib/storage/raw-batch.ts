import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { PaperRecord } from '../arxiv/record';
import type { ObjectStore } from './object-store';

/** A batch of accepted records landed in the object store as gzipped JSON lines. */
export interface RawBatch {
  key: string;
  records: number;
  /** sha256 of the uncompressed JSON lines. */
  sha256: string;
  bytes: number;
  /** false when an identical batch was already there (a retried write). */
  written: boolean;
}

export const RAW_PREFIX = 'raw/arxiv';

export function encodeRawBatch(records: PaperRecord[]): { jsonl: Buffer; sha256: string; batchId: string } {
  const jsonl = Buffer.from(records.map((record) => `${JSON.stringify(record)}\n`).join(''), 'utf8');
  const sha256 = createHash('sha256').update(jsonl).digest('hex');
  return { jsonl, sha256, batchId: sha256.slice(0, 24) };
}

/** `raw/arxiv/dt=2026-11-26/<batch-id>.jsonl.gz`: partitioned by ingestion day, named by content. */
export function rawBatchKey(day: string, batchId: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`raw batch day must be YYYY-MM-DD, got "${day}"`);
  return `${RAW_PREFIX}/dt=${day}/${batchId}.jsonl.gz`;
}

/** Writes the batch unless the same content is already there, so a retried batch never duplicates. */
export async function landRawBatch(store: ObjectStore, records: PaperRecord[], day: string): Promise<RawBatch> {
  const { jsonl, sha256, batchId } = encodeRawBatch(records);
  const key = rawBatchKey(day, batchId);
  const existing = await store.head(key);
  if (existing && existing.metadata.sha256 === sha256) {
    return { key, records: records.length, sha256, bytes: existing.size, written: false };
  }
  const body = gzipSync(jsonl);
  await store.put(key, body, {
    contentType: 'application/x-ndjson',
    metadata: { records: String(records.length), sha256 },
  });
  return { key, records: records.length, sha256, bytes: body.length, written: true };
}

export async function readRawBatch(store: ObjectStore, key: string): Promise<PaperRecord[]> {
  const text = gunzipSync(await store.get(key)).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as PaperRecord);
}
