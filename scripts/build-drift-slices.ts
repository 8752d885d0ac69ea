/**
 * Rebuilds the bundled slices monitoring is tested and demonstrated on, from ../shared/data
 * (arXiv metadata, CC0). Papers are picked by a hash of the id, so the choice is stable:
 *
 *   data/drift/period-2019-2022-a.jsonl.gz           6 categories × 300, published 2019–2022 (train on it)
 *   data/drift/period-2019-2022-b.jsonl.gz           the same 6 × 100 more (a second half of the period: no drift)
 *   data/drift/period-2019-2022-c-without-cs.CL.jsonl.gz  5 × 100 more, cs.CL left out (prediction drift)
 *   data/drift/current-2025.jsonl.gz                 600 papers of 2025 in those categories, as they came (drift)
 *   data/sample/arxiv-current.jsonl.gz               1,000 papers listed in 2026 in the sample's categories (npm start)
 *
 *   node dist/scripts/build-drift-slices.js
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { PaperRecord } from '../lib/arxiv/record';
import { readSnapshot } from '../lib/arxiv/snapshot';
import { projectRoot } from '../lib/config/paths';

const SHARED = resolve(projectRoot(), '../shared/data/arxiv');
const CATEGORIES = ['cs.CL', 'cs.LG', 'cs.SD', 'cs.CV', 'eess.AS', 'cs.IR'];
const SAMPLE_CATEGORIES = [
  'cs.AI',
  'cs.CL',
  'cs.CV',
  'cs.IR',
  'cs.LG',
  'cs.SD',
  'eess.AS',
  'eess.SP',
  'math.NA',
  'stat.ML',
];

const rank = (id: string) => createHash('sha1').update(`drift-slices:${id}`).digest('hex');
const byRank = (a: PaperRecord, b: PaperRecord) => (rank(a.id) < rank(b.id) ? -1 : 1);

async function read(file: string, keep: (record: PaperRecord) => boolean): Promise<PaperRecord[]> {
  const out: PaperRecord[] = [];
  for await (const { item } of readSnapshot(resolve(SHARED, file)))
    if (item.ok && keep(item.record)) out.push(item.record);
  return out;
}

function write(path: string, records: PaperRecord[]): void {
  const lines = [...records]
    .sort((a, b) => (a.published ?? '').localeCompare(b.published ?? '') || a.id.localeCompare(b.id))
    .map((r) =>
      JSON.stringify({
        id: r.id,
        title: r.title,
        abstract: r.abstract,
        categories: r.categories.join(' '),
        primary_category: r.primaryCategory,
        published: r.published,
      }),
    );
  const output = resolve(projectRoot(), path);
  mkdirSync(dirname(output), { recursive: true });
  const body = gzipSync(`${lines.join('\n')}\n`, { level: 9 });
  writeFileSync(output, body);
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.primaryCategory, (counts.get(r.primaryCategory) ?? 0) + 1);
  console.log(
    `${path}: ${records.length} papers, ${(body.length / 1e6).toFixed(2)} MB — ${[...counts]
      .sort()
      .map(([c, n]) => `${c} ${n}`)
      .join(', ')}`,
  );
}

async function main(): Promise<void> {
  const year = (record: PaperRecord) => (record.published ?? '').slice(0, 4);
  const arxiver = await read('arxiver_2013-2025.jsonl.gz', (record) => CATEGORIES.includes(record.primaryCategory));
  const period = arxiver.filter((record) => year(record) >= '2019' && year(record) <= '2022');
  const a: PaperRecord[] = [];
  const b: PaperRecord[] = [];
  const c: PaperRecord[] = [];
  for (const category of CATEGORIES) {
    const ranked = period.filter((record) => record.primaryCategory === category).sort(byRank);
    a.push(...ranked.slice(0, 300));
    b.push(...ranked.slice(300, 400));
    if (category !== 'cs.CL') c.push(...ranked.slice(400, 500));
  }
  write('data/drift/period-2019-2022-a.jsonl.gz', a);
  write('data/drift/period-2019-2022-b.jsonl.gz', b);
  write('data/drift/period-2019-2022-c-without-cs.CL.jsonl.gz', c);
  write(
    'data/drift/current-2025.jsonl.gz',
    arxiver
      .filter((record) => year(record) === '2025')
      .sort(byRank)
      .slice(0, 600),
  );

  const daily = await read(
    'daily-arxiv-cs_2025-2026.jsonl.gz',
    (record) => SAMPLE_CATEGORIES.includes(record.primaryCategory) && (record.published ?? '') >= '2026',
  );
  write('data/sample/arxiv-current.jsonl.gz', daily.sort(byRank).slice(0, 1_000));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
