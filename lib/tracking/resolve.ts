import { MlflowError, type MlflowClient } from './mlflow-client';
import type { Run } from './types';

export interface ServingSettings {
  /** LATEST_TRAINING_RUN_ID: an explicit pin that beats the registry alias everywhere. */
  latestTrainingRunId?: string;
  modelName: string;
  alias: string;
}

/** Which training run monitoring and inference use (its model, label encoder, reference data), and why. */
export interface ServingRun {
  run: Run;
  runId: string;
  source: 'LATEST_TRAINING_RUN_ID' | 'alias';
  modelName: string;
  modelVersion?: string;
}

export class NoServingModelError extends Error {
  override readonly name = 'NoServingModelError';
}

/** The one answer to "which run do I use": the pinned run if LATEST_TRAINING_RUN_ID is set, else the alias's. */
export async function resolveServingRun(client: MlflowClient, settings: ServingSettings): Promise<ServingRun> {
  if (settings.latestTrainingRunId) {
    try {
      const run = await client.getRun(settings.latestTrainingRunId);
      const [version] = await client.modelVersionsOfRun(settings.modelName, run.info.run_id).catch(() => []);
      return {
        run,
        runId: run.info.run_id,
        source: 'LATEST_TRAINING_RUN_ID',
        modelName: settings.modelName,
        modelVersion: version?.version,
      };
    } catch (error) {
      if (error instanceof MlflowError && error.notFound) {
        throw new NoServingModelError(
          `LATEST_TRAINING_RUN_ID=${settings.latestTrainingRunId} names no run on ${client.trackingUri}`,
        );
      }
      throw error;
    }
  }
  const version = await client.getVersionByAlias(settings.modelName, settings.alias);
  if (!version?.run_id) {
    throw new NoServingModelError(
      `no model carries the alias "${settings.alias}" of "${settings.modelName}" yet: run \`mlops run train\`, or set LATEST_TRAINING_RUN_ID`,
    );
  }
  const run = await client.getRun(version.run_id);
  return { run, runId: run.info.run_id, source: 'alias', modelName: settings.modelName, modelVersion: version.version };
}
