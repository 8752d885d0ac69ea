import type { PaperRecord } from './record';
import { validateCandidate, type CandidateRecord, type RejectReason } from './validate';

/** What a source yields per input item: a valid record, or a rejection that keeps the raw input. */
export type ExtractedItem =
  { ok: true; record: PaperRecord } | { ok: false; reason: RejectReason; detail: string; raw: string };

const RAW_LIMIT = 20_000;

/** The raw text kept with a rejected item, bounded so one huge line cannot flood the dead-letter store. */
export function rawExcerpt(raw: string): string {
  return raw.length > RAW_LIMIT ? `${raw.slice(0, RAW_LIMIT)}…[${raw.length - RAW_LIMIT} more characters]` : raw;
}

export function extractCandidate(candidate: CandidateRecord, raw: () => string): ExtractedItem {
  const result = validateCandidate(candidate);
  return result.ok ? result : { ...result, raw: rawExcerpt(raw()) };
}

export function rejectedItem(reason: RejectReason, detail: string, raw: string): ExtractedItem {
  return { ok: false, reason, detail, raw: rawExcerpt(raw) };
}
