import { MongoServerError, type Collection, type Db } from 'mongodb';

/**
 * The CM → CT ledger: every decision the monitor takes (retrain or not, and why), every outcome
 * of a retraining it started, every rollback of the alias — and the lease that keeps retraining
 * within its cooldown and daily cap even when several monitors decide at the same moment.
 */
export type RetrainDecisionKind = 'retrain' | 'no-drift' | 'cooldown' | 'daily-cap' | 'disabled' | 'already-running';

export interface RetrainDecisionDocument {
  /** The monitoring workflow id: a retried decision finds its own entry. */
  _id: string;
  kind: 'decision';
  at: Date;
  modelName: string;
  servingRunId: string;
  servingModelVersion: string | null;
  drift: boolean;
  qualityAlert: boolean;
  reasons: string[];
  decision: RetrainDecisionKind;
  detail: string;
  retrainWorkflowId: string | null;
  outcome: RetrainOutcome | null;
}

export interface RetrainOutcome {
  at: Date;
  /** Absent when the retraining failed. */
  trainingRunId: string | null;
  modelVersion: string | null;
  promoted: boolean;
  reason: string;
  macroF1: number | null;
}

export interface RollbackDocument {
  _id: string;
  kind: 'rollback';
  at: Date;
  modelName: string;
  alias: string;
  fromVersion: string | null;
  toVersion: string;
  reason: string;
}

export type LedgerDocument = RetrainDecisionDocument | RollbackDocument;

/** One lease per registered model: when retraining last started, how often today, and each serving run's episodes. */
interface RetrainLease {
  _id: string;
  lastStartedAt: Date;
  lastClaimedBy: string;
  lastWorkflowId: string;
  day: string;
  dayCount: number;
  /** Retrainings finished (promoted or not) per serving run: the next one is episode n + 1. */
  completed: Record<string, number>;
}

export const RETRAIN_LEDGER_COLLECTION = 'retrain_decisions';
export const RETRAIN_LEASES_COLLECTION = 'retrain_leases';

export interface RetrainPolicy {
  enabled: boolean;
  cooldownHours: number;
  dailyCap: number;
}

export interface ClaimRequest {
  monitorWorkflowId: string;
  modelName: string;
  servingRunId: string;
  at: Date;
  policy: RetrainPolicy;
}

export type ClaimResult =
  | { granted: true; workflowId: string }
  | { granted: false; decision: 'cooldown' | 'daily-cap' | 'disabled' | 'already-running'; detail: string };

const DUPLICATE_KEY = 11000;

/**
 * `retrain-<serving run>-<episode>`: one drift episode of a serving run — from its first drift
 * until a retraining of it finishes — has one id, so Temporal itself refuses a second start.
 */
export function retrainWorkflowId(servingRunId: string, episode: number): string {
  return `retrain-${servingRunId}-${episode}`;
}

export class RetrainLedger {
  readonly decisions: Collection<LedgerDocument>;
  private readonly leases: Collection<RetrainLease>;

