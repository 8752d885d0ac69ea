import { canonicalArxivId, collapseWhitespace, isValidArxivId, normalizeDate, type PaperRecord } from './record';
import { isArxivCategory } from './taxonomy';

export const REJECT_REASONS = [
  'malformed_json',
  'not_an_object',
  'api_error',
  'missing_id',
  'invalid_id',
  'missing_title',
  'missing_abstract',
  'no_arxiv_category',
  'field_too_long',
  'invalid_text',
  'line_too_long',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export const FIELD_LIMITS = { title: 1_000, abstract: 10_000, categories: 50 } as const;

/** A record as a source delivered it, before validation: every field may be missing or wrong. */
export interface CandidateRecord {
  id?: unknown;
  title?: unknown;
  abstract?: unknown;
  /** Category codes in source order, primary first when the source says which is primary. */
  categories?: unknown;
  primaryCategory?: unknown;
  published?: unknown;
  updated?: unknown;
}

export type Validation = { ok: true; record: PaperRecord } | { ok: false; reason: RejectReason; detail: string };

// Control characters other than tab/newline/carriage return, the replacement character that
// marks a decoding failure, and lone surrogates all mean the text was damaged on the way.
const INVALID_TEXT =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point of this pattern
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFD]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function reject(reason: RejectReason, detail: string): Validation {
  return { ok: false, reason, detail };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function categoryList(value: unknown): string[] {
  const raw = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/\s+/) : [];
  const codes: string[] = [];
  for (const item of raw) {
    if (typeof item !== 'string') continue;
    const code = item.trim();
    if (code && isArxivCategory(code) && !codes.includes(code)) codes.push(code);
  }
  return codes;
}

/** Turns a candidate into a normalized PaperRecord, or says exactly why it cannot be one. */
export function validateCandidate(candidate: CandidateRecord): Validation {
  const rawId = text(candidate.id);
  if (!rawId || rawId.trim() === '') return reject('missing_id', 'the record has no id');
  const id = canonicalArxivId(rawId);
  if (!isValidArxivId(id)) return reject('invalid_id', `"${rawId.slice(0, 80)}" is not an arXiv identifier`);

  const rawTitle = text(candidate.title);
  if (rawTitle === undefined || rawTitle.trim() === '') return reject('missing_title', `${id} has no title`);
  const rawAbstract = text(candidate.abstract);
  if (rawAbstract === undefined || rawAbstract.trim() === '')
    return reject('missing_abstract', `${id} has no abstract`);

  for (const [field, value] of [
    ['title', rawTitle],
    ['abstract', rawAbstract],
  ] as const) {
    if (INVALID_TEXT.test(value))
      return reject('invalid_text', `${id}: ${field} holds control or replacement characters`);
  }
  const title = collapseWhitespace(rawTitle);
  const abstract = collapseWhitespace(rawAbstract);
  if (title.length > FIELD_LIMITS.title) {
    return reject('field_too_long', `${id}: title has ${title.length} characters (limit ${FIELD_LIMITS.title})`);
  }
  if (abstract.length > FIELD_LIMITS.abstract) {
    return reject(
      'field_too_long',
      `${id}: abstract has ${abstract.length} characters (limit ${FIELD_LIMITS.abstract})`,
    );
  }

  const categories = categoryList(candidate.categories);
  const primaryHint = text(candidate.primaryCategory)?.trim();
  if (primaryHint && isArxivCategory(primaryHint)) {
    const others = categories.filter((code) => code !== primaryHint);
    categories.splice(0, categories.length, primaryHint, ...others);
  }
  if (categories.length === 0) return reject('no_arxiv_category', `${id} has no arXiv taxonomy category`);
  if (categories.length > FIELD_LIMITS.categories) {
    return reject('field_too_long', `${id}: ${categories.length} categories (limit ${FIELD_LIMITS.categories})`);
  }

  return {
    ok: true,
    record: {
      id,
      title,
      abstract,
      categories,
      primaryCategory: categories[0]!,
      published: normalizeDate(candidate.published),
      updated: normalizeDate(candidate.updated),
    },
  };
}
