import { createHash } from 'node:crypto';
import type { Binary, Collection, Db } from 'mongodb';
import { DEFAULT_PREDICTION_LOG } from '../config/config';
import { duplicatesOfStoredBatch } from '../features/bulk-insert';
import type { TextDescriptors } from '../features/feature-store';

/** One served prediction, as monitoring reads it back. */
export interface PredictionDocument {
  /** `<request id>:<item index>`: a flush retried after a lost answer writes nothing twice. */
  _id: string;
  requestId: string;
  at: Date;
  /** sha256 of the title and abstract: the same paper asked twice has the same hash. */
  inputHash: string;
  /** The text itself only with PREDICTION_LOG_TEXT=true; the hash and descriptors always. */
  title?: string;
  abstract?: string;
  text: TextDescriptors;
  /** The embedder's vector (float32, little-endian), as for stored features. */
  embedding: Binary;
  category: string;
  /** Every class's probability, in `classes` order. */
  probabilities: number[];
  classes: string[];
  top: Array<{ category: string; probability: number }>;
  modelName: string;
  modelVersion: string | null;
  runId: string;
  embedderVersion: string;
}

export function inputHash(paper: { title: string; abstract: string }): string {
  return createHash('sha256').update(paper.title).update('\u0000').update(paper.abstract).digest('hex');
}

export const PREDICTIONS_COLLECTION = 'predictions';

export interface PredictionLogOptions {
  /** Write at least this often (milliseconds). */
  flushIntervalMs: number;
  /** Write at most this many documents at once. */
  maxBatch: number;
  /** Keep at most this many unwritten predictions in memory (MongoDB down)… */
  maxBacklog: number;
  /** …and at most this many bytes of them; beyond either bound the oldest are dropped and counted. */
  maxBacklogBytes: number;
  /** Delete predictions older than this many days (0: keep them forever). */
  retentionDays: number;
  /** Told when predictions are dropped (the backlog was full) and when a write fails. */
  onOverflow?: (dropped: number, totalDropped: number, droppedBytes: number) => void;
  onWriteError?: (error: unknown, backlog: number) => void;
}

const DEFAULTS: PredictionLogOptions = {
  flushIntervalMs: 500,
  maxBatch: 1_000,
  maxBacklog: DEFAULT_PREDICTION_LOG.maxBacklog,
  maxBacklogBytes: DEFAULT_PREDICTION_LOG.maxBacklogBytes,
  retentionDays: DEFAULT_PREDICTION_LOG.retentionDays,
};

const DAY_SECONDS = 86_400;
/** How often expired predictions are deleted by the log itself, for servers without a TTL monitor. */
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * What a queued document holds in memory, roughly: its strings (UTF-16), the embedding's bytes,
 * the numbers of its arrays, and a fixed overhead for the object and its small fields.
 */
export function approximateBytes(document: PredictionDocument): number {
  const text = (document.title?.length ?? 0) + (document.abstract?.length ?? 0) + document.category.length + document.modelName.length + document.runId.length + document.embedderVersion.length;
  return 512 + 2 * text + document.embedding.length() + 16 * document.probabilities.length + 8 * document.classes.length + 96 * document.top.length;
}

/**
 * The prediction log: predictions are queued in memory and written to MongoDB in the background,
 * so a request never waits for the database; what MongoDB refuses stays queued and is written
 * again. `close()` writes what is left (what SIGTERM flushes; a SIGKILL loses the queue).
 */
export class PredictionLog {
  readonly collection: Collection<PredictionDocument>;
  private readonly options: PredictionLogOptions;
  private queue: PredictionDocument[] = [];
  private queuedBytes = 0;
  /** The batch a write is sending: out of the queue until it is stored, back at its front if the write fails. */
  private inFlight: PredictionDocument[] = [];
  private inFlightBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private purgeTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private indexed = false;
  private written = 0;
  private dropped = 0;
  private droppedBytes = 0;
  private failedWrites = 0;
  private expired = 0;
  /** How old predictions go, once the indexes are made: MongoDB's TTL index (and the hourly pass), or the hourly pass alone. */
  retention: 'ttl index' | 'hourly deletion' | 'kept forever' | 'unknown' = 'unknown';

  constructor(db: Db, options: Partial<PredictionLogOptions> = {}) {
    this.collection = db.collection<PredictionDocument>(PREDICTIONS_COLLECTION);
    this.options = { ...DEFAULTS, ...options };
  }

