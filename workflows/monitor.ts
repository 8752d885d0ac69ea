import {
  ChildWorkflowFailure,
  defineQuery,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  WorkflowIdReusePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type {
  CpuActivities,
  DriftSettings,
  IoActivities,
  MonitorDriftResult,
  MonitorReference,
  RetrainDecision,
} from '../activities';
import type { WindowSpec } from '../lib/monitoring/current-window';
import { retryPolicy } from './retry';
import { trainWorkflow, type TrainSummary } from './train';
import type { RetrainReport, RetrainSettings, TaskQueues } from './types';

export interface MonitorWorkflowInput extends DriftSettings {
  taskQueues: TaskQueues;
  /** Compare with this training run instead of the serving one. */
  referenceRunId?: string;
  window: WindowSpec;
  retrain?: RetrainSettings;
  heartbeatTimeoutSeconds?: number;
}

export type MonitorPhase = 'resolving' | 'analyzing' | 'recording' | 'deciding' | 'retraining' | 'done';

export interface MonitorProgress {
  phase: MonitorPhase;
  reference?: MonitorReference;
  result?: Omit<MonitorDriftResult, 'summary'> & { drift: boolean; qualityAlert: boolean };
  decision?: RetrainDecision;
}

export interface MonitorSummary extends MonitorDriftResult {
  workflowId: string;
  workflowRunId: string;
  reference: MonitorReference;
  drift: boolean;
  qualityAlert: boolean;
  mlflowRunId: string;
  mlflowRunUrl: string;
  retrain: RetrainReport;
}

export const monitorProgressQuery = defineQuery<MonitorProgress>('progress');

const RETRY = retryPolicy(10);

/**
 * Compares the current window with the serving model's reference data (Evidently-parity drift,
 * predicted classes, model quality), stores the HTML report and its verdicts (object store,
 * MLflow, MongoDB), and on drift or a quality alert starts one retraining per drift episode as a
 * child workflow — which still has to beat the champion to be promoted.
 */
export async function monitorWorkflow(input: MonitorWorkflowInput): Promise<MonitorSummary> {
  const info = workflowInfo();
  const at = new Date(info.startTime).toISOString();
  const heartbeatTimeout = (input.heartbeatTimeoutSeconds ?? 120) * 1000;
  const io = proxyActivities<IoActivities>({
    taskQueue: input.taskQueues.io,
    startToCloseTimeout: '10m',
    retry: RETRY,
  });
  const cpu = proxyActivities<CpuActivities>({
    taskQueue: input.taskQueues.cpu,
    startToCloseTimeout: '2h',
    heartbeatTimeout,
    retry: RETRY,
  });

  const progress: MonitorProgress = { phase: 'resolving' };
  setHandler(monitorProgressQuery, () => progress);

  const reference = await io.resolveMonitorReference({ runId: input.referenceRunId });
  progress.reference = reference;
  const monitoringRun = await io.startMonitoringRun({
    workflowId: info.workflowId,
    reference,
    window: JSON.stringify(input.window),
  });

  progress.phase = 'analyzing';
  const result = await cpu.monitorDrift({
    workflowId: info.workflowId,
    workflowRunId: info.runId,
    reference,
    monitoringRun,
    window: input.window,
    windowEnd: at,
    maxRows: input.maxRows,
    minRows: input.minRows,
    drift: input.drift,
    embeddingMethod: input.embeddingMethod,
    alertOn: input.alertOn,
    maxMacroF1Drop: input.maxMacroF1Drop,
  });
  const drift = result.summary?.drift ?? false;
  const qualityAlert = result.summary?.qualityAlert ?? false;
  const { summary: _summary, ...brief } = result;
  progress.result = { ...brief, drift, qualityAlert };

  progress.phase = 'recording';
  await io.finishMonitoringRun({ workflowId: info.workflowId, reference, monitoringRun, result, at });

  progress.phase = 'deciding';
  const decision = await io.decideRetraining({
    monitorWorkflowId: info.workflowId,
    reference,
    at,
    drift,
    qualityAlert,
    reasons: result.summary?.reasons ?? [],
    enabled: input.retrain?.enabled ?? true,
    cooldownHours: input.retrain?.cooldownHours,
    dailyCap: input.retrain?.dailyCap,
  });
  progress.decision = decision;
  const retrain: RetrainReport = {
    decision: decision.decision,
    detail: decision.detail,
    workflowId: decision.retrainWorkflowId,
    promoted: null,
    modelVersion: null,
    trainingRunId: null,
    reason: null,
  };

  if (decision.retrainWorkflowId) {
    progress.phase = 'retraining';
    Object.assign(retrain, await retrainAsChild(io, input, info.workflowId, reference, decision.retrainWorkflowId));
  }
  progress.phase = 'done';
  return {
    ...result,
    workflowId: info.workflowId,
    workflowRunId: info.runId,
    reference,
    drift,
    qualityAlert,
    mlflowRunId: monitoringRun.runId,
    mlflowRunUrl: monitoringRun.runUrl,
    retrain,
    seconds: (Date.now() - new Date(at).getTime()) / 1000,
  };
}

/**
 * Runs the retraining this monitor was granted as a child workflow and records what became of it
 * (promoted, kept out, failed); or that Temporal refused it, its id being already running.
 */
async function retrainAsChild(
  io: ReturnType<typeof proxyActivities<IoActivities>>,
  input: MonitorWorkflowInput,
  monitorWorkflowId: string,
  reference: MonitorReference,
  retrainWorkflowId: string,
): Promise<Partial<RetrainReport>> {
  try {
    const child = await startChild(trainWorkflow, {
      workflowId: retrainWorkflowId,
      taskQueue: input.taskQueues.io,
      args: [{ ...input.retrain?.training, taskQueues: input.taskQueues }],
      // The retraining outlives a cancelled monitor; and one episode's id never runs twice.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    let training: TrainSummary | undefined;
    let failure: string | undefined;
    try {
      training = await child.result();
    } catch (error) {
      if (!(error instanceof ChildWorkflowFailure)) throw error;
      failure = error.cause?.message ?? error.message;
    }
    const reason = training ? training.promotionReason : `the retraining failed: ${failure}`;
    await io.recordRetrainOutcome({
      monitorWorkflowId,
      servingRunId: reference.runId,
      retrainWorkflowId,
      outcome: {
        at: new Date().toISOString(),
        trainingRunId: training?.runId ?? null,
        modelVersion: training?.modelVersion ?? null,
        promoted: training?.promoted ?? false,
        reason,
        macroF1: training?.macroF1 ?? null,
      },
    });
    return {
      promoted: training?.promoted ?? false,
      modelVersion: training?.modelVersion ?? null,
      trainingRunId: training?.runId ?? null,
      reason,
    };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    await io.recordRetrainOutcome({
      monitorWorkflowId,
      servingRunId: reference.runId,
      retrainWorkflowId,
      alreadyRunning: true,
    });
    return {
      decision: 'already-running',
      detail: `${retrainWorkflowId} was already running`,
      workflowId: retrainWorkflowId,
    };
  }
}
