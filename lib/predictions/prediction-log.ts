import { MongoBulkWriteError, type Collection, type Db } from 'mongodb';

/** One served prediction, as monitoring reads it back. */
export interface PredictionDocument {
  /** `<request id>:<item index>`: a flush retried after a lost answer writes nothing twice. */
  _id: string;
  requestId: string;
  at: Date;
  title: string;
  abstract: string;
  category: string;
  top: Array<{ category: string; probability: number }>;
  modelName: string;
  modelVersion: string | null;
  runId: string;
  embedderVersion: string;
}

export const PREDICTIONS_COLLECTION = 'predictions';
const DUPLICATE_KEY = 11000;

export interface PredictionLogOptions {
  /** Write at least this often (milliseconds). */
  flushIntervalMs: number;
  /** Write at most this many documents at once. */
  maxBatch: number;
}

const DEFAULTS: PredictionLogOptions = { flushIntervalMs: 500, maxBatch: 1_000 };

/**
 * The prediction log: predictions are queued in memory and written to MongoDB in the background,
 * so a request never waits for the database; what MongoDB refuses stays queued and is written
 * again. `close()` writes what is left (what SIGTERM flushes; a SIGKILL loses the queue).
 */
export class PredictionLog {
  readonly collection: Collection<PredictionDocument>;
  private readonly options: PredictionLogOptions;
  private queue: PredictionDocument[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private written = 0;

  constructor(db: Db, options: Partial<PredictionLogOptions> = {}) {
    this.collection = db.collection<PredictionDocument>(PREDICTIONS_COLLECTION);
    this.options = { ...DEFAULTS, ...options };
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ at: -1 }, { name: 'latest_first' });
    await this.collection.createIndex({ runId: 1, at: -1 }, { name: 'by_model_run' });
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush().catch(() => undefined), this.options.flushIntervalMs);
    this.timer.unref();
  }

  record(documents: PredictionDocument[]): void {
    this.queue.push(...documents);
  }

  /** Predictions answered but not yet in MongoDB. */
  get backlog(): number {
    return this.queue.length;
  }

  get writtenCount(): number {
    return this.written;
  }

  /** Writes the queue (in batches); what fails stays queued for the next flush. */
  flush(): Promise<void> {
    this.flushing ??= this.writeQueue().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async writeQueue(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.options.maxBatch);
      try {
        await this.collection.insertMany(batch, { ordered: false });
      } catch (error) {
        const duplicatesOnly =
          error instanceof MongoBulkWriteError &&
          (Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors]).every((writeError) => writeError.code === DUPLICATE_KEY);
        if (!duplicatesOnly) throw error;
      }
      this.queue = this.queue.slice(batch.length);
      this.written += batch.length;
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
