import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { EmbedProgress, ExtractProgress } from '../../activities';
import { readSnapshot } from '../../lib/arxiv/snapshot';
import { parseSourceSpec, type SourceSpec } from '../../lib/arxiv/source-spec';
import { resolveSnapshotPath } from '../../lib/arxiv/sources';
import type { AppConfig } from '../../lib/config/config';
import { ingestProgressQuery, ingestWorkflow, type IngestInput, type IngestSummary } from '../../workflows';
import type { Reporter } from '../output';
import { ProgressBoard } from '../progress';
import { pendingActivityDetailsList, resultWithProgress, startWorkflowRun } from '../temporal';

export interface IngestOptions {
  source: string;
  limit?: number;
  from?: string;
  until?: string;
  pageSize?: number;
  minBatch?: number;
  embedDimensions?: number;
  refitEmbedder?: boolean;
  /** Embed at most this many papers per second (leaves CPU to other work). */
  maxEmbedRate?: number;
  /** Embedding activities side by side (one per CPU worker process is useful). */
  embedConsumers?: number;
}

/** A `file:` path as the user typed it, made absolute here: the worker may run anywhere. */
function resolvedHere(spec: SourceSpec): SourceSpec {
  return spec.kind === 'file' ? { ...spec, path: resolve(spec.path) } : spec;
}

export function ingestInput(config: AppConfig, options: IngestOptions): IngestInput {
  return {
    source: resolvedHere(parseSourceSpec(options.source, { from: options.from, until: options.until })),
    limit: options.limit,
    pageSize: options.pageSize,
    minBatch: options.minBatch,
    maxEmbedRecordsPerSecond: options.maxEmbedRate,
    embedConsumers: options.embedConsumers,
    embedder: {
      referenceSource: { kind: 'sample' },
      dimensions: options.embedDimensions,
      refit: options.refitEmbedder,
    },
    taskQueues: config.temporal.taskQueues,
  };
}

const SMALL_FILE_BYTES = 64 * 1024 * 1024;

/** How many items a local snapshot holds (counted when the file is small), for the progress bar. */
async function expectedItems(
  config: AppConfig,
  spec: SourceSpec,
  limit: number | undefined,
): Promise<number | undefined> {
  let total: number | undefined;
  if (spec.kind === 'sample' || spec.kind === 'file') {
    const path = resolveSnapshotPath(spec, config.ingest.fileRoots);
    if (statSync(path).size <= SMALL_FILE_BYTES) {
      total = 0;
      for await (const _line of readSnapshot(path, { maxLineBytes: config.ingest.maxLineBytes })) total += 1;
    }
  }
  if (limit === undefined) return total;
  return total === undefined ? limit : Math.min(limit, total);
}

export interface IngestRun {
  summary: IngestSummary;
  uiLink: string | undefined;
}

/** Starts the ingestion workflow, shows its progress, and returns its summary. */
export async function runIngest(
  client: Client,
  config: AppConfig,
  input: IngestInput,
  reporter: Reporter,
  inProcessWorker = false,
): Promise<IngestRun> {
  const { handle, uiLink } = await startWorkflowRun(client, config, reporter, 'ingest', ingestWorkflow, input, {
    inProcessWorker,
  });
  const board = new ProgressBoard(!reporter.json);
  const total = await expectedItems(config, input.source, input.limit).catch(() => undefined);
  try {
    const summary = await resultWithProgress<IngestSummary>(handle, async () => {
      const [progress, listed] = await Promise.all([
        handle.query(ingestProgressQuery),
        pendingActivityDetailsList(handle),
      ]);
      const details = new Map(listed);
      const extract = (details.get('extractToBuffer') as ExtractProgress | undefined) ?? progress.extraction;
      // The consumers embedding side by side, added up.
      const consumers = listed
        .filter(([type]) => type === 'embedFromBuffer')
        .map(([, value]) => value as EmbedProgress);
      const embed =
        consumers.length > 0
          ? { stored: consumers.reduce((sum, consumer) => sum + consumer.stored, 0) }
          : progress.embedding;
      const extracted = extract?.extracted ?? 0;
      const fitting = !progress.embedderVersion && details.has('ensureEmbedder');
      board.update(
        'extract',
        extracted,
        total ?? extract?.expectedTotal ?? extracted,
        'items',
        fitting ? 'fitting the embedder first…' : extract ? `(${extract.rejected} rejected)` : '',
      );
      // No embed bar before there is something to embed (it would read 0/1 papers).
      const accepted = extract?.accepted ?? 0;
      if (accepted > 0 || embed)
        board.update('embed', embed?.stored ?? 0, accepted, 'papers', progress.embedderVersion ?? '');
    });
    board.update('extract', summary.extracted, summary.extracted, 'items', `(${summary.rejected} rejected)`);
    board.update(
      'embed',
      summary.embedded,
      Math.max(summary.accepted - summary.duplicates, summary.embedded),
      'papers',
      summary.embedderVersion,
    );
    return { summary, uiLink };
  } finally {
    board.stop();
  }
}

export function reportIngest(reporter: Reporter, { summary, uiLink }: IngestRun): void {
  const reasons = Object.entries(summary.rejectedByReason)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
  reporter.summary(
    'Ingestion finished',
    [
      ['workflow', `${summary.workflowId} (run ${summary.runId})`],
      ['source', summary.source],
      ['extracted', summary.extracted],
      ['accepted', summary.accepted],
      [
        'rejected',
        summary.rejected
          ? `${summary.rejected} (${reasons}) — see \`mlops deadletters --run ${summary.workflowId}\``
          : 0,
      ],
      ['duplicates', summary.duplicates || undefined],
      ['embedded', summary.embedded],
      [
        '  new / revised / unchanged',
        `${summary.newPapers ?? '-'} / ${summary.revised ?? '-'} / ${summary.unchanged ?? '-'}`,
      ],
      ['papers per second', summary.seconds > 0 ? Math.round(summary.embedded / summary.seconds) : undefined],
      ['dead-lettered in buffer', summary.deadLettered || undefined],
      ['counts balance', summary.balanced ? 'yes' : 'NO — see the workflow log'],
      ['raw objects', `${summary.rawObjectCount}, listed in ${summary.rawManifest ?? '-'}`],
      ['embedder', summary.embedderVersion],
      ['seconds', summary.seconds.toFixed(1)],
      ['Temporal UI', uiLink],
    ],
    { ...summary, temporalUi: uiLink },
  );
}
