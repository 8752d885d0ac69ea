import { defineQuery, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ChampionScore, CpuActivities, IoActivities, PromotionResult, TrainResult } from '../activities';
import type { MlpHyperparameters } from '../lib/model/mlp';
import type { TaskQueues } from './ingest';
import { retryPolicy } from './retry';

export interface TrainWorkflowInput {
  taskQueues: TaskQueues;
  embedderVersion?: string;
  from?: string;
  until?: string;
  hyperparameters?: Partial<MlpHyperparameters>;
  minExamplesPerClass?: number;
  heartbeatTimeoutSeconds?: number;
}

export type TrainPhase = 'training' | 'scoring-champion' | 'registering' | 'done';

export interface TrainWorkflowProgress {
  phase: TrainPhase;
  training?: TrainResult;
  champion?: ChampionScore | null;
}

export interface TrainSummary extends TrainResult {
  workflowId: string;
  workflowRunId: string;
  modelName: string;
  modelVersion: string;
  promoted: boolean;
  promotionReason: string;
  champion: ChampionScore | null;
  seconds: number;
}

export const trainProgressQuery = defineQuery<TrainWorkflowProgress>('progress');

const RETRY = retryPolicy(10);
const MAX_PROMOTION_ROUNDS = 3;

/**
 * train → score the current champion on the same test set → register the model and move the
 * champion alias only if the new model is not worse. Each step is retried on its own; a retried
 * training resumes its MLflow run from the last epoch checkpoint.
 */
export async function trainWorkflow(input: TrainWorkflowInput): Promise<TrainSummary> {
  const info = workflowInfo();
  const startedAt = Date.now();
  const heartbeatTimeout = (input.heartbeatTimeoutSeconds ?? 120) * 1000;
  const cpu = proxyActivities<CpuActivities>({ taskQueue: input.taskQueues.cpu, startToCloseTimeout: '12h', heartbeatTimeout, retry: RETRY });
  const io = proxyActivities<IoActivities>({ taskQueue: input.taskQueues.io, startToCloseTimeout: '10m', retry: RETRY });

  const progress: TrainWorkflowProgress = { phase: 'training' };
  setHandler(trainProgressQuery, () => progress);

  const training = await cpu.trainModel({
    idempotencyKey: info.workflowId,
    workflowId: info.workflowId,
    workflowRunId: info.runId,
    embedderVersion: input.embedderVersion,
    from: input.from,
    until: input.until,
    hyperparameters: input.hyperparameters,
    minExamplesPerClass: input.minExamplesPerClass,
  });
  progress.training = training;

  // Score the champion, then decide; if another training moved the alias meanwhile, score the new one.
  let champion: ChampionScore | null;
  let promotion: PromotionResult;
  let rounds = 0;
  do {
    progress.phase = 'scoring-champion';
    champion = (await cpu.scoreChampion({ candidateRunId: training.runId })) ?? null;
    progress.champion = champion;
    progress.phase = 'registering';
    promotion = await io.registerAndPromote({ runId: training.runId, candidateMacroF1: training.macroF1, champion: champion ?? undefined });
    rounds += 1;
  } while (promotion.championChanged && rounds < MAX_PROMOTION_ROUNDS);
  progress.phase = 'done';
  return {
    ...training,
    workflowId: info.workflowId,
    workflowRunId: info.runId,
    modelName: promotion.modelName,
    modelVersion: promotion.modelVersion,
    promoted: promotion.promoted,
    promotionReason: promotion.reason,
    champion,
    seconds: (Date.now() - startedAt) / 1000,
  };
}
