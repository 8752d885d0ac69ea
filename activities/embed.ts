import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { paperText } from '../lib/arxiv/record';
import type { SourceSpec } from '../lib/arxiv/source-spec';
import { openSource, sourceOptions } from '../lib/arxiv/sources';
import { PaperStream, type AcknowledgedEntry, type StreamMessage } from '../lib/buffer/paper-stream';
import type { DeadLetter } from '../lib/deadletters/dead-letter-store';
import { fitInThread } from '../lib/embedding/fit-in-thread';
import { DEFAULT_LSA_CONFIG, type LsaConfig, type LsaEmbedder } from '../lib/embedding/lsa-embedder';
import { DEFAULT_EMBEDDER_HOLDOUT, isHeldOut } from '../lib/embedding/holdout';
import {
  currentEmbedder,
  describeBadVersion,
  isEmbedderVersionName,
  loadEmbedder,
  saveEmbedder,
  setCurrentEmbedder,
  type EmbedderManifest,
} from '../lib/embedding/registry';
import type { FeatureInput } from '../lib/features/feature-store';
import type { ActivityDeps } from './deps';
import { withHeartbeat } from './heartbeat';
import { failFastOn, isPermanent } from './errors';

export interface EmbedderSettings {
  /** The corpus an embedder is fitted on when none exists yet. */
  referenceSource: SourceSpec;
  referenceLimit?: number;
  dimensions?: number;
  maxFeatures?: number;
  /** Fit a new embedder even when one is current. */
  refit?: boolean;
}

export interface EmbedInput {
  /** For messages that do not name their embedder (published by older runs). */
  embedderVersion: string;
  /** The ingestion run whose end (producer done, buffer drained) ends this activity. */
  ingestWorkflowId: string;
  batchSize: number;
  /** Optional throttle, to spare a shared feature store. */
  maxRecordsPerSecond?: number;
}

export interface EmbedProgress {
  /** Messages taken from the buffer and acknowledged by this activity (all runs). */
  processed: number;
  stored: number;
  inserted: number;
  replaced: number;
  unchanged: number;
  deadLettered: number;
}

export type EmbedResult = EmbedProgress;

const IDLE_BLOCK_MS = 1_000;

function configFor(settings: EmbedderSettings): LsaConfig {
  return {
    ...DEFAULT_LSA_CONFIG,
    dimensions: settings.dimensions ?? DEFAULT_LSA_CONFIG.dimensions,
    tfidf: { ...DEFAULT_LSA_CONFIG.tfidf, maxFeatures: settings.maxFeatures ?? DEFAULT_LSA_CONFIG.tfidf.maxFeatures },
  };
}

