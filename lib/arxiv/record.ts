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

/** A date-time with no zone designator: `2019-01-03 10:00:00`, `2019-01-03T10:00:00.5`. */
const DATE_TIME_WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;
/** ISO 8601 with an explicit zone: `2022-02-24T15:05:19Z`, `2016-10-09T00:00:00-04:00`. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
/** RFC 2822 / HTTP date with an explicit zone: `Mon, 2 Apr 2007 19:18:42 GMT`. */
const RFC_2822 = /^([A-Z][a-z]{2}, )?\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}(:\d{2})? (GMT|UTC|UT|[+-]\d{4})$/;

/**
 * Normalizes the date forms our sources use to ISO 8601 UTC:
 * `2022-02-24T15:05:19Z`, `2019-01-03 10:00:00`, `2014-12-29`, `Mon, 2 Apr 2007 19:18:42 GMT`.
 * Dates and date-times without a zone are read as UTC, never as the host's local time; any other
 * text is null rather than left to the lenient `Date.parse` (which reads "sometime in 2008" as a date).
 */
export function normalizeDate(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.trim() === '') return null;
  const text = raw.trim();
  let millis: number;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) millis = Date.parse(`${text}T00:00:00Z`);
  else if (DATE_TIME_WITHOUT_ZONE.test(text)) millis = Date.parse(`${text.replace(' ', 'T')}Z`);
  else if (ISO_WITH_ZONE.test(text) || RFC_2822.test(text)) millis = Date.parse(text);
  else return null;
  return Number.isNaN(millis) ? null : new Date(millis).toISOString().replace('.000Z', 'Z');
}
