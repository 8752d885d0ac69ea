import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../lib/config/config';
import { loadEmbedder } from '../lib/embedding/registry';
import { connectMongo, type MongoConnection } from '../lib/features/mongo';
import { openObjectStore } from '../lib/storage';
import { MlflowClient } from '../lib/tracking/mlflow-client';
import { resolveServingRun } from '../lib/tracking/resolve';
import { loadPredictor } from '../lib/tracking/serving-model';
import { PredictionLog } from '../lib/predictions/prediction-log';
import { buildApp } from './app';
import { ModelHolder, type ServedModel } from './model-holder';

/** The serving model as the configuration chooses it: LATEST_TRAINING_RUN_ID, else the alias. */
export async function loadServedModel(config: AppConfig, mlflow: MlflowClient): Promise<ServedModel> {
  const { modelName, alias } = config.tracking;
  const serving = await resolveServingRun(mlflow, config.tracking);
  const store = openObjectStore(config);
  try {
    // Runs trained before their embedder was logged with them find it in the object store.
    const predictor = await loadPredictor(mlflow, serving.run, (version) => loadEmbedder(store, version));
    return { predictor, modelName, modelVersion: serving.modelVersion ?? null, chosenBy: serving.source, alias, loadedAt: new Date() };
  } finally {
    await store.close();
  }
}

export interface RunningApi {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/** `mlops api`: the app on a port, the serving model loaded, MongoDB connected for readiness. */
export async function startApi(config: AppConfig, options: { host: string; port: number; logger?: boolean }): Promise<RunningApi> {
  const mlflow = new MlflowClient(config.mlflow.url);
  const models = new ModelHolder(await loadServedModel(config, mlflow));
  let mongo: MongoConnection | undefined;
  try {
    mongo = await connectMongo(config.mongo.endpoint.url, config.mongo.database);
  } catch {
    mongo = undefined; // /readyz says so; predictions do not need it yet
  }
  const log = mongo ? new PredictionLog(mongo.db) : undefined;
  await log?.ensureIndexes();
  log?.start();
  const app = buildApp({ models, log, mongoReachable: async () => Boolean(mongo && (await mongo.db.command({ ping: 1 })).ok === 1) }, { logger: options.logger });
  app.addHook('onClose', async () => {
    // Closing (SIGTERM) writes the predictions still queued; only a kill can lose them.
    await log?.close();
    models.current().predictor.dispose();
    await mongo?.close();
  });
  const url = await app.listen({ host: options.host, port: options.port });
  return { app, url, close: () => app.close() };
}
