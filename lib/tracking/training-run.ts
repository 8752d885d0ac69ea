import { loadTf } from '../model/tfjs';
import { LabelEncoder } from '../model/label-encoder';
import { MlpClassifier } from '../model/mlp';
import type { MlflowClient } from './mlflow-client';
import { runParam, type Run } from './types';

/** What every training run stores, by artifact path, so writers and readers agree on the names. */
export const RUN_ARTIFACTS = {
  modelDir: 'model',
  modelJson: 'model/model.json',
  modelWeights: 'model/weights.bin',
  mlModel: 'model/MLmodel',
  inputExample: 'model/input_example.json',
  embedder: 'embedder/embedder.bin',
  embedderManifest: 'embedder/manifest.json',
  labelEncoder: 'label_encoder.json',
  referenceData: 'reference_data.csv',
  confusionMatrix: 'confusion_matrix.svg',
  modelCard: 'model_card.json',
  split: 'split.json',
  testPredictions: 'test_predictions.json',
  result: 'train_result.json',
} as const;

export const RUN_TAGS = {
  idempotencyKey: 'mlops.idempotency_key',
  workflowId: 'mlops.temporal.workflow_id',
  workflowRunId: 'mlops.temporal.run_id',
  decision: 'mlops.promotion.decision',
  candidateMacroF1: 'mlops.promotion.candidate_macro_f1',
  championMacroF1: 'mlops.promotion.champion_macro_f1',
  championVersion: 'mlops.promotion.champion_version',
  modelVersion: 'mlops.registry.model_version',
  /** true when reference_data.csv holds papers the embedder was fitted on (monitoring would see false drift). */
  referenceEmbedderInSample: 'mlops.reference.embedder_in_sample',
} as const;

export const EMBEDDER_VERSION_PARAM = 'embedder_version';

/** MLflow 3 files experiments by kind; this one opens the model-training view (not GenAI's). */
export const MODEL_TRAINING_EXPERIMENT_TAGS = { 'mlflow.experimentKind': 'custom_model_development' } as const;

/** The held-out ids of a run, with their labels: the test set a champion is scored on too. */
export interface SplitArtifact {
  seed: number;
  train: string[];
  validation: string[];
  test: Array<{ id: string; label: string }>;
}

export class NotATrainingRunError extends Error {
  override readonly name = 'NotATrainingRunError';
  readonly permanent = true;
}

/** The run's own predictions on its test set, so another model can be compared on the same papers. */
export interface TestPredictions {
  ids: string[];
  labels: string[];
  predictions: string[];
}

export interface TrainedModel {
  runId: string;
  model: MlpClassifier;
  encoder: LabelEncoder;
  embedderVersion: string;
}

/** Loads a training run's TF.js model, label encoder and embedder version from MLflow. */
export async function loadTrainedModel(client: MlflowClient, run: Run): Promise<TrainedModel> {
  const embedderVersion = runParam(run, EMBEDDER_VERSION_PARAM);
  if (!embedderVersion) throw new NotATrainingRunError(`run ${run.info.run_id} has no ${EMBEDDER_VERSION_PARAM} param: it is not a training run of this project`);
  const [modelJson, weights, encoderJson] = await Promise.all([
    client.downloadArtifact(run, RUN_ARTIFACTS.modelJson),
    client.downloadArtifact(run, RUN_ARTIFACTS.modelWeights),
    client.downloadArtifact(run, RUN_ARTIFACTS.labelEncoder),
  ]);
  const { tf } = await loadTf();
  return {
    runId: run.info.run_id,
    model: await MlpClassifier.fromArtifacts(tf, modelJson.toString('utf8'), weights),
    encoder: LabelEncoder.fromJSON(encoderJson.toString('utf8')),
    embedderVersion,
  };
}
