/* bench:scale's inputs (the bundled corpus's files) and its progress lines. */
import { join } from 'node:path';
import { projectRoot } from '../lib/config/paths';

/** Where the corpus's files are. */
export const DATA = join(projectRoot(), '..', 'shared', 'data', 'arxiv');
export const FILES = [
  'arxiver_2013-2025.jsonl.gz',
  'daily-arxiv-cs_2025-2026.jsonl.gz',
  'daily-arxiv-astro-ph_2025-2026.jsonl.gz',
];
/** Single-paper predictions sent through the API. */
export const PREDICTIONS = 300;

export function note(message: string): void {
  process.stderr.write(`[bench:scale] ${new Date().toISOString().slice(11, 19)} ${message}\n`);
}
