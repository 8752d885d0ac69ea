import { defineQuery, patched, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type {
  CandidateResult,
  ChampionScore,
  CpuActivities,
  IoActivities,
  PromotionResult,
  TrainResult,
} from '../activities';
import type { TrainWorkflowInput } from './types';
import { retryPolicy } from './retry';

export type TrainPhase = 'preparing' | 'training' | 'choosing' | 'scoring-champion' | 'registering' | 'done';

export interface TrainWorkflowProgress {
  phase: TrainPhase;
  /** The candidates being trained, and those finished (or failed) so far. */
  candidates?: string[];
  trained?: CandidateResult[];
  failed?: FailedCandidate[];
  training?: TrainResult;
  champion?: ChampionScore | null;
}

export interface FailedCandidate {
  name: string;
  error: string;
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
  failedCandidates?: FailedCandidate[];
}

export const trainProgressQuery = defineQuery<TrainWorkflowProgress>('progress');

const RETRY = retryPolicy(10);
const MAX_PROMOTION_ROUNDS = 3;

/**
 * prepare (select and split the papers, in a parent MLflow run) → train every candidate in
 * parallel on the CPU queue, each in a nested run → choose the best on validation macro-F1 (the
 * parent takes its model) → score the current champion on the same test set → register the model
 * and move the champion alias only if the new model is not worse. Each step is retried on its own:
 * a killed worker costs its candidate's attempt (an MLP resumes from its last epoch checkpoint),
 * never the other candidates'.
 */
export async function trainWorkflow(input: TrainWorkflowInput): Promise<TrainSummary> {
  const info = workflowInfo();
  const startedAt = Date.now();
  const heartbeatTimeout = (input.heartbeatTimeoutSeconds ?? 120) * 1000;
  const cpu = proxyActivities<CpuActivities>({
    taskQueue: input.taskQueues.cpu,
    startToCloseTimeout: '12h',
    heartbeatTimeout,
    retry: RETRY,
  });
  const io = proxyActivities<IoActivities>({
    taskQueue: input.taskQueues.io,
    startToCloseTimeout: '10m',
    retry: RETRY,
  });

  const progress: TrainWorkflowProgress = { phase: 'training' };
  setHandler(trainProgressQuery, () => progress);

  const run = { idempotencyKey: info.workflowId, workflowId: info.workflowId, workflowRunId: info.runId };
  const selection = {
    embedderVersion: input.embedderVersion,
    from: input.from,
    until: input.until,
    minExamplesPerClass: input.minExamplesPerClass,
  };
  let training: TrainResult;
  if (patched('training-candidates')) {
    const choosing = proxyActivities<IoActivities>({
      taskQueue: input.taskQueues.io,
      startToCloseTimeout: '1h',
      heartbeatTimeout,
      retry: RETRY,
    });
    progress.phase = 'preparing';
    const prepared = await cpu.prepareTraining({
      ...run,
      ...selection,
      candidates: input.candidates,
      hyperparameters: input.hyperparameters,
    });
    progress.phase = 'training';
    progress.candidates = prepared.candidates.map((candidate) => candidate.name);
    progress.trained = [];
    progress.failed = [];
    const outcomes = await Promise.allSettled(
      prepared.candidates.map(async (candidate) => {
        const result = await cpu.trainCandidate({
          prepared,
          candidate,
          workflowId: info.workflowId,
          workflowRunId: info.runId,
          from: input.from,
          until: input.until,
        });
        progress.trained!.push(result);
        return result;
      }),
    );
    const results: CandidateResult[] = [];
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') results.push(outcome.value);
      else progress.failed!.push({ name: prepared.candidates[i]!.name, error: failureMessage(outcome.reason) });
    });
    // One candidate that cannot train does not sink the others; none at all fails the training.
    if (results.length === 0) throw (outcomes[0] as PromiseRejectedResult).reason;
    progress.phase = 'choosing';
    training = await choosing.chooseCandidate({ prepared, candidates: results, failed: progress.failed, startedAt });
  } else {
    training = await cpu.trainModel({ ...run, ...selection, hyperparameters: input.hyperparameters });
  }
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
    promotion = await io.registerAndPromote({
      runId: training.runId,
      candidateMacroF1: training.macroF1,
      champion: champion ?? undefined,
    });
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
    ...(progress.failed && progress.failed.length > 0 ? { failedCandidates: progress.failed } : {}),
  };
}

/** The innermost message of an activity failure. */
function failureMessage(error: unknown): string {
  let current = error as { message?: string; cause?: unknown } | undefined;
  while (current?.cause) current = current.cause as { message?: string; cause?: unknown };
  return current?.message ?? String(error);
}
