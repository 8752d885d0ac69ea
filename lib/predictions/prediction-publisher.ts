import Redis from 'ioredis';
import { encodePrediction, type PredictionDocument } from './prediction-document';

/** The stream field holding a prediction's BSON. */
export const PREDICTION_FIELD = 'p';

export interface PredictionPublisherOptions {
  stream: string;
  /** Keep at most this many unappended predictions in memory (Redis unreachable)… */
  maxBacklog: number;
  /** …and at most this many bytes of them; beyond either bound the oldest are dropped and counted. */
  maxBacklogBytes: number;
  /** How often the backlog is offered to Redis again (milliseconds). */
  retryIntervalMs: number;
  /** Append at most this many backlogged predictions at once. */
  retryBatch: number;
  onOverflow?: (dropped: number, totalDropped: number, droppedBytes: number) => void;
  onAppendError?: (error: unknown, backlog: number) => void;
}

const DEFAULTS = { retryIntervalMs: 500, retryBatch: 1_000 };

/**
 * A Redis connection for the API's side of the log: commands fail at once while Redis is away
 * (no offline queue: the publisher's backlog is the queue, and it is bounded), a reply that does
 * not come within `commandTimeoutMs` counts as a failure, and reconnecting never stops. Requests
 * made in the same tick share one write (auto-pipelining).
 */
export function publisherConnection(url: string, commandTimeoutMs = 2_000): Redis {
  const redis = new Redis(url, {
    connectionName: 'arxiv-mlops-api-predictions',
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  redis.on('error', () => undefined); // failures surface through the appends
  return redis;
}

/**
 * The API's side of the prediction log: each answered prediction is appended to a Redis stream
 * before the answer leaves (one XADD each, pipelined with every other request of the tick), so a
 * killed API loses nothing Redis acknowledged. While Redis is unreachable the predictions wait in a
 * bounded in-memory backlog, offered again every `retryIntervalMs`; the I/O worker's drainer moves
 * the stream into MongoDB.
 */
export class PredictionPublisher {
  private readonly options: PredictionPublisherOptions;
  private backlogEntries: Buffer[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private retrying: Promise<void> | undefined;
  private appended = 0;
  private dropped = 0;
  private droppedBytes = 0;
  private failedAppends = 0;

  constructor(
    private readonly redis: Redis,
    options: Omit<PredictionPublisherOptions, keyof typeof DEFAULTS> & Partial<typeof DEFAULTS>,
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  start(): void {
    this.timer ??= setInterval(() => void this.retryBacklog(), this.options.retryIntervalMs);
    this.timer.unref();
  }

  /**
   * Resolves once Redis holds the predictions, or once they wait in the backlog (Redis unreachable,
   * or a backlog still waiting: the newest queue behind it). Never rejects.
   */
  async record(documents: readonly PredictionDocument[]): Promise<void> {
    const entries = documents.map(encodePrediction);
    // Behind a backlog (or its retry in flight) the newest wait their turn rather than each waiting on Redis.
    if (this.backlogEntries.length > 0 || this.retrying || this.redis.status !== 'ready') {
      this.enqueue(entries);
      return;
    }
    const failed = await this.append(entries);
    if (failed.length > 0) this.enqueue(failed);
  }

  /** Appends each entry; returns those Redis did not acknowledge. */
  private async append(entries: Buffer[]): Promise<Buffer[]> {
    const outcomes = await Promise.allSettled(
      entries.map((entry) => this.redis.xadd(this.options.stream, '*', PREDICTION_FIELD, entry)),
    );
    const failed: Buffer[] = [];
    let firstError: unknown;
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') this.appended += 1;
      else {
        failed.push(entries[i]!);
        firstError ??= outcome.reason;
      }
    });
    if (failed.length > 0) {
      this.failedAppends += 1;
      this.options.onAppendError?.(firstError, this.backlog + failed.length);
      // A Redis that stopped answering without closing the connection: start over, which drops the
      // commands ioredis still holds for it (else they pile up outside the backlog's bound).
      if (String((firstError as Error)?.message).includes('timed out')) this.redis.disconnect(true);
    }
    return failed;
  }

  private enqueue(entries: Buffer[]): void {
    for (const entry of entries) {
      this.backlogEntries.push(entry);
      this.queuedBytes += entry.length;
    }
    this.enforceBound();
  }

  /** Keeps the backlog within both bounds, dropping the oldest. */
  private enforceBound(): void {
    let excess = 0;
    let excessBytes = 0;
    while (
      excess < this.backlogEntries.length &&
      (this.backlogEntries.length - excess > this.options.maxBacklog ||
        this.queuedBytes - excessBytes > this.options.maxBacklogBytes)
    ) {
      excessBytes += this.backlogEntries[excess]!.length;
      excess += 1;
    }
    if (excess === 0) return;
    this.backlogEntries = this.backlogEntries.slice(excess);
    this.queuedBytes -= excessBytes;
    this.dropped += excess;
    this.droppedBytes += excessBytes;
    this.options.onOverflow?.(excess, this.dropped, excessBytes);
  }

  /** Offers the backlog to Redis again, oldest first, in batches; stops at the first batch refused. */
  retryBacklog(): Promise<void> {
    this.retrying ??= (async () => {
      while (this.backlogEntries.length > 0 && this.redis.status === 'ready') {
        const batch = this.backlogEntries.slice(0, this.options.retryBatch);
        this.backlogEntries = this.backlogEntries.slice(batch.length);
        const batchBytes = batch.reduce((sum, entry) => sum + entry.length, 0);
        this.queuedBytes -= batchBytes;
        const failed = await this.append(batch);
        if (failed.length > 0) {
          this.backlogEntries = [...failed, ...this.backlogEntries];
          this.queuedBytes += failed.reduce((sum, entry) => sum + entry.length, 0);
          this.enforceBound();
          return;
        }
      }
    })().finally(() => {
      this.retrying = undefined;
    });
    return this.retrying;
  }

  /** Predictions answered but not yet in Redis. */
  get backlog(): number {
    return this.backlogEntries.length;
  }

  /** The bytes they hold (their BSON). */
  get backlogBytes(): number {
    return this.queuedBytes;
  }

  get appendedCount(): number {
    return this.appended;
  }

  /** Predictions dropped because the backlog was full. */
  get droppedCount(): number {
    return this.dropped;
  }

  get droppedByteCount(): number {
    return this.droppedBytes;
  }

  /** Appends Redis refused or did not answer (their predictions went to the backlog). */
  get failedAppendCount(): number {
    return this.failedAppends;
  }

  /** Stops retrying after one last offer of the backlog (what SIGTERM does; the rest is reported by the caller). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.retryBacklog();
  }
}
