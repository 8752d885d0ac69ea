import { createBufferActivities } from './buffer';
import { createChampionScoreActivities } from './champion-score';
import { createChooseCandidateActivities } from './choose-candidate';
import type { ActivityDeps } from './deps';
import { createEmbedActivities } from './embed';
import { createExtractActivities } from './extract';
import { createMonitorAnalysisActivities } from './monitor-analysis';
import { createMonitoringRunActivities } from './monitoring-run';
import { createPipelineActivities } from './pipeline';
import { createPromotionActivities } from './promote';
import { createRetrainActivities } from './retrain';
import { createTrainActivities } from './train';

/** Activities for the I/O task queue: network, object store, buffer bookkeeping, the model registry. */
export function createIoActivities(deps: ActivityDeps) {
  return {
    ...createExtractActivities(deps),
    ...createBufferActivities(deps),
    ...createChooseCandidateActivities(deps),
    ...createPromotionActivities(deps),
    ...createMonitoringRunActivities(deps),
    ...createRetrainActivities(deps),
    ...createPipelineActivities(deps),
  };
}

/** Activities for the CPU task queue: fitting, embedding, training and scoring models, drift analysis. */
export function createCpuActivities(deps: ActivityDeps) {
  return {
    ...createEmbedActivities(deps),
    ...createTrainActivities(deps),
    ...createChampionScoreActivities(deps),
    ...createMonitorAnalysisActivities(deps),
  };
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
} from '../lib/training/types';
export type { ChampionScore } from './champion-score';
export type { PromotionInput, PromotionResult } from './promote';
export type { MonitorReference, MonitoringRunHandle, MonitorDriftResult } from '../lib/monitoring/monitoring-run';
export type { DriftSettings, MonitorDriftInput } from './monitor-analysis';
export type { DecideRetrainingInput, RetrainDecision } from './retrain';
