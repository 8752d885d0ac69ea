import { delimiter, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { LOCAL_S3_CREDENTIALS, localUrls } from './local-engines';
import { projectRoot } from './paths';
import { redactUrls } from './redact';

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
  ingest: {
    /** `file:` sources must lie under one of these folders (absolute, symlinks resolved). */
    fileRoots: string[];
    /** A snapshot line longer than this (bytes) is dead-lettered as `line_too_long`, never held whole. */
    maxLineBytes: number;
  };
  mlflow: EngineEndpoint;
  /** How MLflow requests authenticate (as MLflow's own clients read MLFLOW_TRACKING_*). */
  mlflowAuth: MlflowAuth | undefined;
  tracking: {
    experiment: string;
    modelName: string;
    alias: string;
    /** When set, monitoring and inference use this run instead of the alias's. */
    latestTrainingRunId: string | undefined;
    /** TRAIN_CANDIDATES: the models a training tries when its input names none (`family[:name=value]…`, comma-separated). */
    trainCandidates: string;
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
    limits: ApiLimits;
    predictionLog: PredictionLogSettings;
    /** pino level of the API's logs (info logs every request). */
    logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  };
}

export type MlflowAuth = { kind: 'basic'; username: string; password: string } | { kind: 'bearer'; token: string };

/** What one client may ask of the API, and how long a request may take to arrive. */
export interface ApiLimits {
  /** Requests per minute per client address (every route). */
  requestsPerMinute: number;
  /** Papers per minute per client address (`POST /v1/predict`: a batch of 64 counts 64). */
  papersPerMinute: number;
  /** The whole request (headers and body) must arrive within this many milliseconds. */
  requestTimeoutMs: number;
  /** A connection that sends nothing for this long is closed. */
  idleTimeoutMs: number;
  /**
   * Which proxies' `X-Forwarded-For` is believed, so clients behind them are told apart:
   * false (none), true (any), a hop count, or addresses/CIDRs.
   */
  trustProxy: boolean | number | string[];
}

