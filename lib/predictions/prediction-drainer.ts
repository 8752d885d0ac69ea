import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type Redis from 'ioredis';
import { ensureConsumerGroup } from '../buffer/redis';
import type { DeadLetter, DeadLetterStore } from '../deadletters/dead-letter-store';
import { throttledReport } from '../logging/throttled-report';
import { decodePrediction, UndecodablePredictionError, type PredictionDocument } from './prediction-document';
import { PREDICTION_FIELD } from './prediction-publisher';
import type { PredictionStore } from './prediction-store';

export interface PredictionDrainerOptions {
  stream: string;
  group: string;
  /** This drainer's name in the group (unique per process). */
  consumer: string;
  /** Read and store at most this many predictions at once. */
  batch: number;
  /** Wait this long for new entries before looking again (milliseconds). */
  blockMs: number;
  /** Entries another drainer has held this long are presumed abandoned (it died) and taken over. */
  claimIdleMs: number;
  /** How often expired predictions are deleted (milliseconds; 0: never). */
  expireEveryMs: number;
  /** A failed batch is told to `onError` at most this often (milliseconds): an outage fails every batch the same way. */
  errorReportEveryMs: number;
  onError?: (error: unknown) => void;
}

const DEFAULTS = {
  batch: 2_000,
  blockMs: 1_000,
  claimIdleMs: 30_000,
  expireEveryMs: 60 * 60 * 1000,
  errorReportEveryMs: 10_000,
};

export const DEFAULT_DRAIN_GROUP = 'prediction-log';

export const drainerName = () => `${hostname()}-${process.pid}`;

type RawEntry = [id: Buffer, fields: Buffer[]];

export interface DrainStats {
  /** Predictions inserted into MongoDB. */
  stored: number;
  /** Entries acknowledged whose prediction was already stored (delivered twice). */
  duplicates: number;
  deadLettered: number;
  /** Entries taken over from a drainer that stopped without acknowledging them. */
  claimed: number;
  failedBatches: number;
  expired: number;
}

/**
 * The I/O worker's side of the prediction log: a consumer group drains the API's stream into
 * MongoDB in large batches at its own pace. An entry is acknowledged and deleted only after its
 * prediction is stored (so the stream length is the backlog); a drainer's own unacknowledged
 * entries are read again first, then those a dead drainer left (XAUTOCLAIM), then new ones.
 * Stored predictions are keyed by request and item, so an entry stored twice counts once.
 */
export class PredictionDrainer {
  readonly options: PredictionDrainerOptions;
  readonly stats: DrainStats = { stored: 0, duplicates: 0, deadLettered: 0, claimed: 0, failedBatches: 0, expired: 0 };
  private running: Promise<void> | undefined;
  private stopping = false;
  private lastExpiry = 0;
  private readonly reportError: (error: unknown) => boolean;

  /** `redis` must be a connection of its own: a blocking read holds it. */
  constructor(
    private readonly redis: Redis,
    private readonly store: PredictionStore,
    private readonly deadLetters: DeadLetterStore,
    options: Omit<PredictionDrainerOptions, keyof typeof DEFAULTS> & Partial<typeof DEFAULTS>,
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.reportError = throttledReport(this.options.errorReportEveryMs, (error: unknown) =>
      this.options.onError?.(error),
    );
  }

  ensureGroup(): Promise<void> {
    return ensureConsumerGroup(this.redis, this.options.stream, this.options.group);
  }

  /** Entries in the stream: not yet stored, or stored and not yet acknowledged. */
  async depth(): Promise<number> {
    return this.redis.xlen(this.options.stream);
  }

