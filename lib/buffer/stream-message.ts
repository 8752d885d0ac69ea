import type { PaperRecord } from '../arxiv/record';

/** A paper waiting in the buffer, with where it came from. */
export interface BufferedPaper {
  record: PaperRecord;
  /** Object-store key of the raw batch the record landed in. */
  rawKey: string;
  /** Workflow id of the ingestion run that produced it. */
  ingestWorkflowId: string;
  /** The embedder the run chose for its papers (absent on messages of older runs: the consumer decides). */
  embedderVersion?: string;
}

export interface StreamMessage {
  id: string;
  paper: BufferedPaper | undefined;
  /** Set when the message could not be decoded; the consumer dead-letters it. */
  error?: string;
  fields: Record<string, string>;
}

/** A stream entry's flat [name, value, …] list as an object. */
export function fieldsOf(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  return fields;
}

/** Why a decoded `paper` field is not a PaperRecord, or undefined when it is one. */
function recordProblem(value: unknown): string | undefined {
  if (!value || typeof value !== 'object') return 'paper is not an object';
  const record = value as Record<string, unknown>;
  for (const field of ['id', 'title', 'abstract', 'primaryCategory'] as const) {
    if (typeof record[field] !== 'string') return `paper.${field} is not a string`;
  }
  if (!Array.isArray(record.categories) || !record.categories.every((code) => typeof code === 'string')) {
    return 'paper.categories is not a list of strings';
  }
  return undefined;
}

/** A stream entry as the consumer reads it: the paper, or why it could not be decoded. */
export function decodeMessage(id: string, flat: string[]): StreamMessage {
  const fields = fieldsOf(flat);
  if (typeof fields.raw !== 'string' || typeof fields.run !== 'string') {
    return { id, paper: undefined, error: 'message lacks its raw or run field', fields };
  }
  let value: unknown;
  try {
    value = JSON.parse(fields.paper ?? '');
  } catch (error) {
    return { id, paper: undefined, error: `paper field is not JSON: ${(error as Error).message}`, fields };
  }
  const problem = recordProblem(value);
  if (problem) return { id, paper: undefined, error: problem, fields };
  const paper: BufferedPaper = { record: value as PaperRecord, rawKey: fields.raw, ingestWorkflowId: fields.run };
  if (fields.embedder) paper.embedderVersion = fields.embedder;
  return { id, paper, fields };
}
