import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
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

export interface ReadSnapshotOptions {
  /** Skip the first this many non-blank lines (resume). */
  skipLines?: number;
  /** A line longer than this (bytes) becomes a `line_too_long` rejection, read past without being held whole. */
  maxLineBytes?: number;
}

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
const EXCERPT_BYTES = 2_000;

/** The file is not a readable JSONL(.gz) stream (a damaged gzip, a directory): reading it again cannot help. */
export class SnapshotFormatError extends Error {
  override readonly name = 'SnapshotFormatError';
}

type RawLine = { text: string } | { tooLongBytes: number; excerpt: string };

/**
 * Splits a byte stream into lines (LF, or CRLF) holding at most `maxBytes` of any one line: past
 * that, the rest of the line is counted and dropped as it streams by, keeping only an excerpt.
 */
async function* boundedLines(input: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<RawLine> {
  let parts: Buffer[] = [];
  let size = 0;
  let overflow: { bytes: number; excerpt: Buffer } | undefined;
  const finish = (): RawLine => {
    const line: RawLine = overflow
      ? { tooLongBytes: overflow.bytes, excerpt: overflow.excerpt.toString('utf8') }
      : { text: (parts.length === 1 ? parts[0]! : Buffer.concat(parts, size)).toString('utf8').replace(/\r$/, '') };
    parts = [];
    size = 0;
    overflow = undefined;
    return line;
  };
  for await (const chunk of input) {
    let start = 0;
    while (start <= chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const piece = chunk.subarray(start, newline < 0 ? chunk.length : newline);
      if (overflow) {
        overflow.bytes += piece.length;
      } else if (size + piece.length > maxBytes) {
        overflow = {
          bytes: size + piece.length,
          excerpt: Buffer.concat([...parts, piece.subarray(0, EXCERPT_BYTES)]).subarray(0, EXCERPT_BYTES),
        };
        parts = [];
        size = 0;
      } else if (piece.length > 0) {
        parts.push(piece);
        size += piece.length;
      }
      if (newline < 0) break;
      yield finish();
      start = newline + 1;
    }
  }
  if (size > 0 || overflow) yield finish();
}

/**
 * Streams a JSONL or JSONL.gz snapshot. Memory stays bounded whatever the file holds: a line over
 * `maxLineBytes` (a 1 GB line in a small gzip) is rejected as `line_too_long` without being held.
 * A damaged gzip or an unreadable file throws SnapshotFormatError.
 */
export async function* readSnapshot(path: string, options: ReadSnapshotOptions = {}): AsyncGenerator<SnapshotLine> {
  const skipLines = options.skipLines ?? 0;
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  // Open the stream only after the gzip probe: a stream whose open fails while nobody listens
  // emits an unhandled 'error' that takes the whole process down. pipeline() forwards read
  // errors of the file to the gunzip stream, whose errors end the line iterator below.
  const gzip = await isGzip(path);
  const file = createReadStream(path);
  const input: Readable = gzip ? pipeline(file, createGunzip(), () => undefined) : file;
  let line = 0;
  try {
    for await (const raw of boundedLines(input as AsyncIterable<Buffer>, maxLineBytes)) {
      if ('text' in raw && raw.text.trim() === '') continue;
      line += 1;
      if (line <= skipLines) continue;
      yield {
        line,
        item:
          'text' in raw
            ? parseSnapshotLine(raw.text)
            : rejectedItem(
                'line_too_long',
                `the line has ${raw.tooLongBytes} bytes or more, over the limit of ${maxLineBytes} (INGEST_MAX_LINE_BYTES)`,
                `${raw.excerpt}…`,
              ),
      };
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_') || code === 'EISDIR')
      throw new SnapshotFormatError(`cannot read ${path}: ${(error as Error).message}`);
    throw error;
  } finally {
    input.destroy();
    file.destroy();
  }
}
