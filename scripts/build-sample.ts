/**
 * Rebuilds the bundled sample (data/sample/arxiv-sample.jsonl.gz) from the shared arxiver export:
 * the ten most frequent primary categories, PER_CATEGORY papers each, picked by a hash of the id so
 * the choice is stable and spread over the years. arXiv metadata is CC0.
 *
 *   node dist/scripts/build-sample.js [../shared/data/arxiv/arxiver_2013-2025.jsonl.gz]
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readSnapshot } from '../lib/arxiv/snapshot';
import type { PaperRecord } from '../lib/arxiv/record';
import { projectRoot } from '../lib/config/paths';

const PER_CATEGORY = 500;
const CATEGORIES = 10;

async function main(): Promise<void> {
  const input = process.argv[2] ?? resolve(projectRoot(), '../shared/data/arxiv/arxiver_2013-2025.jsonl.gz');
  const byCategory = new Map<string, PaperRecord[]>();
  for await (const { item } of readSnapshot(input)) {
    if (!item.ok) continue;
    const list = byCategory.get(item.record.primaryCategory) ?? [];
    list.push(item.record);
    byCategory.set(item.record.primaryCategory, list);
  }
  const top = [...byCategory.entries()].sort((a, b) => b[1].length - a[1].length).slice(0, CATEGORIES);
  const rank = (id: string) => createHash('sha1').update(id).digest('hex');
  const chosen = top.flatMap(([, records]) =>
    records.sort((a, b) => rank(a.id).localeCompare(rank(b.id))).slice(0, PER_CATEGORY),
  );
  chosen.sort((a, b) => (a.published ?? '').localeCompare(b.published ?? '') || a.id.localeCompare(b.id));
  const lines = chosen.map((r) =>
    JSON.stringify({
      id: r.id,
      title: r.title,
      abstract: r.abstract,
      categories: r.categories.join(' '),
      primary_category: r.primaryCategory,
      published: r.published,
    }),
  );
  const output = resolve(projectRoot(), 'data/sample/arxiv-sample.jsonl.gz');
  const body = gzipSync(`${lines.join('\n')}\n`, { level: 9 });
  writeFileSync(output, body);
  const years = new Map<string, number>();
  for (const r of chosen)
    years.set((r.published ?? '????').slice(0, 4), (years.get((r.published ?? '????').slice(0, 4)) ?? 0) + 1);
  console.log(`${chosen.length} papers, ${(body.length / 1e6).toFixed(2)} MB → ${output}`);
  console.log('categories:', top.map(([code, list]) => `${code} ${Math.min(list.length, PER_CATEGORY)}`).join(', '));
  console.log(
    'years:',
    [...years.entries()]
      .sort()
      .map(([y, n]) => `${y}:${n}`)
      .join(' '),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
