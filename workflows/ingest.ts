import {
  CancellationScope,
  condition,
  defineQuery,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CpuActivities, EmbedderSettings, EmbedResult, ExtractResult, IoActivities } from '../activities';
import { describeSource, type SourceSpec } from '../lib/arxiv/source-spec';
import { retryPolicy } from './retry';
import type { TaskQueues } from './types';

export interface IngestInput {
  source: SourceSpec;
  limit?: number;
  /** Records per raw batch. */
  pageSize?: number;
  /** Embedding starts once the buffer holds this many records (or extraction ended with fewer). */
  minBatch?: number;
  embedBatchSize?: number;
  /**
   * Embedding activities consuming the buffer side by side (one consumer of the group each): every
   * CPU worker process takes one at a time, so more processes embed faster.
   */
  embedConsumers?: number;
  /** Per consumer. */
  maxEmbedRecordsPerSecond?: number;
  embedder: EmbedderSettings;
  taskQueues: TaskQueues;
  /** How long a silent long-running activity is presumed alive; a crashed worker is noticed after this. */
  heartbeatTimeoutSeconds?: number;
}

export type IngestPhase = 'extracting' | 'embedding' | 'summarizing' | 'done';

export interface IngestProgress {
  phase: IngestPhase;
  bufferLength?: number;
  embedderVersion?: string;
  extraction?: ExtractResult;
  embedding?: EmbedResult;
}

export interface IngestSummary {
  workflowId: string;
  runId: string;
  source: string;
  extracted: number;
  accepted: number;
  rejected: number;
  rejectedByReason: Record<string, number>;
  /** Accepted items naming a paper this run already had. */
  duplicates: number;
  /** Papers of this run stored in the feature store: new + revised + unchanged. */
  embedded: number;
  /** Of those: papers the store did not hold, */
  newPapers: number;
  /** papers it held with other content (stored as their new version), */
  revised: number;
  /** and papers it held with the same content. */
  unchanged: number;
  /** Buffer messages of this run that could not be decoded (dead-lettered). */
  deadLettered: number;
  /** extracted = accepted + rejected, and accepted = duplicates + embedded + deadLettered. */
  balanced: boolean;
  /** Raw batches the run landed (or found already landed): their keys are in the manifest. */
  rawObjectCount: number;
  /** Object key of the manifest listing the run's raw batches. */
  rawManifest: string;
  embedderVersion: string;
  seconds: number;
}

export const ingestProgressQuery = defineQuery<IngestProgress>('progress');

export const INGEST_DEFAULTS = {
  pageSize: 500,
  minBatch: 500,
  embedBatchSize: 250,
  embedConsumers: 2,
  heartbeatTimeoutSeconds: 60,
} as const;

const RETRY = retryPolicy(20);

/** patched() id of the change that stamps the run's embedder version on each buffered paper. */
export const STAMP_EMBEDDER_PATCH = 'stamp-embedder-version';
/** patched() id of the change that embeds with several consumers side by side. */
export const PARALLEL_EMBED_PATCH = 'parallel-embed-consumers';

/**
 * extract → object store → Redis stream → embed → MongoDB features. Extraction and embedding run
 * side by side so the buffer absorbs the difference in speed; embedding starts once the buffer
 * holds `minBatch` records, or extraction ended with fewer, so it never waits forever.
 */