  constructor(db: Db) {
    this.decisions = db.collection<LedgerDocument>(RETRAIN_LEDGER_COLLECTION);
    this.leases = db.collection<RetrainLease>(RETRAIN_LEASES_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.decisions.createIndex({ at: -1 }, { name: 'latest_first' });
  }

  /**
   * Takes the right to start this drift episode's retraining, atomically: not while it runs
   * already, and only if the last retraining started at least `cooldownHours` ago and fewer than
   * `dailyCap` started today (UTC). A monitor that holds the claim (its activity was retried)
   * gets the same answer again.
   */
  async claim(request: ClaimRequest): Promise<ClaimResult> {
    const { policy, at, modelName, servingRunId, monitorWorkflowId } = request;
    if (!policy.enabled) return { granted: false, decision: 'disabled', detail: 'retraining on drift is switched off' };
    const day = at.toISOString().slice(0, 10);
    const cooldownEnds = new Date(at.getTime() - policy.cooldownHours * 3_600_000);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const lease = await this.leases.findOne({ _id: modelName });
      const workflowId = retrainWorkflowId(servingRunId, (lease?.completed[servingRunId] ?? 0) + 1);
      if (lease?.lastWorkflowId === workflowId) {
        if (lease.lastClaimedBy === monitorWorkflowId) return { granted: true, workflowId };
        return {
          granted: false,
          decision: 'already-running',
          detail: `${workflowId} (started by ${lease.lastClaimedBy}) is this drift episode's retraining`,
        };
      }
      if (!lease) {
        if (policy.dailyCap < 1)
          return { granted: false, decision: 'daily-cap', detail: `the daily cap is ${policy.dailyCap}` };
        try {
          await this.leases.insertOne({
            _id: modelName,
            lastStartedAt: at,
            lastClaimedBy: monitorWorkflowId,
            lastWorkflowId: workflowId,
            day,
            dayCount: 1,
            completed: {},
          });
          return { granted: true, workflowId };
        } catch (error) {
          if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) continue; // another monitor created it first
          throw error;
        }
      }
      if (lease.lastStartedAt > cooldownEnds) {
        return {
          granted: false,
          decision: 'cooldown',
          detail: `retraining ${lease.lastWorkflowId} started ${lease.lastStartedAt.toISOString()}, within the ${policy.cooldownHours} h cooldown`,
        };
      }
      const today = lease.day === day ? lease.dayCount : 0;
      if (today >= policy.dailyCap) {
        return {
          granted: false,
          decision: 'daily-cap',
          detail: `${today} retraining(s) already started on ${day} (cap ${policy.dailyCap})`,
        };
      }
      // Compare-and-set on what was read: a monitor that raced us changed it, and we read again.
      const updated = await this.leases.updateOne(
        { _id: modelName, lastWorkflowId: lease.lastWorkflowId, lastClaimedBy: lease.lastClaimedBy },
        {
          $set: {
            lastStartedAt: at,
            lastClaimedBy: monitorWorkflowId,
            lastWorkflowId: workflowId,
            day,
            dayCount: today + 1,
          },
        },
      );
      if (updated.modifiedCount === 1) return { granted: true, workflowId };
    }
    return {
      granted: false,
      decision: 'already-running',
      detail: 'other monitors kept claiming the retraining at the same moment',
    };
  }

  /** A retraining finished (promoted, kept out, or failed): the serving run's next drift is a new episode. */
  async completeEpisode(modelName: string, servingRunId: string, workflowId: string): Promise<void> {
    const episode = Number(/-(\d+)$/.exec(workflowId)?.[1] ?? 0);
    await this.leases.updateOne({ _id: modelName }, { $max: { [`completed.${servingRunId}`]: episode } });
  }

  async recordDecision(document: Omit<RetrainDecisionDocument, 'kind' | 'outcome'>): Promise<void> {
    await this.decisions.updateOne(
      { _id: document._id },
      { $set: { ...document, kind: 'decision' }, $setOnInsert: { outcome: null } },
      { upsert: true },
    );
  }

  async markAlreadyRunning(monitorWorkflowId: string, detail: string): Promise<void> {
    await this.decisions.updateOne(
      { _id: monitorWorkflowId },
      { $set: { decision: 'already-running', detail, retrainWorkflowId: null } },
    );
  }

  async recordOutcome(monitorWorkflowId: string, outcome: RetrainOutcome): Promise<void> {
    await this.decisions.updateOne({ _id: monitorWorkflowId }, { $set: { outcome } });
  }

  async recordRollback(document: Omit<RollbackDocument, 'kind'>): Promise<void> {
    await this.decisions.replaceOne({ _id: document._id }, { ...document, kind: 'rollback' }, { upsert: true });
  }

  history(limit = 20): Promise<LedgerDocument[]> {
    return this.decisions.find({}).sort({ at: -1 }).limit(limit).toArray();
  }
}
