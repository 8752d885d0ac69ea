/* The shape of the whole configuration, as loadConfig returns it. */

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
