import type { MlflowClient } from '../../lib/tracking/mlflow-client';

/** Drops what an isolated test configuration wrote to the shared engines: its database and stream keys. */
export { removeIsolatedData } from '../../stack/isolated-data';

/** Deletes what a test tracked in the shared MLflow server: its registered model and experiments. */
export async function removeTrackedData(
  mlflow: MlflowClient,
  modelName: string,
  experiments: readonly string[],
): Promise<void> {
  await mlflow.deleteRegisteredModel(modelName).catch(() => undefined);
  for (const name of experiments) {
    const created = await mlflow.getExperimentByName(name);
    if (created) await mlflow.deleteExperiment(created.experiment_id);
  }
}