  /** Stores one batch and acknowledges it; returns how many entries it acknowledged (0: nothing waiting). */
  async drainOnce(blockMs = this.options.blockMs): Promise<number> {
    let entries = await this.ownPending();
    if (entries.length === 0) {
      entries = await this.abandoned();
      this.stats.claimed += entries.length;
    }
    if (entries.length === 0) entries = await this.readNew(blockMs);
    if (entries.length === 0) return 0;

    const documents: PredictionDocument[] = [];
    const letters: DeadLetter[] = [];
    for (const [id, fields] of entries) {
      const payload = fieldValue(fields, PREDICTION_FIELD);
      try {
        if (!payload) throw new UndecodablePredictionError(`the entry has no ${PREDICTION_FIELD} field`);
        documents.push(decodePrediction(payload));
      } catch (error) {
        if (!(error instanceof UndecodablePredictionError)) throw error;
        letters.push({
          stage: 'prediction_log',
          reason: 'undecodable_message',
          detail: error.message,
          raw: (payload ?? Buffer.alloc(0)).toString('base64').slice(0, 4_096),
          position: `${this.options.stream} ${id.toString()}`,
          source: this.options.stream,
          ingestWorkflowId: '',
        });
      }
    }
    try {
      const inserted = await this.store.insert(documents);
      await this.deadLetters.record(letters);
      this.stats.stored += inserted;
      this.stats.duplicates += documents.length - inserted;
      this.stats.deadLettered += letters.length;
    } catch (error) {
      this.stats.failedBatches += 1;
      throw error; // unacknowledged: read again from this drainer's pending entries
    }
    const ids = entries.map(([id]) => id);
    const replies = await this.redis
      .multi()
      .xack(this.options.stream, this.options.group, ...ids)
      .xdel(this.options.stream, ...ids)
      .exec();
    const refused =
      replies === null
        ? new Error('the acknowledgement was discarded (the transaction was aborted)')
        : replies.find(([error]) => error)?.[0];
    if (refused) throw refused; // stored but not acknowledged: delivered again, and stored once
    return ids.length;
  }

  /** Entries delivered to this drainer and not acknowledged (a store that failed). */
  private async ownPending(): Promise<RawEntry[]> {
    return this.readGroup(['STREAMS', this.options.stream, '0']);
  }

  private async readNew(blockMs: number): Promise<RawEntry[]> {
    return this.readGroup(['BLOCK', blockMs, 'STREAMS', this.options.stream, '>']);
  }

  private async readGroup(tail: Array<string | number>): Promise<RawEntry[]> {
    const reply = (await this.redis.callBuffer(
      'XREADGROUP',
      'GROUP',
      this.options.group,
      this.options.consumer,
      'COUNT',
      this.options.batch,
      ...tail,
    )) as Array<[Buffer, Array<RawEntry | [Buffer, null]>]> | null;
    if (!reply) return [];
    // An entry deleted while pending comes back without fields: acknowledging clears it.
    const entries = reply.flatMap(([, found]) => found);
    const gone = entries.filter(([, fields]) => fields === null).map(([id]) => id);
    if (gone.length > 0) await this.redis.xack(this.options.stream, this.options.group, ...gone);
    return entries.filter((entry): entry is RawEntry => entry[1] !== null);
  }

  private async abandoned(): Promise<RawEntry[]> {
    const reply = (await this.redis.callBuffer(
      'XAUTOCLAIM',
      this.options.stream,
      this.options.group,
      this.options.consumer,
      this.options.claimIdleMs,
      '0-0',
      'COUNT',
      this.options.batch,
    )) as [Buffer, Array<RawEntry | null>, Buffer[]?];
    const [, entries, deletedIds] = reply;
    if (deletedIds && deletedIds.length > 0)
      await this.redis.xack(this.options.stream, this.options.group, ...deletedIds);
    return entries.filter((entry): entry is RawEntry => entry !== null && entry[1] !== null);
  }

  /** Drains until stop(): a failed batch is retried after a pause, and the retention applied hourly. */
  start(): void {
    this.running ??= (async () => {
      let pauseMs = 0;
      while (!this.stopping) {
        try {
          if (pauseMs > 0) await sleep(pauseMs);
          await this.ensureGroup();
          while (!this.stopping) {
            await this.drainOnce();
            pauseMs = 0;
            await this.expireWhenDue();
          }
        } catch (error) {
          if (this.stopping) break;
          this.reportError(error);
          pauseMs = Math.min(Math.max(pauseMs * 2, 250), 5_000);
        }
      }
    })();
  }

  private async expireWhenDue(): Promise<void> {
    if (this.options.expireEveryMs <= 0 || Date.now() - this.lastExpiry < this.options.expireEveryMs) return;
    this.lastExpiry = Date.now();
    this.stats.expired += await this.store.deleteExpired();
  }

  /** Stops after the batch in hand (a blocked read ends within blockMs). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }
}

function fieldValue(fields: Buffer[], name: string): Buffer | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i]!.toString() === name) return fields[i + 1];
  return undefined;
}
