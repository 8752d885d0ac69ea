import { createBufferActivities } from './buffer';
import type { ActivityDeps } from './deps';
import { createEmbedActivities } from './embed';
import { createExtractActivities } from './extract';
import { createMonitorActivities } from './monitor';
import { createPromotionActivities } from './promote';
import { createTrainActivities } from './train';

/** Activities for the I/O task queue: network, object store, buffer bookkeeping, the model registry. */
export function createIoActivities(deps: ActivityDeps) {
  const { registerAndPromote } = createPromotionActivities(deps);
  const { chooseCandidate } = createTrainActivities(deps);
  const {
    resolveMonitorReference,
    startMonitoringRun,
    finishMonitoringRun,
    decideRetraining,
    recordRetrainOutcome,
    trainingNeeded,
  } = createMonitorActivities(deps);
  return {
    ...createExtractActivities(deps),
    ...createBufferActivities(deps),
    registerAndPromote,
    chooseCandidate,
    resolveMonitorReference,
    startMonitoringRun,
    finishMonitoringRun,
    decideRetraining,
    recordRetrainOutcome,
    trainingNeeded,
  };
}

/** Activities for the CPU task queue: fitting, embedding, training and scoring models, drift analysis. */
export function createCpuActivities(deps: ActivityDeps) {
  const { scoreChampion } = createPromotionActivities(deps);
  const { monitorDrift } = createMonitorActivities(deps);
  const { trainModel, prepareTraining, trainCandidate } = createTrainActivities(deps);
  return { ...createEmbedActivities(deps), trainModel, prepareTraining, trainCandidate, scoreChampion, monitorDrift };
}

export type IoActivities = ReturnType<typeof createIoActivities>;
export type CpuActivities = ReturnType<typeof createCpuActivities>;

export { openActivityDeps } from './deps';
export type { ActivityDeps } from './deps';
export type { ExtractInput, ExtractProgress, ExtractResult } from './extract';
export type { EmbedInput, EmbedProgress, EmbedResult, EmbedderSettings } from './embed';
export type { RunOutcome } from './buffer';
export type {
  TrainInput,
  TrainResult,
  TrainProgress,
  PrepareTrainingInput,
  PreparedTraining,
  TrainCandidateInput,
  CandidateResult,
  ChooseCandidateInput,
} from './train';
export type { ChampionScore, PromotionInput, PromotionResult } from './promote';
export type {
  DriftSettings,
  MonitorReference,
  MonitoringRunHandle,
  MonitorDriftInput,
  MonitorDriftResult,
  DecideRetrainingInput,
  RetrainDecision,
} from './monitor';
