import type { AppConfig } from '../../lib/config/config';
import { connectRedis } from '../../lib/buffer/redis';
import { connectMongo } from '../../lib/features/mongo';
import type { MlflowClient } from '../../lib/tracking/mlflow-client';

/** Drops what an isolated test configuration wrote to the shared engines: its database and stream keys. */
export async function removeIsolatedData(config: AppConfig): Promise<void> {
  const mongo = await connectMongo(config.mongo.endpoint.url, config.mongo.database);
  try {
    await mongo.db.dropDatabase();
  } finally {
    await mongo.close();
  }
  const redis = await connectRedis(config.redis.url);
  try {
    const keys = await redis.keys(`${config.buffer.stream}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

/** Deletes what a test tracked in the shared MLflow server: its registered model and experiments. */
export async function removeTrackedData(mlflow: MlflowClient, modelName: string, experiments: readonly string[]): Promise<void> {
  await mlflow.deleteRegisteredModel(modelName).catch(() => undefined);
  for (const name of experiments) {
    const created = await mlflow.getExperimentByName(name);
    if (created) await mlflow.deleteExperiment(created.experiment_id);
  }
}
