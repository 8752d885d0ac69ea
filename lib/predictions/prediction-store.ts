import type { Collection, Db } from 'mongodb';
import { duplicatesOfStoredBatch } from '../features/bulk-insert';
import { PREDICTIONS_COLLECTION, type PredictionDocument } from './prediction-document';

const DAY_SECONDS = 86_400;

export type RetentionMode = 'ttl index' | 'hourly deletion' | 'kept forever' | 'unknown';

/**
 * The predictions collection monitoring reads: idempotent batch inserts (a prediction delivered
 * twice is stored once), the indexes the monitor reads by, and the retention.
 */
export class PredictionStore {
  readonly collection: Collection<PredictionDocument>;
  /** How old predictions go, once the indexes are made: MongoDB's TTL index (and the hourly pass), or the hourly pass alone. */
  retention: RetentionMode = 'unknown';
  private indexed = false;

  constructor(
    db: Db,
    private readonly retentionDays: number,
  ) {
    this.collection = db.collection<PredictionDocument>(PREDICTIONS_COLLECTION);
  }

  /**
   * Creates the indexes monitoring reads by, and the retention's TTL index on `at`, which MongoDB's
   * TTL monitor applies (a changed retention is applied to the index). Servers without TTL indexes
   * (FerretDB 1.x) rely on `deleteExpired()` alone.
   */
  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ at: -1 }, { name: 'latest_first' });
    await this.collection.createIndex({ runId: 1, at: -1 }, { name: 'by_model_run' });
    this.indexed = true;
    if (this.retentionDays <= 0) {
      this.retention = 'kept forever';
      return;
    }
    const expireAfterSeconds = Math.round(this.retentionDays * DAY_SECONDS);
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
      await this.collection.db.command({
        collMod: this.collection.collectionName,
        index: { name: 'retention', expireAfterSeconds },
      });
      this.retention = 'ttl index';
    }
  }

  /** Stores a batch; predictions stored before (a redelivered entry) are skipped. Returns how many were new. */
  async insert(documents: PredictionDocument[]): Promise<number> {
    if (documents.length === 0) return 0;
    if (!this.indexed) await this.ensureIndexes();
    try {
      return (await this.collection.insertMany(documents, { ordered: false })).insertedCount;
    } catch (error) {
      const duplicates = duplicatesOfStoredBatch(error, documents.length);
      if (!duplicates) throw error;
      return documents.length - duplicates.length;
    }
  }

  /**
   * Deletes the predictions older than the retention. MongoDB's TTL monitor does the same on its
   * own; this covers MongoDB-protocol servers without one (FerretDB).
   */
  async deleteExpired(now = new Date()): Promise<number> {
    if (this.retentionDays <= 0) return 0;
    const cutoff = new Date(now.getTime() - this.retentionDays * DAY_SECONDS * 1000);
    const { deletedCount } = await this.collection.deleteMany({ at: { $lt: cutoff } });
    return deletedCount;
  }
}
