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
import { RUN_ARTIFACTS, RUN_PARAMS } from './run-names';
import { runParam, type Run } from './types';

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
  const family = runParam(run, RUN_PARAMS.modelFamily) ?? LEGACY_FAMILY;
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
  const embedderVersion = runParam(run, RUN_PARAMS.embedderVersion);
  if (!embedderVersion)
    throw new NotATrainingRunError(
      `run ${run.info.run_id} has no ${RUN_PARAMS.embedderVersion} param: it is not a training run of this project`,
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