export function createEmbedActivities(deps: ActivityDeps) {
  /** Returns the current embedder, fitting and storing one on the reference corpus first if there is none. */
  async function ensureEmbedder(settings: EmbedderSettings): Promise<EmbedderManifest> {
    return failFastOn(async () => {
      const context = Context.current();
      if (!settings.refit) {
        const current = await currentEmbedder(deps.store);
        if (current) return current;
      }
      const texts: string[] = [];
      const source = openSource(
        settings.referenceSource,
        sourceOptions(deps.config, 1_000, () => context.heartbeat({ step: 'reading reference corpus' })),
      );
      const limit = settings.referenceLimit ?? Number.POSITIVE_INFINITY;
      for await (const page of source.pages({ offset: 0 })) {
        for (const item of page.items) {
          // Held-out papers stay unseen, so monitoring can compare new papers with papers like them.
          if (item.ok && texts.length < limit && !isHeldOut(item.record.id, DEFAULT_EMBEDDER_HOLDOUT))
            texts.push(paperText(item.record));
        }
        context.heartbeat({ step: 'reading reference corpus', texts: texts.length });
        if (texts.length >= limit) break;
      }
      // The fit runs in a thread: this event loop stays free to heartbeat while it works.
      return withHeartbeat(
        () => ({ step: 'fitting' }),
        async () => {
          const embedder = await fitInThread(texts, configFor(settings), {
            onStep: (step) => context.heartbeat({ step }),
            signal: context.cancellationSignal,
          });
          const manifest = await saveEmbedder(deps.store, embedder, source.label, DEFAULT_EMBEDDER_HOLDOUT);
          await setCurrentEmbedder(deps.store, manifest);
          context.log.info('embedder fitted', { version: manifest.version, documents: manifest.documents });
          return manifest;
        },
        2_000,
      );
    });
  }

  /**
   * Consumes the buffer: embeds each paper, stores the features, and only then acknowledges the
   * message. Abandoned messages of crashed consumers are claimed first. Returns once the given
   * ingestion run has finished publishing and the buffer is empty.
   */
  async function embedFromBuffer(input: EmbedInput): Promise<EmbedResult> {
    return failFastOn(async () => {
      const context = Context.current();
      const resumed = context.info.heartbeatDetails as EmbedProgress | undefined;
      const progress: EmbedProgress = resumed ?? {
        processed: 0,
        stored: 0,
        inserted: 0,
        replaced: 0,
        unchanged: 0,
        deadLettered: 0,
      };
      await loadEmbedder(deps.store, input.embedderVersion); // fail early if the run's own embedder is missing
      // One name per activity: two consumers of one run may share a process.
      const consumer = `${hostname()}:${process.pid}:${context.info.activityId}`;
      // XREADGROUP BLOCK holds its connection, so this consumer reads on a connection of its own.
      const reader = deps.redis.duplicate();
      const stream = new PaperStream(reader, deps.stream.options);
      const started = Date.now();
      try {
        await stream.ensureGroup();
        await stream.pruneIdleConsumers(24 * 3600 * 1000);
        // One batch is written (and then acknowledged) while the next is embedded: the store's
        // round trips no longer leave this core idle, nor the store while this core embeds.
        let writing: Promise<void> | undefined;
        for (;;) {
          if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
          const messages = await stream.read(consumer, input.batchSize, IDLE_BLOCK_MS);
          if (messages.length === 0) {
            await writing;
            writing = undefined;
            context.heartbeat(progress);
            // Done flag first: it is set only after the run's last publish, so an empty stream seen
            // after it really is the end (read the other way round, a last page could slip in between).
            const producerDone = await stream.isProducerDone(input.ingestWorkflowId);
            if (producerDone && (await stream.depth()).length === 0) break;
            continue;
          }
          const batch = await embedBatch(messages, input.embedderVersion);
          await writing;
          writing = writeBatch(batch, progress).then(() => context.heartbeat(progress));
          // Not awaited yet: a failure surfaces at the next await; meanwhile it must not go unhandled.
          writing.catch(() => undefined);
          if (input.maxRecordsPerSecond) {
            const aheadMs = (progress.processed / input.maxRecordsPerSecond) * 1000 - (Date.now() - started);
            if (aheadMs > 0) await sleep(aheadMs);
          }
        }
      } finally {
        reader.disconnect();
      }
      return progress;
    });
  }

  interface EmbeddedBatch {
    /** Per embedder version, its inputs and their stream entries in the same order (the entry records what the write did). */
    byVersion: Map<string, { inputs: FeatureInput[]; entries: AcknowledgedEntry[] }>;
    letters: DeadLetter[];
    entries: AcknowledgedEntry[];
  }

  /** Embeds each message with the embedder its run chose; undecodable ones become dead letters. */
  async function embedBatch(messages: StreamMessage[], fallbackVersion: string): Promise<EmbeddedBatch> {
    const byVersion: EmbeddedBatch['byVersion'] = new Map();
    const embedders = new Map<string, LsaEmbedder>();
    const letters: DeadLetter[] = [];
    const entries: AcknowledgedEntry[] = [];
    for (const message of messages) {
      let problem = message.error;
      if (message.paper) {
        const { record, rawKey, ingestWorkflowId } = message.paper;
        const version = message.paper.embedderVersion ?? fallbackVersion;
        if (!isEmbedderVersionName(version)) {
          // A stream entry naming a path (`/`, `..`) must not reach the object store, nor stay pending.
          problem = describeBadVersion(version);
        } else {
          try {
            let embedder = embedders.get(version);
            if (!embedder) embedders.set(version, (embedder = await loadEmbedder(deps.store, version)));
            const group = byVersion.get(version) ?? { inputs: [], entries: [] };
            const text = paperText(record);
            group.inputs.push({
              record,
              vector: embedder.embed(text),
              oovShare: embedder.outOfVocabularyShare(text),
              lineage: { rawKey, ingestWorkflowId },
            });
            const entry: AcknowledgedEntry = { id: message.id, ingestWorkflowId, outcome: 'inserted' };
            group.entries.push(entry);
            entries.push(entry);
            byVersion.set(version, group);
            continue;
          } catch (error) {
            // A store that cannot be reached is retried; a paper that cannot be embedded (no such
            // embedder, unusable text) must not hold back the others, or every later run.
            if (!isPermanent(error) && !(error instanceof TypeError || error instanceof RangeError)) throw error;
            problem = `could not embed with ${version}: ${(error as Error).message}`;
          }
        }
      }
      const run = message.fields.run ?? 'unknown';
      letters.push({
        stage: 'buffer',
        reason: 'undecodable_message',
        detail: problem ?? 'undecodable message',
        raw: JSON.stringify(message.fields).slice(0, 20_000),
        position: `stream entry ${message.id}`,
        source: deps.stream.options.stream,
        ingestWorkflowId: run,
      });
      entries.push({ id: message.id, ingestWorkflowId: run, outcome: 'dead' });
    }
    return { byVersion, letters, entries };
  }

  /** Stores a batch's features and dead letters, then acknowledges its messages. */
  async function writeBatch({ byVersion, letters, entries }: EmbeddedBatch, progress: EmbedProgress): Promise<void> {
    for (const [version, { inputs, entries: written }] of byVersion) {
      const result = await deps.features.upsert(version, inputs);
      result.outcomes.forEach((outcome, index) => (written[index]!.outcome = outcome));
      progress.stored += inputs.length;
      progress.inserted += result.inserted;
      progress.replaced += result.replaced;
      progress.unchanged += result.unchanged;
    }
    await deps.deadLetters.record(letters);
    progress.processed += await deps.stream.acknowledge(entries);
    progress.deadLettered += letters.length;
  }

  return { ensureEmbedder, embedFromBuffer };
}
