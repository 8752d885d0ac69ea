import { delimiter, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_PREDICTION_LOG } from './api-defaults';
import type { AppConfig, EngineEndpoint, MlflowAuth } from './app-config';
import { checkAdminKey, ConfigError, validateUrl } from './config-checks';
import { envSchema } from './env-schema';
import { LOCAL_S3_CREDENTIALS, localUrls } from './local-engines';
import { projectRoot } from './paths';

// The configuration's shape, its defaults and its error, as they have always been imported from here.
export type { ApiLimits, AppConfig, EngineEndpoint, MlflowAuth, PredictionLogSettings, S3Settings } from './app-config';
export { DEFAULT_API_LIMITS } from './api-defaults';
export { ConfigError } from './config-checks';
export { CONFIG_VARIABLES } from './env-schema';

function endpoint(given: string | undefined, local: string): EngineEndpoint {
  return given ? { url: given, external: true } : { url: local, external: false };
}

/**
 * MLflow's own variables: a token (bearer) wins over a user name and password (basic). Without
 * them, the `user:password@` of MLFLOW_TRACKING_URI, if any, is used by the client.
 */
function mlflowAuth(e: {
  MLFLOW_TRACKING_USERNAME?: string;
  MLFLOW_TRACKING_PASSWORD?: string;
  MLFLOW_TRACKING_TOKEN?: string;
}): MlflowAuth | undefined {
  if (e.MLFLOW_TRACKING_TOKEN) return { kind: 'bearer', token: e.MLFLOW_TRACKING_TOKEN };
  if (e.MLFLOW_TRACKING_USERNAME || e.MLFLOW_TRACKING_PASSWORD) {
    if (!e.MLFLOW_TRACKING_USERNAME || !e.MLFLOW_TRACKING_PASSWORD) {
      throw new ConfigError('MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD go together: set both, or neither');
    }
    return { kind: 'basic', username: e.MLFLOW_TRACKING_USERNAME, password: e.MLFLOW_TRACKING_PASSWORD };
  }
  return undefined;
}

function objectStoreUrl(given: string | undefined, dataDir: string): string {
  if (!given) return pathToFileURL(resolve(dataDir, 'objects')).href;
  if (given.startsWith('s3://') || given.startsWith('file://')) return given;
  // A bare path is accepted as a local folder for convenience.
  return pathToFileURL(isAbsolute(given) ? given : resolve(projectRoot(), given)).href;
}

