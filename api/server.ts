import type { FastifyInstance } from 'fastify';
import type Redis from 'ioredis';
import { connectRedis } from '../lib/buffer/redis';
import type { AppConfig } from '../lib/config/config';
import { loadEmbedder } from '../lib/embedding/registry';
import { throttledReport } from '../lib/logging/throttled-report';
import { PredictionPublisher, publisherConnection } from '../lib/predictions/prediction-publisher';
import { openObjectStore } from '../lib/storage';
import { MlflowClient, mlflowClientFor } from '../lib/tracking/mlflow-client';
import { listenForPromotions } from '../lib/tracking/promotions';
import { NoServingModelError, resolveServingRun } from '../lib/tracking/resolve';
import { loadPredictor } from '../lib/tracking/serving-model';
import { buildApp } from './app';
import { ModelHolder, type ServedModel } from './model-holder';
import { ModelReloader } from './model-reloader';

/** The serving model as the configuration chooses it: LATEST_TRAINING_RUN_ID, else the alias. */
export async function loadServedModel(config: AppConfig, mlflow: MlflowClient): Promise<ServedModel> {
  const { modelName, alias } = config.tracking;
  const serving = await resolveServingRun(mlflow, config.tracking);
  const store = openObjectStore(config);
  try {
    // Runs trained before their embedder was logged with them find it in the object store.
    const predictor = await loadPredictor(mlflow, serving.run, (version) => loadEmbedder(store, version));
    return {
      predictor,
      modelName,
      modelVersion: serving.modelVersion ?? null,
      chosenBy: serving.source,
      alias,
      loadedAt: new Date(),
    };
  } finally {
    await store.close();
  }
}

export interface RunningApi {
  app: FastifyInstance;
  url: string;
  reloader: ModelReloader;
  log: PredictionPublisher;
  close(): Promise<void>;
}

export interface ApiListenOptions {
  host: string;
  port: number;
  /** pino level; default from API_LOG_LEVEL. */
  logLevel?: string;
  /** Start without a model when none is promoted yet (a fresh stack): 503 until a promotion loads one. */
  waitForModel?: boolean;
  /** One of the workers of `mlops api --workers N` (its /metrics adds up every worker's). */
  clustered?: boolean;
}

/** The serving model, or none when `waitForModel` allows that and nothing is promoted yet. */
async function initialModel(
  config: AppConfig,
  mlflow: MlflowClient,
  waitForModel: boolean,
): Promise<ServedModel | undefined> {
  try {
    return await loadServedModel(config, mlflow);
  } catch (error) {
    if (waitForModel && error instanceof NoServingModelError) return undefined;
    throw error;
  }
}

const withTimeout = <T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> =>
  Promise.race([promise, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms).unref())]);

/**
 * `mlops api`: the app on a port with the serving model loaded; predictions appended to a Redis
 * stream the I/O worker drains into MongoDB (Redis may be down: a bounded backlog keeps them and
 * retries); the model reloaded when the alias moves (polled, and at once when a training announces
 * a promotion on Redis).
 */
export async function startApi(config: AppConfig, options: ApiListenOptions): Promise<RunningApi> {
  const mlflow = mlflowClientFor(config);
  const models = new ModelHolder(await initialModel(config, mlflow, options.waitForModel ?? false));
  const redis = publisherConnection(config.redis.url);
  // Reassigned once the app (and its logger) exists; the log may report before that.
  let report: { warn(fields: object, message: string): void; error(fields: object, message: string): void } = {
    warn: () => undefined,
    error: () => undefined,
  };
  // Once a second at most: while Redis is away every request fails the same way.
  const reportAppendError = throttledReport(1_000, (error: unknown, backlog: number) =>
    report.warn(
      { err: error, backlog },
      'prediction log: Redis did not take the predictions, they wait in the backlog',
    ),
  );
  const log = new PredictionPublisher(redis, {
    stream: config.api.predictionLog.stream,
    maxBacklog: config.api.predictionLog.maxBacklog,
    maxBacklogBytes: config.api.predictionLog.maxBacklogBytes,
    onOverflow: (dropped, total, bytes) =>
      report.error(
        { dropped, droppedBytes: bytes, total },
        'prediction log full (Redis unreachable too long): oldest predictions dropped',
      ),
    onAppendError: reportAppendError,
  });
  log.start();
  const reloader = new ModelReloader(models, {
    choose: async () => {
      const serving = await resolveServingRun(mlflow, config.tracking);
      return { runId: serving.run.info.run_id, modelVersion: serving.modelVersion ?? null };
    },
    load: () => loadServedModel(config, mlflow),
    onReload: (outcome) =>
      report.warn({ reason: outcome.reason, from: outcome.from, to: outcome.to }, 'serving a new model'),
    onError: (error, reason) =>
      error instanceof NoServingModelError
        ? report.warn({ reason }, 'no model is promoted yet: waiting for a training')
        : report.error({ err: error, reason }, 'model reload failed: the current model stays'),
  });
  const app = buildApp(
    {
      models,
      log,
      reloader,
      adminKey: config.api.adminKey,
      redisReachable: () =>
        withTimeout(
          redis.ping().then(
            (answer) => answer === 'PONG',
            () => false,
          ),
          2_000,
          false,
        ),
    },
    {
      logLevel: options.logLevel ?? config.api.logLevel,
      limits: config.api.limits,
      logText: config.api.predictionLog.storeText,
      clustered: options.clustered ?? false,
    },
  );
  report = app.log;

  let subscriber: Redis | undefined;
  if (!config.tracking.latestTrainingRunId) {
    reloader.startPolling(config.api.reloadIntervalSeconds);
    try {
      subscriber = await connectRedis(config.redis.url, 'arxiv-mlops-api-promotions');
      await listenForPromotions(subscriber, (event) => {
        if (event.modelName !== config.tracking.modelName || event.alias !== config.tracking.alias) return;
        reloader
          .reload(`promotion of v${event.version}`)
          .catch((error: unknown) => report.error({ err: error }, 'model reload after a promotion failed'));
      });
    } catch (error) {
      subscriber?.disconnect();
      subscriber = undefined;
      report.warn({ err: error }, 'promotions not heard (Redis unreachable): the alias is polled only');
    }
  }

  app.addHook('onClose', async () => {
    // Closing (SIGTERM) offers the backlog to Redis once more; what Redis still refuses is reported.
    subscriber?.disconnect();
    await reloader.stop();
    await log.close();
    if (log.backlog > 0)
      report.error({ unwritten: log.backlog }, 'prediction log: Redis unreachable at shutdown, predictions not logged');
    models.dispose();
    redis.disconnect();
  });
  let url: string;
  try {
    url = await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await app.close(); // a port in use: release the model, MongoDB, Redis and the timers before saying so
    throw error;
  }
  return { app, url, reloader, log, close: () => app.close() };
}
