import {
  isModelFamily,
  LEGACY_FAMILY,
  mlpModel,
  sparseLinearModel,
  type CategoryModel,
  type ModelFamily,
} from '../model/family';
import { loadTf } from '../model/tfjs';
import { LabelEncoder } from '../model/label-encoder';
import { MlpClassifier } from '../model/mlp';
import { deserializeSparseLinear } from '../model/sparse-linear-file';
import type { MlflowClient } from './mlflow-client';
import { runParam, type Run } from './types';

/** What every training run stores, by artifact path, so writers and readers agree on the names. */
export const RUN_ARTIFACTS = {
  modelDir: 'model',
  modelJson: 'model/model.json',
  modelWeights: 'model/weights.bin',
  sparseLinearModel: 'model/sparse_linear.bin',
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
  /** The parent run of a training with candidates: one row per candidate, and the chart of them. */
  candidates: 'candidates.json',
  candidatesCsv: 'candidates.csv',
  candidatesChart: 'candidates.svg',
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
  /** A parent training run: the candidates it tried (comma-separated names). */
  candidates: 'mlops.training.candidates',
  /** A candidate's nested run: its name. */
  candidate: 'mlops.training.candidate',
  /** A parent training run: the candidate whose model it carries. */
  winner: 'mlops.training.winner',
  backend: 'mlops.training.backend',
  /** true when reference_data.csv holds papers the embedder was fitted on (monitoring would see false drift). */
  referenceEmbedderInSample: 'mlops.reference.embedder_in_sample',
} as const;

export const EMBEDDER_VERSION_PARAM = 'embedder_version';
export const MODEL_FAMILY_PARAM = 'model_family';

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
  family: ModelFamily;
  model: CategoryModel;
  encoder: LabelEncoder;
  embedderVersion: string;
}

/** The family a run's model belongs to (runs from before families are MLPs). */
export function runFamily(run: Run): ModelFamily {
  const family = runParam(run, MODEL_FAMILY_PARAM) ?? LEGACY_FAMILY;
  if (!isModelFamily(family))
    throw new NotATrainingRunError(
      `run ${run.info.run_id} has model family "${family}", which this version cannot load`,
    );
  return family;
}

async function loadCategoryModel(client: MlflowClient, run: Run, family: ModelFamily): Promise<CategoryModel> {
  if (family === 'tfidf-linear')
    return sparseLinearModel(
      deserializeSparseLinear(await client.downloadArtifact(run, RUN_ARTIFACTS.sparseLinearModel)),
    );
  const [modelJson, weights] = await Promise.all([
    client.downloadArtifact(run, RUN_ARTIFACTS.modelJson),
    client.downloadArtifact(run, RUN_ARTIFACTS.modelWeights),
  ]);
  const { tf } = await loadTf();
  return mlpModel(await MlpClassifier.fromArtifacts(tf, modelJson.toString('utf8'), weights));
}

/** Loads a training run's model (of its family), label encoder and embedder version from MLflow. */
export async function loadTrainedModel(client: MlflowClient, run: Run): Promise<TrainedModel> {
  const embedderVersion = runParam(run, EMBEDDER_VERSION_PARAM);
  if (!embedderVersion)
    throw new NotATrainingRunError(
      `run ${run.info.run_id} has no ${EMBEDDER_VERSION_PARAM} param: it is not a training run of this project`,
    );
  const family = runFamily(run);
  const [model, encoderJson] = await Promise.all([
    loadCategoryModel(client, run, family),
    client.downloadArtifact(run, RUN_ARTIFACTS.labelEncoder),
  ]);
  return {
    runId: run.info.run_id,
    family,
    model,
    encoder: LabelEncoder.fromJSON(encoderJson.toString('utf8')),
    embedderVersion,
  };
}