/** Reads and validates the whole configuration once; everything else receives the typed result. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  const dataDir = e.MLOPS_DATA_DIR ? resolve(projectRoot(), e.MLOPS_DATA_DIR) : resolve(projectRoot(), '.data');

  if (e.REDIS_URL) validateUrl('REDIS_URL', e.REDIS_URL, ['redis:', 'rediss:']);
  if (e.MONGODB_URI) validateUrl('MONGODB_URI', e.MONGODB_URI, ['mongodb:', 'mongodb+srv:']);
  if (e.MLFLOW_TRACKING_URI) validateUrl('MLFLOW_TRACKING_URI', e.MLFLOW_TRACKING_URI, ['http:', 'https:']);
  if (e.S3_ENDPOINT) validateUrl('S3_ENDPOINT', e.S3_ENDPOINT, ['http:', 'https:']);
  if (e.MLOPS_API_KEY !== undefined) checkAdminKey(e.MLOPS_API_KEY);

  const s3Endpoint = endpoint(e.S3_ENDPOINT, localUrls.s3);
  const s3Credentials =
    e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
      ? { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY }
      : s3Endpoint.external
        ? undefined // the AWS SDK's default chain (env, profile, instance role) applies
        : { ...LOCAL_S3_CREDENTIALS };

  const temporal = endpoint(e.TEMPORAL_ADDRESS, localUrls.temporal);
  return {
    dataDir,
    temporal: {
      endpoint: temporal,
      namespace: e.TEMPORAL_NAMESPACE ?? 'default',
      uiUrl: e.TEMPORAL_UI_URL ?? (temporal.external ? undefined : localUrls.temporalUi),
      taskQueues: { io: e.TASK_QUEUE_IO ?? 'arxiv-mlops-io', cpu: e.TASK_QUEUE_CPU ?? 'arxiv-mlops-cpu' },
    },
    redis: endpoint(e.REDIS_URL, localUrls.redis),
    buffer: {
      stream: e.BUFFER_STREAM ?? 'arxiv:papers',
      group: e.BUFFER_GROUP ?? 'embedders',
      highWaterMark: e.BUFFER_HIGH_WATER_MARK,
      claimIdleMs: e.BUFFER_CLAIM_IDLE_MS,
    },
    mongo: { endpoint: endpoint(e.MONGODB_URI, localUrls.mongo), database: e.MONGODB_DATABASE ?? 'arxiv_mlops' },
    objectStore: {
      url: objectStoreUrl(e.OBJECT_STORE_URL, dataDir),
      s3: { endpoint: s3Endpoint, region: e.S3_REGION ?? 'us-east-1', credentials: s3Credentials },
    },
    arxiv: {
      apiUrl: e.ARXIV_API_URL ?? 'https://export.arxiv.org/api/query',
      oaiUrl: e.ARXIV_OAI_URL ?? 'https://oaipmh.arxiv.org/oai',
      requestIntervalMs: e.ARXIV_REQUEST_INTERVAL_MS,
    },
    ingest: {
      fileRoots: (e.INGEST_FILE_ROOTS?.split(delimiter) ?? [resolve(projectRoot(), 'data'), process.cwd()])
        .filter((root) => root.trim() !== '')
        .map((root) => resolve(root.trim())),
      maxLineBytes: e.INGEST_MAX_LINE_BYTES,
    },
    mlflow: endpoint(e.MLFLOW_TRACKING_URI, localUrls.mlflow),
    mlflowAuth: mlflowAuth(e),
    tracking: {
      experiment: e.MLFLOW_EXPERIMENT ?? 'arxiv-classifier',
      modelName: e.MLFLOW_MODEL_NAME ?? 'arxiv-classifier',
      alias: e.MLFLOW_MODEL_ALIAS ?? 'champion',
      latestTrainingRunId: e.LATEST_TRAINING_RUN_ID,
      trainCandidates: e.TRAIN_CANDIDATES ?? 'tfidf-linear', // lib/model/candidates.ts's DEFAULT_CANDIDATES (a test keeps them equal)
    },
    monitoring: {
      experiment: e.MLFLOW_MONITORING_EXPERIMENT ?? `${e.MLFLOW_EXPERIMENT ?? 'arxiv-classifier'}-monitoring`,
      retrainCooldownHours: e.RETRAIN_COOLDOWN_HOURS,
      retrainDailyCap: Math.floor(e.RETRAIN_DAILY_CAP),
      maxMacroF1Drop: e.MONITOR_MAX_MACRO_F1_DROP,
    },
    api: {
      adminKey: e.MLOPS_API_KEY,
      reloadIntervalSeconds: e.API_RELOAD_INTERVAL_SECONDS,
      limits: {
        requestsPerMinute: e.API_RATE_LIMIT_PER_MINUTE,
        papersPerMinute: e.API_RATE_LIMIT_PAPERS_PER_MINUTE,
        requestTimeoutMs: e.API_REQUEST_TIMEOUT_MS,
        idleTimeoutMs: e.API_IDLE_TIMEOUT_MS,
        trustProxy: e.API_TRUST_PROXY,
      },
      predictionLog: {
        stream: e.PREDICTION_STREAM ?? DEFAULT_PREDICTION_LOG.stream,
        claimIdleMs: e.PREDICTION_LOG_CLAIM_IDLE_MS,
        maxBacklog: e.PREDICTION_LOG_MAX_BACKLOG,
        maxBacklogBytes: e.PREDICTION_LOG_MAX_BACKLOG_BYTES,
        retentionDays: e.PREDICTION_LOG_RETENTION_DAYS,
        storeText: e.PREDICTION_LOG_TEXT,
      },
      logLevel: e.API_LOG_LEVEL ?? 'info',
    },
  };
}

/** True when the object store is S3 (then the S3 engine matters to the stack). */
export function usesS3(config: AppConfig): boolean {
  return config.objectStore.url.startsWith('s3://');
}
