import { Context } from '@temporalio/activity';
import type { ExtractedItem } from '../lib/arxiv/extracted';
import type { PaperRecord } from '../lib/arxiv/record';
import type { SourceCursor, SourceSpec } from '../lib/arxiv/source-spec';
import { openSource, sourceOptions } from '../lib/arxiv/sources';
import type { DeadLetter } from '../lib/deadletters/dead-letter-store';
import { landRawBatch } from '../lib/storage/raw-batch';
import { writeIngestManifest } from '../lib/storage/ingest-manifest';
import type { ActivityDeps } from './deps';
import { failFastOn } from './errors';

export interface ExtractInput {
  source: SourceSpec;
  /** Stop after this many extracted items (valid or not). */
  limit?: number;
  /** Items per raw batch (and per page of a paged API). */
  pageSize: number;
  /** Partition of the raw landing zone: the ingestion run's start day, YYYY-MM-DD. */
  ingestDay: string;
  ingestWorkflowId: string;
  /** Stamped on every published paper, so whichever consumer takes it embeds it with this version. */
  embedderVersion?: string;
}

/** Heartbeat details: everything needed to resume after a crash, and the progress so far. */
export interface ExtractProgress {
  cursor: SourceCursor;
  extracted: number;
  accepted: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  /** Accepted items whose paper this run had already published (listed twice by the source). */
  duplicates: number;
  /** Raw batches landed (their keys are kept in the buffer's per-run set, then in the manifest). */
  rawObjectCount: number;
  /** Heartbeats of runs started before the manifest listed their keys here. */
  rawObjects?: string[];
  expectedTotal?: number;
  waitingForRoom?: boolean;
}

export type ExtractResult = Omit<ExtractProgress, 'cursor' | 'waitingForRoom' | 'rawObjects'> & {
  /** Object key of the run's manifest, which lists every raw batch. */
  rawManifest: string;
  /** Results of runs from before the manifest list the keys themselves. */
  rawObjects?: string[];
};

function initialProgress(): ExtractProgress {
  return {
    cursor: { offset: 0 },
    extracted: 0,
    accepted: 0,
    rejected: 0,
    rejectedByReason: {},
    duplicates: 0,
    rawObjectCount: 0,
  };
}

export function createExtractActivities(deps: ActivityDeps) {
  /**
   * Reads the source page by page: validates, lands accepted records in the object store,
   * dead-letters rejected ones, and publishes accepted ones to the buffer (waiting while it is
   * full). Heartbeats its cursor after each page and resumes from it when retried.
   */
  async function extractToBuffer(input: ExtractInput): Promise<ExtractResult> {
    return failFastOn(async () => {
      const context = Context.current();
      const resumed = context.info.heartbeatDetails as ExtractProgress | undefined;
      const progress: ExtractProgress = resumed ? { ...resumed, waitingForRoom: false } : initialProgress();
      if (resumed) context.log.info('resuming extraction', { cursor: resumed.cursor, extracted: resumed.extracted });
      for (const key of progress.rawObjects ?? [])
        progress.rawObjectCount = await deps.stream.recordRawObject(input.ingestWorkflowId, key);
      delete progress.rawObjects;

      const source = openSource(
        input.source,
        sourceOptions(deps.config, input.pageSize, () => context.heartbeat(structuredClone(progress))),
      );
      const limit = input.limit ?? Number.POSITIVE_INFINITY;

      for await (const page of source.pages(progress.cursor)) {
        if (progress.extracted >= limit) break;
        const firstNumber = progress.extracted + 1;
        const items: ExtractedItem[] = page.items.slice(0, limit - progress.extracted);
        const accepted: Array<{ record: PaperRecord; itemNumber: number }> = [];
        const letters: DeadLetter[] = [];
        const reasons: Record<string, number> = {};
        items.forEach((item, index) => {
          if (item.ok) {
            accepted.push({ record: item.record, itemNumber: firstNumber + index });
            return;
          }
          reasons[item.reason] = (reasons[item.reason] ?? 0) + 1;
          letters.push({
            stage: 'extract',
            reason: item.reason,
            detail: item.detail,
            raw: item.raw,
            position: `${source.label} item ${firstNumber + index}`,
            source: source.label,
            ingestWorkflowId: input.ingestWorkflowId,
          });
        });

        await deps.deadLetters.record(letters);
        let duplicates = 0;
        let rawKey: string | undefined;
        if (accepted.length > 0) {
          const { key } = await landRawBatch(
            deps.store,
            accepted.map(({ record }) => record),
            input.ingestDay,
          );
          rawKey = key;
          ({ duplicates } = await deps.stream.publish(
            accepted.map(({ record, itemNumber }) => ({
              record,
              itemNumber,
              rawKey: key,
              ingestWorkflowId: input.ingestWorkflowId,
              embedderVersion: input.embedderVersion,
            })),
            () => context.heartbeat({ ...structuredClone(progress), waitingForRoom: true }),
          ));
        }
        // The page is done: only now does it count, so a page redone after a crash counts once.
        if (rawKey) progress.rawObjectCount = await deps.stream.recordRawObject(input.ingestWorkflowId, rawKey);
        for (const [reason, count] of Object.entries(reasons))
          progress.rejectedByReason[reason] = (progress.rejectedByReason[reason] ?? 0) + count;
        progress.duplicates += duplicates;
        progress.extracted += items.length;
        progress.accepted += accepted.length;
        progress.rejected += letters.length;
        progress.cursor = page.cursor;
        progress.expectedTotal = page.expectedTotal;
        context.heartbeat(structuredClone(progress));
      }

      const rawManifest = await writeIngestManifest(deps.store, {
        ingestWorkflowId: input.ingestWorkflowId,
        source: source.label,
        createdAt: new Date().toISOString(),
        rawObjects: await deps.stream.rawObjects(input.ingestWorkflowId),
      });
      await deps.stream.markProducerDone(input.ingestWorkflowId);
      const { cursor: _cursor, waitingForRoom: _waiting, rawObjects: _keys, ...result } = progress;
      return { ...result, rawManifest };
    });
  }

  return { extractToBuffer };
}
