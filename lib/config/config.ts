import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { LOCAL_S3_CREDENTIALS, localUrls } from './local-engines';
import { projectRoot } from './paths';

/** An engine is either reached at a URL the user gave, or launched locally by `mlops stack up`. */
export interface EngineEndpoint {
  url: string;
  external: boolean;
}

export interface S3Settings {
  endpoint: EngineEndpoint;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface AppConfig {
  dataDir: string;
  temporal: {
    endpoint: EngineEndpoint;
    namespace: string;
    uiUrl: string | undefined;
    taskQueues: { io: string; cpu: string };
  };
  redis: EngineEndpoint;
  buffer: {
    stream: string;
    group: string;
    highWaterMark: number;
    claimIdleMs: number;
  };
  mongo: { endpoint: EngineEndpoint; database: string };
  objectStore: { url: string; s3: S3Settings };
  arxiv: { apiUrl: string; oaiUrl: string; requestIntervalMs: number };
  mlflow: EngineEndpoint;
  tracking: {
    experiment: string;
    modelName: string;
    alias: string;
    /** When set, monitoring and inference use this run instead of the alias's. */
    latestTrainingRunId: string | undefined;
  };
  monitoring: {
    /** MLflow experiment of the monitoring runs. */
    experiment: string;
    /** A retraining on drift starts at most this often… */
    retrainCooldownHours: number;
    /** …and at most this many times a day (UTC). */
    retrainDailyCap: number;
    /** A quality alert when macro-F1 on the current window falls by more than this. */
    maxMacroF1Drop: number;
  };
  api: {
    /** The admin key (`POST /v1/model/reload`); unset: the admin routes answer 403. */
    adminKey: string | undefined;
    /** How often the API asks the registry whether the alias moved (seconds; 0: never). */
    reloadIntervalSeconds: number;
    /** Requests per minute per client address. */
    rateLimitPerMinute: number;
    /** Predictions kept in memory while MongoDB is unreachable; beyond, the oldest are dropped and counted. */
    predictionLogMaxBacklog: number;
    /** pino level of the API's logs (info logs every request). */
    logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  };
}

const optionalText = z
  .string()
  .transform((value) => value.trim())
  .optional()
  .transform((value) => (value ? value : undefined));

/** A number from an env var: `fallback` when unset or blank, else it must pass `valid` (said as `expected`). */
const numberVar = (fallback: number, valid: (value: number) => boolean, expected: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return fallback;
      const parsed = Number(value);
      if (!valid(parsed)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected ${expected}, got "${value}"` });
        return z.NEVER;
      }
      return parsed;
    });

const positiveInt = (fallback: number) => numberVar(fallback, (value) => Number.isInteger(value) && value > 0, 'a positive integer');
const nonNegativeNumber = (fallback: number) => numberVar(fallback, (value) => Number.isFinite(value) && value >= 0, 'a number ≥ 0');

const envSchema = z.object({
  MLOPS_DATA_DIR: optionalText,
  TEMPORAL_ADDRESS: optionalText,
  TEMPORAL_NAMESPACE: optionalText,
  TEMPORAL_UI_URL: optionalText,
  TASK_QUEUE_IO: optionalText,
  TASK_QUEUE_CPU: optionalText,
  REDIS_URL: optionalText,
  BUFFER_STREAM: optionalText,
  BUFFER_GROUP: optionalText,
  BUFFER_HIGH_WATER_MARK: positiveInt(20_000),
  BUFFER_CLAIM_IDLE_MS: positiveInt(60_000),
  MONGODB_URI: optionalText,
  MONGODB_DATABASE: optionalText,
  OBJECT_STORE_URL: optionalText,
  S3_ENDPOINT: optionalText,
  S3_REGION: optionalText,
  S3_ACCESS_KEY_ID: optionalText,
  S3_SECRET_ACCESS_KEY: optionalText,
  ARXIV_API_URL: optionalText,
  ARXIV_OAI_URL: optionalText,
  ARXIV_REQUEST_INTERVAL_MS: positiveInt(3_000),
  MLFLOW_TRACKING_URI: optionalText,
  MLFLOW_EXPERIMENT: optionalText,
  MLFLOW_MODEL_NAME: optionalText,
  MLFLOW_MODEL_ALIAS: optionalText,
  LATEST_TRAINING_RUN_ID: optionalText,
  MLFLOW_MONITORING_EXPERIMENT: optionalText,
  RETRAIN_COOLDOWN_HOURS: nonNegativeNumber(12),
  RETRAIN_DAILY_CAP: nonNegativeNumber(2),
  MONITOR_MAX_MACRO_F1_DROP: nonNegativeNumber(0.05),
  MLOPS_API_KEY: optionalText,
  API_RELOAD_INTERVAL_SECONDS: nonNegativeNumber(30),
  API_RATE_LIMIT_PER_MINUTE: positiveInt(6_000),
  PREDICTION_LOG_MAX_BACKLOG: positiveInt(100_000),
  API_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
});

/** Every environment variable the application reads (the compose checks hold the stack to this list). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function endpoint(given: string | undefined, local: string): EngineEndpoint {
  return given ? { url: given, external: true } : { url: local, external: false };
}

function validateUrl(name: string, value: string, protocols: string[]): void {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`${name}="${value}" is not a URL (expected ${protocols.join(' or ')}…)`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name}="${value}" must start with ${protocols.join(' or ')}`);
  }
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
    mlflow: endpoint(e.MLFLOW_TRACKING_URI, localUrls.mlflow),
    tracking: {
      experiment: e.MLFLOW_EXPERIMENT ?? 'arxiv-classifier',
      modelName: e.MLFLOW_MODEL_NAME ?? 'arxiv-classifier',
      alias: e.MLFLOW_MODEL_ALIAS ?? 'champion',
      latestTrainingRunId: e.LATEST_TRAINING_RUN_ID,
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
      rateLimitPerMinute: e.API_RATE_LIMIT_PER_MINUTE,
      predictionLogMaxBacklog: e.PREDICTION_LOG_MAX_BACKLOG,
      logLevel: e.API_LOG_LEVEL ?? 'info',
    },
  };
}

/** True when the object store is S3 (then the S3 engine matters to the stack). */
export function usesS3(config: AppConfig): boolean {
  return config.objectStore.url.startsWith('s3://');
}
