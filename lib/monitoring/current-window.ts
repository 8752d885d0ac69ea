import { numericColumn, stringColumn, tableOf, type ColumnValues, type Table } from '../drift/table';
import type { TextDescriptors } from '../features/feature-store';
import { MONITOR_COLUMNS } from './columns';

/**
 * The current window: papers published, or first stored, or predictions the API served
 * (`predicted`), in the last `days` days before the window's end (or between explicit days), as
 * the serving model sees them.
 */
export interface WindowSpec {
  by: 'published' | 'ingested' | 'predicted';
  days?: number;
  /** YYYY-MM-DD (whole days, inclusive) or an ISO time. */
  from?: string;
  until?: string;
}

export class WindowSpecError extends Error {
  override readonly name = 'WindowSpecError';
  readonly permanent = true;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function bound(text: string, endOfDay: boolean): Date {
  if (DAY.test(text)) return new Date(`${text}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z`);
  if (TIME.test(text)) return new Date(text);
  throw new WindowSpecError(`"${text}" is neither a day (YYYY-MM-DD) nor an ISO time (YYYY-MM-DDTHH:MMZ)`);
}

/** The window's time bounds; `end` is when the monitor started (so a retried run sees the same window). */
export function windowBounds(spec: WindowSpec, end: Date): { from?: Date; until?: Date } {
  if (spec.days !== undefined) {
    if (!(spec.days > 0))
      throw new WindowSpecError(`a window of ${spec.days} days is empty: give a positive number of days`);
    return { from: new Date(end.getTime() - spec.days * 86_400_000), until: end };
  }
  const from = spec.from ? bound(spec.from, false) : undefined;
  const until = spec.until ? bound(spec.until, true) : undefined;
  if (from && until && from > until)
    throw new WindowSpecError(`the window starts (${spec.from}) after it ends (${spec.until})`);
  return { from, until };
}

export function describeWindow(spec: WindowSpec, end: Date): string {
  const what =
    spec.by === 'published' ? 'papers published' : spec.by === 'predicted' ? 'predictions served' : 'papers ingested';
  if (spec.days !== undefined) return `${what} in the ${spec.days} days before ${end.toISOString()}`;
  if (spec.from && spec.until) return `${what} ${spec.from} … ${spec.until}`;
  if (spec.from) return `${what} since ${spec.from}`;
  if (spec.until) return `${what} until ${spec.until}`;
  return spec.by === 'predicted' ? 'all predictions served' : `all ${what.replace('papers ', '')} papers`;
}

/** One paper of the current window, embedded by the serving embedder and scored by the serving model. */
export interface ScoredPaper {
  /** The arXiv id (a served prediction: its log id). */
  arxivId: string;
  /** When published (a served prediction: when it was served). */
  published: Date | null;
  vector: Float32Array;
  /** The true category; null for served predictions (nobody labelled them). */
  label: string | null;
  prediction: string;
  text: TextDescriptors;
}

/** The current window as a table with reference_data.csv's columns. */
export function currentWindowTable(papers: readonly ScoredPaper[], dimensions: number): Table {
  const embedding: Array<[string, ColumnValues]> = Array.from({ length: dimensions }, (_, d) =>
    numericColumn(
      `${MONITOR_COLUMNS.embeddingPrefix}${d}`,
      papers.map((paper) => paper.vector[d]!),
    ),
  );
  return tableOf([
    stringColumn(
      MONITOR_COLUMNS.id,
      papers.map((paper) => paper.arxivId),
    ),
    stringColumn(
      MONITOR_COLUMNS.datetime,
      papers.map((paper) => paper.published?.toISOString() ?? null),
    ),
    ...embedding,
    // Without labels (served predictions) there is no target column, so quality is not measured.
    ...(papers.some((paper) => paper.label !== null)
      ? [
          stringColumn(
            MONITOR_COLUMNS.target,
            papers.map((paper) => paper.label),
          ),
        ]
      : []),
    stringColumn(
      MONITOR_COLUMNS.prediction,
      papers.map((paper) => paper.prediction),
    ),
    numericColumn(
      'title_chars',
      papers.map((paper) => paper.text.titleChars),
      'int',
    ),
    numericColumn(
      'abstract_chars',
      papers.map((paper) => paper.text.abstractChars),
      'int',
    ),
    numericColumn(
      'abstract_words',
      papers.map((paper) => paper.text.abstractWords),
      'int',
    ),
    numericColumn(
      'oov_share',
      papers.map((paper) => paper.text.oovShare ?? Number.NaN),
    ),
  ]);
}
