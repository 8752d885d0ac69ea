import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { paperText } from '../lib/arxiv/record';
import type { SourceSpec } from '../lib/arxiv/source-spec';
import { openSource } from '../lib/arxiv/sources';
import { PaperStream, type AcknowledgedEntry, type StreamMessage } from '../lib/buffer/paper-stream';
import type { DeadLetter } from '../lib/deadletters/dead-letter-store';
import { fitInThread } from '../lib/embedding/fit-in-thread';
import { DEFAULT_LSA_CONFIG, type LsaConfig } from '../lib/embedding/lsa-embedder';
import { currentEmbedder, loadEmbedder, saveEmbedder, setCurrentEmbedder, type EmbedderManifest } from '../lib/embedding/registry';
import type { FeatureInput } from '../lib/features/feature-store';
import type { ActivityDeps } from './deps';
import { failFastOn } from './errors';

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
      const source = openSource(settings.referenceSource, {
        pageSize: 1_000,
        arxivApiUrl: deps.config.arxiv.apiUrl,
        oaiUrl: deps.config.arxiv.oaiUrl,
        requestIntervalMs: deps.config.arxiv.requestIntervalMs,
        onWait: () => context.heartbeat({ step: 'reading reference corpus' }),
      });
      const limit = settings.referenceLimit ?? Number.POSITIVE_INFINITY;
      for await (const page of source.pages({ offset: 0 })) {
        for (const item of page.items) if (item.ok && texts.length < limit) texts.push(paperText(item.record));
        context.heartbeat({ step: 'reading reference corpus', texts: texts.length });
        if (texts.length >= limit) break;
      }
      // The fit runs in a thread: this event loop stays free to heartbeat while it works.
      const beat = setInterval(() => context.heartbeat({ step: 'fitting' }), 2_000);
      try {
        const embedder = await fitInThread(texts, configFor(settings), {
          onStep: (step) => context.heartbeat({ step }),
          signal: context.cancellationSignal,
        });
        const manifest = await saveEmbedder(deps.store, embedder, source.label);
        await setCurrentEmbedder(deps.store, manifest);
        context.log.info('embedder fitted', { version: manifest.version, documents: manifest.documents });
        return manifest;
      } finally {
        clearInterval(beat);
      }
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
        processed: 0, stored: 0, inserted: 0, replaced: 0, unchanged: 0, deadLettered: 0,
      };
      const embedder = await loadEmbedder(deps.store, input.embedderVersion);
      const consumer = `${hostname()}:${process.pid}`;
      // XREADGROUP BLOCK holds its connection, so this consumer reads on a connection of its own.
      const reader = deps.redis.duplicate();
      const stream = new PaperStream(reader, deps.stream.options);
      const started = Date.now();
      try {
        await stream.ensureGroup();
        await stream.pruneIdleConsumers(24 * 3600 * 1000);
        for (;;) {
          if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
          const messages = await stream.read(consumer, input.batchSize, IDLE_BLOCK_MS);
          if (messages.length === 0) {
            context.heartbeat(progress);
            const depth = await stream.depth();
            if (depth.length === 0 && (await stream.isProducerDone(input.ingestWorkflowId))) break;
            continue;
          }
          await storeBatch(messages, embedder.version, (text) => embedder.embed(text), progress);
          context.heartbeat(progress);
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

  async function storeBatch(
    messages: StreamMessage[],
    embedderVersion: string,
    embed: (text: string) => Float32Array,
    progress: EmbedProgress,
  ): Promise<void> {
    const inputs: FeatureInput[] = [];
    const letters: DeadLetter[] = [];
    const entries: AcknowledgedEntry[] = [];
    for (const message of messages) {
      if (message.paper) {
        const { record, rawKey, ingestWorkflowId } = message.paper;
        inputs.push({ record, vector: embed(paperText(record)), lineage: { rawKey, ingestWorkflowId } });
        entries.push({ id: message.id, ingestWorkflowId, outcome: 'stored' });
        continue;
      }
      const run = message.fields.run ?? 'unknown';
      letters.push({
        stage: 'buffer',
        reason: 'undecodable_message',
        detail: message.error ?? 'undecodable message',
        raw: JSON.stringify(message.fields).slice(0, 20_000),
        position: `stream entry ${message.id}`,
        source: deps.stream.options.stream,
        ingestWorkflowId: run,
      });
      entries.push({ id: message.id, ingestWorkflowId: run, outcome: 'dead' });
    }
    const written = await deps.features.upsert(embedderVersion, inputs);
    await deps.deadLetters.record(letters);
    const acknowledged = await deps.stream.acknowledge(entries);
    progress.processed += acknowledged;
    progress.stored += inputs.length;
    progress.inserted += written.inserted;
    progress.replaced += written.replaced;
    progress.unchanged += written.unchanged;
    progress.deadLettered += letters.length;
  }

  return { ensureEmbedder, embedFromBuffer };
}