  /**
   * Creates the indexes monitoring reads by (also done before the first write), and the retention's
   * TTL index on `at`, which MongoDB's TTL monitor applies (a changed retention is applied to the
   * index). Servers without TTL indexes (FerretDB 1.x) rely on `deleteExpired()` alone.
   */
  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ at: -1 }, { name: 'latest_first' });
    await this.collection.createIndex({ runId: 1, at: -1 }, { name: 'by_model_run' });
    if (this.options.retentionDays <= 0) {
      this.retention = 'kept forever';
      return;
    }
    const expireAfterSeconds = Math.round(this.options.retentionDays * DAY_SECONDS);
    try {
      await this.collection.createIndex({ at: 1 }, { name: 'retention', expireAfterSeconds });
      this.retention = 'ttl index';
    } catch (error) {
      const code = (error as { codeName?: string }).codeName;
      if (code === 'NotImplemented' || code === 'CannotCreateIndex') {
        this.retention = 'hourly deletion';
        return;
      }
      // The index exists with another retention: change it in place.
      if (code !== 'IndexOptionsConflict') throw error;
      await this.collection.db.command({ collMod: this.collection.collectionName, index: { name: 'retention', expireAfterSeconds } });
      this.retention = 'ttl index';
    }
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush().catch(() => undefined), this.options.flushIntervalMs);
    this.timer.unref();
    if (this.options.retentionDays > 0 && !this.purgeTimer) {
      // Now (MongoDB may be down: then at the next pass) and hourly.
      const maintain = () => void this.indexOnce().then(() => this.deleteExpired()).catch(() => undefined);
      this.purgeTimer = setInterval(maintain, PURGE_INTERVAL_MS);
      this.purgeTimer.unref();
      maintain();
    }
  }

  private async indexOnce(): Promise<void> {
    if (this.indexed) return;
    await this.ensureIndexes();
    this.indexed = true;
  }

  /**
   * Deletes the predictions older than the retention. MongoDB's TTL monitor does the same on its
   * own; this covers MongoDB-protocol servers without one (FerretDB), and runs once an hour.
   */
  async deleteExpired(now = new Date()): Promise<number> {
    if (this.options.retentionDays <= 0) return 0;
    const cutoff = new Date(now.getTime() - this.options.retentionDays * DAY_SECONDS * 1000);
    const { deletedCount } = await this.collection.deleteMany({ at: { $lt: cutoff } });
    this.expired += deletedCount;
    return deletedCount;
  }

  /** Queues predictions to write; when the backlog is full the oldest queued are dropped, counted and reported. */
  record(documents: PredictionDocument[]): void {
    for (const document of documents) {
      this.queue.push(document);
      this.queuedBytes += approximateBytes(document);
    }
    this.enforceBound();
  }

  /** Keeps queued + in-flight within both bounds, dropping the oldest queued (never what a write is sending). */
  private enforceBound(): void {
    let excess = 0;
    let excessBytes = 0;
    while (
      excess < this.queue.length &&
      (this.backlog - excess > this.options.maxBacklog || this.backlogBytes - excessBytes > this.options.maxBacklogBytes)
    ) {
      excessBytes += approximateBytes(this.queue[excess]!);
      excess += 1;
    }
    if (excess > 0) {
      this.queue = this.queue.slice(excess);
      this.queuedBytes -= excessBytes;
      this.dropped += excess;
      this.droppedBytes += excessBytes;
      this.options.onOverflow?.(excess, this.dropped, excessBytes);
    }
  }

  /** Predictions answered but not yet in MongoDB (queued, or being written). */
  get backlog(): number {
    return this.queue.length + this.inFlight.length;
  }

  /** The memory those predictions hold, roughly (bytes). */
  get backlogBytes(): number {
    return this.queuedBytes + this.inFlightBytes;
  }

  /** Bytes of the predictions dropped because the backlog was full. */
  get droppedByteCount(): number {
    return this.droppedBytes;
  }

  /** Predictions deleted by the log's own retention pass. */
  get expiredCount(): number {
    return this.expired;
  }

  get writtenCount(): number {
    return this.written;
  }

  /** Predictions dropped because the backlog was full. */
  get droppedCount(): number {
    return this.dropped;
  }

  /** Writes MongoDB refused or did not answer (each retried at the next flush). */
  get failedWriteCount(): number {
    return this.failedWrites;
  }

  /** Writes the queue (in batches); what fails stays queued for the next flush. */
  flush(): Promise<void> {
    this.flushing ??= this.writeQueue()
      .catch((error: unknown) => {
        this.failedWrites += 1;
        this.options.onWriteError?.(error, this.backlog);
        throw error;
      })
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  private async writeQueue(): Promise<void> {
    if (this.queue.length > 0) await this.indexOnce();
    while (this.queue.length > 0) {
      this.inFlight = this.queue.slice(0, this.options.maxBatch);
      this.queue = this.queue.slice(this.inFlight.length);
      this.inFlightBytes = this.inFlight.reduce((sum, document) => sum + approximateBytes(document), 0);
      this.queuedBytes -= this.inFlightBytes;
      try {
        await this.collection.insertMany(this.inFlight, { ordered: false });
      } catch (error) {
        if (!duplicatesOfStoredBatch(error, this.inFlight.length)) {
          this.queue = [...this.inFlight, ...this.queue];
          this.queuedBytes += this.inFlightBytes;
          this.inFlight = [];
          this.inFlightBytes = 0;
          this.enforceBound();
          throw error;
        }
      }
      this.written += this.inFlight.length;
      this.inFlight = [];
      this.inFlightBytes = 0;
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    this.timer = undefined;
    this.purgeTimer = undefined;
    await this.flush();
  }
}
