import type { RetrainDecisionKind, RetrainOutcome } from '../lib/monitoring/retrain-ledger';
import type { ActivityDeps } from './deps';
import { failFastOn } from './errors';
import type { MonitorReference } from '../lib/monitoring/monitoring-run';

export interface DecideRetrainingInput {
  monitorWorkflowId: string;
  reference: MonitorReference;
  at: string;
  drift: boolean;
  qualityAlert: boolean;
  reasons: string[];
  enabled: boolean;
  cooldownHours?: number;
  dailyCap?: number;
}

export interface RetrainDecision {
  decision: RetrainDecisionKind;
  detail: string;
  retrainWorkflowId: string | null;
}

/** The CM → CT loop's bookkeeping: whether a drift episode may retrain, and what became of it. */
export function createRetrainActivities(deps: ActivityDeps) {
  const { modelName } = deps.config.tracking;

  /** Drift or a quality alert claims a retraining within the cooldown and daily cap; every decision is recorded. */
  async function decideRetraining(input: DecideRetrainingInput): Promise<RetrainDecision> {
    return failFastOn(async () => {
      let decision: RetrainDecision;
      if (!input.drift && !input.qualityAlert) {
        decision = { decision: 'no-drift', detail: 'no drift and no quality alert', retrainWorkflowId: null };
      } else {
        const claim = await deps.ledger.claim({
          monitorWorkflowId: input.monitorWorkflowId,
          modelName: input.reference.modelName,
          servingRunId: input.reference.runId,
          at: new Date(input.at),
          policy: {
            enabled: input.enabled,
            cooldownHours: input.cooldownHours ?? deps.config.monitoring.retrainCooldownHours,
            dailyCap: input.dailyCap ?? deps.config.monitoring.retrainDailyCap,
          },
        });
        decision = claim.granted
          ? {
              decision: 'retrain',
              detail: `retraining ${claim.workflowId} on ${input.reasons.join('; ') || 'a quality alert'}`,
              retrainWorkflowId: claim.workflowId,
            }
          : { decision: claim.decision, detail: claim.detail, retrainWorkflowId: null };
      }
      await deps.ledger.recordDecision({
        _id: input.monitorWorkflowId,
        at: new Date(input.at),
        modelName: input.reference.modelName,
        servingRunId: input.reference.runId,
        servingModelVersion: input.reference.modelVersion,
        drift: input.drift,
        qualityAlert: input.qualityAlert,
        reasons: input.reasons,
        decision: decision.decision,
        detail: decision.detail,
        retrainWorkflowId: decision.retrainWorkflowId,
      });
      return decision;
    });
  }

  /**
   * What became of the retraining this monitor started (promoted, kept out, or failed), which
   * also ends the drift episode; or that Temporal refused it because it was already running.
   */
  async function recordRetrainOutcome(input: {
    monitorWorkflowId: string;
    servingRunId: string;
    retrainWorkflowId: string;
    outcome?: Omit<RetrainOutcome, 'at'> & { at: string };
    alreadyRunning?: boolean;
  }): Promise<void> {
    return failFastOn(async () => {
      if (input.alreadyRunning) {
        await deps.ledger.markAlreadyRunning(
          input.monitorWorkflowId,
          `retraining ${input.retrainWorkflowId} was already running`,
        );
        return;
      }
      if (input.outcome)
        await deps.ledger.recordOutcome(input.monitorWorkflowId, { ...input.outcome, at: new Date(input.outcome.at) });
      await deps.ledger.completeEpisode(modelName, input.servingRunId, input.retrainWorkflowId);
    });
  }

  return { decideRetraining, recordRetrainOutcome };
}
