import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extractCandidate, rejectedItem, type ExtractedItem } from './extracted';

/** One input line of a JSON-lines snapshot and what it yielded. */
export interface SnapshotLine {
  /** 1-based number of the non-blank line. */
  line: number;
  item: ExtractedItem;
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/**
 * Maps one parsed line to a candidate. Understands the Kaggle `arxiv-metadata-oai-snapshot` record
 * (`versions`, `update_date`) and the normalized export (`primary_category`, `published`/`listing_date`).
 */
export function snapshotRecordToItem(value: unknown, rawLine: string): ExtractedItem {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return rejectedItem('not_an_object', 'the line is valid JSON but not an object', rawLine);
  }
  const row = value as Record<string, unknown>;
  const versions = Array.isArray(row.versions) ? (row.versions as Array<Record<string, unknown>>) : [];
  return extractCandidate(
    {
      id: row.id,
      title: row.title,
      abstract: row.abstract,
      categories: row.categories,
      primaryCategory: row.primary_category,
      published: row.published ?? versions[0]?.created ?? row.listing_date,
      updated: row.updated ?? row.update_date ?? versions[versions.length - 1]?.created,
    },
    () => rawLine,
  );
}

export function parseSnapshotLine(rawLine: string): ExtractedItem {
  let value: unknown;
  try {
    value = JSON.parse(rawLine);
  } catch (error) {
    return rejectedItem('malformed_json', `not valid JSON: ${(error as Error).message}`, rawLine);
  }
  return snapshotRecordToItem(value, rawLine);
}

/** Streams a JSONL or JSONL.gz snapshot, skipping the first `skipLines` non-blank lines (resume). */
export async function* readSnapshot(path: string, skipLines = 0): AsyncGenerator<SnapshotLine> {
  // Open the stream only after the gzip probe: a stream whose open fails while nobody listens
  // emits an unhandled 'error' that takes the whole process down. pipeline() forwards read
  // errors of the file to the gunzip stream, whose errors end the line iterator below.
  const gzip = await isGzip(path);
  const file = createReadStream(path);
  const input: Readable = gzip ? pipeline(file, createGunzip(), () => undefined) : file;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const rawLine of lines) {
      if (rawLine.trim() === '') continue;
      line += 1;
      if (line <= skipLines) continue;
      yield { line, item: parseSnapshotLine(rawLine) };
    }
  } finally {
    lines.close();
    input.destroy();
    file.destroy();
  }
}
