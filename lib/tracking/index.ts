export { MlflowClient, MlflowError, mlflowClientFor } from './mlflow-client';
export type { MlflowClientOptions } from './mlflow-client';
export { splitLogBatch, LOG_BATCH_LIMITS, PARAM_VALUE_LIMIT } from './log-batches';
export type { LogBatch } from './log-batches';
export { resolveServingRun, NoServingModelError } from './resolve';
export type { ServingRun, ServingSettings } from './resolve';
export { runTag, runParam, runMetric } from './types';
export type {
  Experiment,
  Run,
  RunInfo,
  RunStatus,
  Metric,
  Param,
  RunTag,
  ModelVersion,
  RegisteredModel,
  FileInfo,
} from './types';
export { RUN_ARTIFACTS, RUN_TAGS, RUN_PARAMS, RUN_METRICS, MODEL_TRAINING_EXPERIMENT_TAGS } from './run-names';
export { quoted, tagEquals } from './mlflow-filter';
export { loadTrainedModel, runFamily, NotATrainingRunError } from './training-run';
export type { SplitArtifact, TrainedModel, TestPredictions } from './training-run';
export { loadPredictor, ModelArtifactError } from './serving-model';
export type { TextPredictor, Prediction, PaperText } from './serving-model';
export { mlModelFile, inputExample, MLMODEL_FLAVOR } from './mlmodel';
