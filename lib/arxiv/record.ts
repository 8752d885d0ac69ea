/** One arXiv paper, normalized the same way whatever source it came from. */
export interface PaperRecord {
  /** arXiv id without version: `2501.01234` or old-style `hep-th/9901001`. */
  id: string;
  title: string;
  abstract: string;
  /** arXiv taxonomy codes, primary first, no duplicates. */
  categories: string[];
  primaryCategory: string;
  /** First-version submission (or listing) time, ISO 8601 UTC; null when the source does not say. */
  published: string | null;
  /** Last update time, ISO 8601 UTC; null when unknown. */
  updated: string | null;
}

/** The text a model reads: title and abstract. */
export function paperText(record: Pick<PaperRecord, 'title' | 'abstract'>): string {
  return `${record.title}. ${record.abstract}`;
}

/** Hard-wrapped arXiv text (line breaks, runs of spaces) becomes single-spaced. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** `http://arxiv.org/abs/2202.12139v1` → `2202.12139`; `oai:arXiv.org:1401.2122` → `1401.2122`. */
export function canonicalArxivId(raw: string): string {
  let id = raw.trim();
  id = id.replace(/^oai:arXiv\.org:/i, '');
  id = id.replace(/^https?:\/\/(export\.)?arxiv\.org\/abs\//i, '');
  id = id.replace(/^arXiv:/i, '');
  return id.replace(/v\d+$/, '');
}

const NEW_STYLE_ID = /^\d{4}\.\d{4,5}$/;
const OLD_STYLE_ID = /^[a-z][a-z-]*(\.[A-Za-z-]{2,})?\/\d{7}$/;

export function isValidArxivId(id: string): boolean {
  return NEW_STYLE_ID.test(id) || OLD_STYLE_ID.test(id);
}

/**
 * Normalizes the date forms our sources use to ISO 8601 UTC:
 * `2022-02-24T15:05:19Z`, `2019-01-03 10:00:00`, `2014-12-29`, `Mon, 2 Apr 2007 19:18:42 GMT`.
 */
export function normalizeDate(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.trim() === '') return null;
  const text = raw.trim();
  let millis: number;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) millis = Date.parse(`${text}T00:00:00Z`);
  else if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) millis = Date.parse(`${text.replace(' ', 'T')}Z`);
  else millis = Date.parse(text);
  return Number.isNaN(millis) ? null : new Date(millis).toISOString().replace('.000Z', 'Z');
}
