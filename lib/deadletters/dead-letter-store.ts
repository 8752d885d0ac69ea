import { createHash } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { RejectReason } from '../arxiv/validate';

/** Where in the pipeline an input was refused (`prediction_log`: an entry of the API's prediction stream). */
export type DeadLetterStage = 'extract' | 'buffer' | 'prediction_log';

export interface DeadLetter {
  stage: DeadLetterStage;
  reason: RejectReason | 'undecodable_message';
  detail: string;
  /** The input as received (bounded in size). */
  raw: string;
  /** Which input: `file:… line 17`, `arxiv:… start 200`, a stream id. */
  position: string;
  source: string;
  ingestWorkflowId: string;
}

export interface DeadLetterDocument extends DeadLetter {
  _id: string;
  at: Date;
}

export const DEAD_LETTERS_COLLECTION = 'dead_letters';

/** Same input refused twice by the same run (a retried page) is stored once. */
function deadLetterId(letter: DeadLetter): string {
  return createHash('sha256')
    .update([letter.ingestWorkflowId, letter.stage, letter.position, letter.raw].join('\u0000'))
    .digest('hex')
    .slice(0, 32);
}

export interface DeadLetterQuery {
  ingestWorkflowId?: string;
  reason?: string;
  limit?: number;
}

/** Rejected input is kept, with its reason, so nothing is lost and every rejection can be found. */
export class DeadLetterStore {
  readonly collection: Collection<DeadLetterDocument>;

  constructor(db: Db) {
    this.collection = db.collection<DeadLetterDocument>(DEAD_LETTERS_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ ingestWorkflowId: 1, reason: 1 }, { name: 'run_reason' });
  }

  async record(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const at = new Date();
    await this.collection.bulkWrite(
      letters.map((letter) => ({
        updateOne: {
          filter: { _id: deadLetterId(letter) },
          update: { $setOnInsert: { ...letter, at } },
          upsert: true,
        },
      })),
      { ordered: false },
    );
  }

  find(query: DeadLetterQuery = {}): Promise<DeadLetterDocument[]> {
    const filter: Record<string, unknown> = {};
    if (query.ingestWorkflowId) filter.ingestWorkflowId = query.ingestWorkflowId;
    if (query.reason) filter.reason = query.reason;
    return this.collection
      .find(filter)
      .sort({ at: 1, _id: 1 })
      .limit(query.limit ?? 0)
      .toArray();
  }

  count(query: Omit<DeadLetterQuery, 'limit'> = {}): Promise<number> {
    const filter: Record<string, unknown> = {};
    if (query.ingestWorkflowId) filter.ingestWorkflowId = query.ingestWorkflowId;
    if (query.reason) filter.reason = query.reason;
    return this.collection.countDocuments(filter);
  }
}
