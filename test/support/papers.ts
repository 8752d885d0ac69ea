import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { projectRoot } from '../../lib/config/paths';

/** The first n lines of the bundled sample (real arXiv metadata), as JSON text lines. */
export function sampleLines(n: number): string[] {
  const text = gunzipSync(readFileSync(join(projectRoot(), 'data/sample/arxiv-sample.jsonl.gz'))).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(0, n);
}

/** Lines a snapshot reader must reject, each for a different reason. */
export const MALFORMED_LINES: Record<string, string> = {
  malformed_json: '{"id": "2501.99001", "title": "Cut off',
  not_an_object: '["2501.99002", "a list, not a record"]',
  missing_id: JSON.stringify({ title: 'No id', abstract: 'Some text.', categories: 'cs.CL' }),
  invalid_id: JSON.stringify({ id: 'not-an-id', title: 'Bad id', abstract: 'Some text.', categories: 'cs.CL' }),
  missing_abstract: JSON.stringify({ id: '2501.99005', title: 'No abstract', abstract: '   ', categories: 'cs.CL' }),
  no_arxiv_category: JSON.stringify({
    id: '2501.99006',
    title: 'Unknown category',
    abstract: 'Text.',
    categories: 'biology.XX',
  }),
  field_too_long: JSON.stringify({
    id: '2501.99007',
    title: 'Long',
    abstract: 'word '.repeat(3000),
    categories: 'cs.CL',
  }),
  invalid_text: JSON.stringify({
    id: '2501.99008',
    title: 'Control \u0007 char',
    abstract: 'Text.',
    categories: 'cs.CL',
  }),
};

/** Good sample lines with every malformed line (and some blank lines) spread among them. */
export function mixedSnapshot(goodLines: number): { text: string; good: number; bad: Record<string, number> } {
  const lines = sampleLines(goodLines);
  const malformed = Object.values(MALFORMED_LINES);
  const step = Math.max(1, Math.floor(lines.length / (malformed.length + 1)));
  const out: string[] = [];
  lines.forEach((line, index) => {
    out.push(line);
    if (index % step === step - 1 && malformed.length > 0) out.push(malformed.shift()!, '');
  });
  out.push(...malformed);
  const bad = Object.fromEntries(Object.keys(MALFORMED_LINES).map((reason) => [reason, 1]));
  return { text: `${out.join('\n')}\n`, good: lines.length, bad };
}