export async function ingestWorkflow(input: IngestInput): Promise<IngestSummary> {
  const info = workflowInfo();
  const startedAt = Date.now();
  const heartbeatTimeout = (input.heartbeatTimeoutSeconds ?? INGEST_DEFAULTS.heartbeatTimeoutSeconds) * 1000;
  const minBatch = input.minBatch ?? INGEST_DEFAULTS.minBatch;
  const longRunning = { startToCloseTimeout: '24h', heartbeatTimeout, retry: RETRY } as const;
  const io = proxyActivities<IoActivities>({ taskQueue: input.taskQueues.io, ...longRunning });
  const ioQuick = proxyActivities<IoActivities>({
    taskQueue: input.taskQueues.io,
    startToCloseTimeout: '30s',
    retry: RETRY,
  });
  const cpu = proxyActivities<CpuActivities>({ taskQueue: input.taskQueues.cpu, ...longRunning });

  const progress: IngestProgress = { phase: 'extracting' };
  setHandler(ingestProgressQuery, () => progress);

  // Whichever of the concurrent activities fails first cancels the others and is reported.
  const scope = new CancellationScope();
  let failure: unknown;
  const fail = (error: unknown) => {
    failure ??= error;
    scope.cancel();
  };
  const embedderReady = scope.run(() => cpu.ensureEmbedder(input.embedder));
  embedderReady.catch(fail);
  // Runs since this patch settle the embedder before extracting and stamp it on every paper, so
  // whichever consumer takes a paper embeds it with this run's embedder, even during a refit.
  const stampedVersion = patched(STAMP_EMBEDDER_PATCH) ? (await embedderReady).version : undefined;
  const extractionDone = scope.run(() =>
    io.extractToBuffer({
      source: input.source,
      limit: input.limit,
      pageSize: input.pageSize ?? INGEST_DEFAULTS.pageSize,
      ingestDay: new Date(info.startTime).toISOString().slice(0, 10),
      ingestWorkflowId: info.workflowId,
      embedderVersion: stampedVersion,
    }),
  );
  extractionDone.then((result) => (progress.extraction = result), fail);

  while (progress.extraction === undefined && failure === undefined) {
    const depth = await ioQuick.bufferDepth();
    progress.bufferLength = depth.length;
    if (depth.length >= minBatch) break;
    await condition(() => progress.extraction !== undefined || failure !== undefined, '2s');
  }

  let extraction: ExtractResult;
  try {
    const embedder = await embedderReady;
    progress.embedderVersion = embedder.version;
    progress.phase = 'embedding';
    const consumers = patched(PARALLEL_EMBED_PATCH)
      ? Math.max(1, Math.floor(input.embedConsumers ?? INGEST_DEFAULTS.embedConsumers))
      : 1;
    const consumed = await scope.run(() =>
      Promise.all(
        Array.from({ length: consumers }, () =>
          cpu.embedFromBuffer({
            embedderVersion: embedder.version,
            ingestWorkflowId: info.workflowId,
            batchSize: input.embedBatchSize ?? INGEST_DEFAULTS.embedBatchSize,
            maxRecordsPerSecond: input.maxEmbedRecordsPerSecond,
          }),
        ),
      ),
    );
    progress.embedding = consumed.reduce((sum, result) => ({
      processed: sum.processed + result.processed,
      stored: sum.stored + result.stored,
      inserted: sum.inserted + result.inserted,
      replaced: sum.replaced + result.replaced,
      unchanged: sum.unchanged + result.unchanged,
      deadLettered: sum.deadLettered + result.deadLettered,
    }));
    extraction = await extractionDone;
  } catch (error) {
    scope.cancel(); // an embedding failure stops the extraction too
    throw failure ?? error;
  }

  progress.phase = 'summarizing';
  const outcome = await ioQuick.runOutcome(info.workflowId);
  const balanced =
    extraction.extracted === extraction.accepted + extraction.rejected &&
    extraction.accepted === extraction.duplicates + outcome.stored + outcome.deadLettered;
  if (!balanced) log.warn('ingestion counts do not add up', { extraction, outcome });
  progress.phase = 'done';
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    source: describeSource(input.source),
    extracted: extraction.extracted,
    accepted: extraction.accepted,
    rejected: extraction.rejected,
    rejectedByReason: extraction.rejectedByReason,
    duplicates: extraction.duplicates,
    embedded: outcome.stored,
    // Absent from the outcomes of runs acknowledged before they were counted.
    newPapers: outcome.inserted ?? 0,
    revised: outcome.replaced ?? 0,
    unchanged: outcome.unchanged ?? 0,
    deadLettered: outcome.deadLettered,
    balanced,
    // Runs extracted before the manifest returned the keys themselves.
    rawObjectCount: extraction.rawObjectCount ?? extraction.rawObjects?.length ?? 0,
    rawManifest: extraction.rawManifest,
    embedderVersion: progress.embedderVersion!,
    seconds: (Date.now() - startedAt) / 1000,
  };
}
