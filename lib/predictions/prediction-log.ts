import { createHash } from 'node:crypto';
import type { Binary, Collection, Db } from 'mongodb';
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
  title: string;
  abstract: string;
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
  /** Keep at most this many unwritten predictions in memory (MongoDB down); older ones beyond are dropped and counted. */
  maxBacklog: number;
  /** Told when predictions are dropped (the backlog was full) and when a write fails. */
  onOverflow?: (dropped: number, totalDropped: number) => void;
  onWriteError?: (error: unknown, backlog: number) => void;
}

const DEFAULTS: PredictionLogOptions = { flushIntervalMs: 500, maxBatch: 1_000, maxBacklog: 100_000 };

/**
 * The prediction log: predictions are queued in memory and written to MongoDB in the background,
 * so a request never waits for the database; what MongoDB refuses stays queued and is written
 * again. `close()` writes what is left (what SIGTERM flushes; a SIGKILL loses the queue).
 */
export class PredictionLog {
  readonly collection: Collection<PredictionDocument>;
  private readonly options: PredictionLogOptions;
  private queue: PredictionDocument[] = [];
  /** The batch a write is sending: out of the queue until it is stored, back at its front if the write fails. */
  private inFlight: PredictionDocument[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private indexed = false;
  private written = 0;
  private dropped = 0;
  private failedWrites = 0;

  constructor(db: Db, options: Partial<PredictionLogOptions> = {}) {
    this.collection = db.collection<PredictionDocument>(PREDICTIONS_COLLECTION);
    this.options = { ...DEFAULTS, ...options };
  }

  /** Creates the indexes monitoring reads by (also done before the first write). */
  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ at: -1 }, { name: 'latest_first' });
    await this.collection.createIndex({ runId: 1, at: -1 }, { name: 'by_model_run' });
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush().catch(() => undefined), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Queues predictions to write; when the backlog is full the oldest queued are dropped, counted and reported. */
  record(documents: PredictionDocument[]): void {
    this.queue.push(...documents);
    this.enforceBound();
  }

  /** Keeps queued + in-flight within the bound, dropping the oldest queued (never what a write is sending). */
  private enforceBound(): void {
    const excess = Math.min(this.queue.length, this.backlog - this.options.maxBacklog);
    if (excess > 0) {
      this.queue = this.queue.slice(excess);
      this.dropped += excess;
      this.options.onOverflow?.(excess, this.dropped);
    }
  }

  /** Predictions answered but not yet in MongoDB (queued, or being written). */
  get backlog(): number {
    return this.queue.length + this.inFlight.length;
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
    if (this.queue.length > 0 && !this.indexed) {
      await this.ensureIndexes();
      this.indexed = true;
    }
    while (this.queue.length > 0) {
      this.inFlight = this.queue.slice(0, this.options.maxBatch);
      this.queue = this.queue.slice(this.inFlight.length);
      try {
        await this.collection.insertMany(this.inFlight, { ordered: false });
      } catch (error) {
        if (!duplicatesOfStoredBatch(error, this.inFlight.length)) {
          this.queue = [...this.inFlight, ...this.queue];
          this.inFlight = [];
          this.enforceBound();
          throw error;
        }
      }
      this.written += this.inFlight.length;
      this.inFlight = [];
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