export interface PredictionLogSettings {
  /** The Redis stream the API appends predictions to and the I/O worker drains into MongoDB. */
  stream: string;
  /** Entries a drainer has held unacknowledged this long are taken over by another (milliseconds). */
  claimIdleMs: number;
  /** Predictions the API keeps in memory while Redis is unreachable… */
  maxBacklog: number;
  /** …and at most this many bytes of them; beyond either, the oldest are dropped and counted. */
  maxBacklogBytes: number;
  /** Predictions older than this are deleted (0: kept forever). */
  retentionDays: number;
  /** Store each prediction's title and abstract too (else only their hash and descriptors). */
  storeText: boolean;
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

const positiveInt = (fallback: number) =>
  numberVar(fallback, (value) => Number.isInteger(value) && value > 0, 'a positive integer');
const nonNegativeNumber = (fallback: number) =>
  numberVar(fallback, (value) => Number.isFinite(value) && value >= 0, 'a number ≥ 0');

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

/** A yes/no env var: `fallback` when unset or blank; true/false, yes/no, on/off or 1/0 otherwise. */
const booleanVar = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const word = value?.trim().toLowerCase() ?? '';
      if (word === '') return fallback;
      if (TRUE_WORDS.includes(word)) return true;
      if (FALSE_WORDS.includes(word)) return false;
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected true or false, got "${value}"` });
      return z.NEVER;
    });

/** API_TRUST_PROXY: false/true, a number of proxy hops, or comma-separated addresses and CIDRs. */
const trustProxyVar = z
  .string()
  .optional()
  .transform((value): boolean | number | string[] => {
    const text = value?.trim() ?? '';
    const word = text.toLowerCase();
    if (text === '' || FALSE_WORDS.includes(word)) return false;
    if (word === 'true' || word === 'yes' || word === 'on') return true;
    if (/^\d+$/.test(text)) return Number(text);
    return text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
  });

/** The API's limits when nothing is configured (also what an app built without settings uses). */
export const DEFAULT_API_LIMITS: ApiLimits = {
  requestsPerMinute: 6_000,
  papersPerMinute: 6_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 75_000,
  trustProxy: false,
};

export const DEFAULT_PREDICTION_LOG: PredictionLogSettings = {
  stream: 'arxiv:predictions',
  claimIdleMs: 30_000,
  maxBacklog: 100_000,
  maxBacklogBytes: 256 * 1024 * 1024,
  retentionDays: 90,
  storeText: false,
};

/** The smallest admin key accepted: a guessable one would open the admin routes to anyone. */
export const MIN_API_KEY_LENGTH = 24;

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
  INGEST_FILE_ROOTS: optionalText,
  INGEST_MAX_LINE_BYTES: positiveInt(1024 * 1024),
  MLFLOW_TRACKING_URI: optionalText,
  MLFLOW_TRACKING_USERNAME: optionalText,
  MLFLOW_TRACKING_PASSWORD: optionalText,
  MLFLOW_TRACKING_TOKEN: optionalText,
  MLFLOW_EXPERIMENT: optionalText,
  MLFLOW_MODEL_NAME: optionalText,
  MLFLOW_MODEL_ALIAS: optionalText,
  LATEST_TRAINING_RUN_ID: optionalText,
  TRAIN_CANDIDATES: optionalText,
  MLFLOW_MONITORING_EXPERIMENT: optionalText,
  RETRAIN_COOLDOWN_HOURS: nonNegativeNumber(12),
  RETRAIN_DAILY_CAP: nonNegativeNumber(2),
  MONITOR_MAX_MACRO_F1_DROP: nonNegativeNumber(0.05),
  MLOPS_API_KEY: optionalText,
  API_RELOAD_INTERVAL_SECONDS: nonNegativeNumber(30),
  API_RATE_LIMIT_PER_MINUTE: positiveInt(DEFAULT_API_LIMITS.requestsPerMinute),
  API_RATE_LIMIT_PAPERS_PER_MINUTE: positiveInt(DEFAULT_API_LIMITS.papersPerMinute),
  API_REQUEST_TIMEOUT_MS: positiveInt(DEFAULT_API_LIMITS.requestTimeoutMs),
  API_IDLE_TIMEOUT_MS: positiveInt(DEFAULT_API_LIMITS.idleTimeoutMs),
  API_TRUST_PROXY: trustProxyVar,
  PREDICTION_STREAM: optionalText,
  PREDICTION_LOG_CLAIM_IDLE_MS: positiveInt(DEFAULT_PREDICTION_LOG.claimIdleMs),
  PREDICTION_LOG_MAX_BACKLOG: positiveInt(DEFAULT_PREDICTION_LOG.maxBacklog),
  PREDICTION_LOG_MAX_BACKLOG_BYTES: positiveInt(DEFAULT_PREDICTION_LOG.maxBacklogBytes),
  PREDICTION_LOG_RETENTION_DAYS: nonNegativeNumber(DEFAULT_PREDICTION_LOG.retentionDays),
  PREDICTION_LOG_TEXT: booleanVar(DEFAULT_PREDICTION_LOG.storeText),
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
    throw new ConfigError(`${name}="${redactUrls(value)}" is not a URL (expected ${protocols.join(' or ')}…)`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name}="${redactUrls(value)}" must start with ${protocols.join(' or ')}`);
  }
}

/** An admin key long enough not to be guessed, and not the example configuration's placeholder. */
function checkAdminKey(key: string): void {
  if (/change-?me|example|placeholder/i.test(key)) {
    throw new ConfigError(
      `MLOPS_API_KEY is still a placeholder ("${key.slice(0, 12)}…"): set a random key (openssl rand -hex 24), or leave it unset to turn the admin routes off`,
    );
  }
  if (key.length < MIN_API_KEY_LENGTH) {
    throw new ConfigError(
      `MLOPS_API_KEY has ${key.length} characters, fewer than ${MIN_API_KEY_LENGTH}: use a random key (openssl rand -hex 24)`,
    );
  }
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
