import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { AppConfig, EngineEndpoint } from '../lib/config/config';
import { usesS3 } from '../lib/config/config';
import { LOCAL_HOST, LOCAL_PORTS, LOCAL_S3_CREDENTIALS } from '../lib/config/local-engines';
import { projectRoot } from '../lib/config/paths';
import { parseS3Url } from '../lib/storage/s3-store';
import { probeMlflow, probeMongo, probeRedis, probeS3, probeTemporal } from './probes';

export type EngineName = 'temporal' | 'redis' | 'mongo' | 's3' | 'mlflow';

export interface LaunchCommand {
  command: string;
  args: string[];
  /** Extra environment for the engine process. */
  env?: Record<string, string>;
  /** Which implementation runs (e.g. mongod or FerretDB), for the status line. */
  implementation: string;
}

export interface Engine {
  name: EngineName;
  label: string;
  envVar: string;
  endpoint(config: AppConfig): EngineEndpoint;
  /** Whether the current configuration uses this engine at all. */
  needed(config: AppConfig): boolean;
  launchCommand(config: AppConfig, dataDir: string): LaunchCommand;
  probe(config: AppConfig): Promise<void>;
  startupTimeoutMs: number;
  /** Extra things to tell the user once it runs (a web UI, say). */
  links?(config: AppConfig): Record<string, string>;
}

export class EngineNotInstalledError extends Error {
  override readonly name = 'EngineNotInstalledError';
}

/** A binary from the project's .venv or .tools, else from PATH. */
export function findBinary(name: string): string | undefined {
  const root = projectRoot();
  for (const dir of [join(root, '.venv', 'bin'), join(root, '.tools', 'bin')]) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function requireBinary(name: string, engine: string, envVar: string): string {
  const path = findBinary(name);
  if (!path) {
    throw new EngineNotInstalledError(
      `${engine}: \`${name}\` is not installed. Run \`npm run setup\` (scripts/setup-engines.sh installs it), or set ${envVar} to use a running server.`,
    );
  }
  return path;
}

const temporal: Engine = {
  name: 'temporal',
  label: 'Temporal dev server',
  envVar: 'TEMPORAL_ADDRESS',
  endpoint: (config) => config.temporal.endpoint,
  needed: () => true,
  launchCommand: (_config, dataDir) => ({
    command: requireBinary('temporal', 'Temporal', 'TEMPORAL_ADDRESS'),
    args: [
      'server',
      'start-dev',
      '--db-filename',
      join(dataDir, 'temporal.db'),
      '--ip',
      LOCAL_HOST,
      '--port',
      String(LOCAL_PORTS.temporal),
      '--ui-port',
      String(LOCAL_PORTS.temporalUi),
      '--ui-disable-news-fetch',
      '--log-level',
      'warn',
    ],
    implementation: 'temporal server start-dev',
  }),
  probe: (config) => probeTemporal(config.temporal.endpoint.url, config.temporal.namespace),
  startupTimeoutMs: 60_000,
  links: (config): Record<string, string> => (config.temporal.uiUrl ? { 'Web UI': config.temporal.uiUrl } : {}),
};

const redis: Engine = {
  name: 'redis',
  label: 'Redis',
  envVar: 'REDIS_URL',
  endpoint: (config) => config.redis,
  needed: () => true,
  launchCommand: (_config, dataDir) => ({
    command: requireBinary('redis-server', 'Redis', 'REDIS_URL'),
    // The append-only file makes the buffer survive a restart of Redis.
    args: [
      '--bind',
      LOCAL_HOST,
      '--port',
      String(LOCAL_PORTS.redis),
      '--dir',
      dataDir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--daemonize',
      'no',
    ],
    implementation: 'redis-server (append-only file)',
  }),
  probe: (config) => probeRedis(config.redis.url),
  startupTimeoutMs: 20_000,
};

const mongo: Engine = {
  name: 'mongo',
  label: 'MongoDB-protocol server',
  envVar: 'MONGODB_URI',
  endpoint: (config) => config.mongo.endpoint,
  needed: () => true,
  launchCommand: (_config, dataDir) => {
    const mongod = findBinary('mongod');
    if (mongod) {
      return {
        command: mongod,
        args: ['--dbpath', dataDir, '--bind_ip', LOCAL_HOST, '--port', String(LOCAL_PORTS.mongo)],
        implementation: 'mongod',
      };
    }
    const sqliteDir = join(dataDir, 'sqlite');
    mkdirSync(sqliteDir, { recursive: true });
    return {
      command: requireBinary('ferretdb', 'MongoDB (mongod or FerretDB)', 'MONGODB_URI'),
      args: [
        '--handler=sqlite',
        // WAL is FerretDB's default; synchronous=normal drops the fsync per commit (WAL stays durable
        // across process crashes, which is what a local development engine needs).
        `--sqlite-url=file:${sqliteDir}/?_pragma=synchronous(normal)`,
        `--state-dir=${dataDir}`,
        `--listen-addr=${LOCAL_HOST}:${LOCAL_PORTS.mongo}`,
        '--debug-addr=-',
        '--telemetry=disable',
        '--log-level=warn',
      ],
      implementation: 'FerretDB 1.24 (SQLite)',
    };
  },
  probe: (config) => probeMongo(config.mongo.endpoint.url),
  startupTimeoutMs: 30_000,
};

const s3: Engine = {
  name: 's3',
  label: 'S3-compatible server',
  envVar: 'S3_ENDPOINT',
  endpoint: (config) => config.objectStore.s3.endpoint,
  needed: (config) => usesS3(config),
  launchCommand: (_config, dataDir) => {
    const identities = join(dataDir, 's3-identities.json');
    writeFileSync(
      identities,
      JSON.stringify({
        identities: [
          {
            name: 'arxiv-mlops',
            credentials: [
              { accessKey: LOCAL_S3_CREDENTIALS.accessKeyId, secretKey: LOCAL_S3_CREDENTIALS.secretAccessKey },
            ],
            actions: ['Admin', 'Read', 'List', 'Tagging', 'Write'],
          },
        ],
      }),
    );
    return {
      command: requireBinary('weed', 'S3 (SeaweedFS)', 'S3_ENDPOINT'),
      args: [
        'mini',
        `-dir=${join(dataDir, 'data')}`,
        `-ip=${LOCAL_HOST}`,
        `-s3.port=${LOCAL_PORTS.s3}`,
        `-s3.config=${identities}`,
        '-s3.port.iceberg=0',
        '-s3.port.lance=0',
        '-admin.ui=false',
        '-webdav=false',
      ],
      implementation: 'SeaweedFS (weed mini)',
    };
  },
  probe: (config) => probeS3(config.objectStore.s3),
  startupTimeoutMs: 60_000,
};

const mlflow: Engine = {
  name: 'mlflow',
  label: 'MLflow tracking server',
  envVar: 'MLFLOW_TRACKING_URI',
  endpoint: (config) => config.mlflow,
  needed: () => true,
  launchCommand: (config, dataDir) => {
    // Artifacts go where the project's objects go: the S3 bucket when one is configured.
    const s3 = usesS3(config) ? parseS3Url(config.objectStore.url) : undefined;
    const destination = s3 ? `s3://${s3.bucket}/${s3.prefix}mlflow-artifacts` : join(dataDir, 'artifacts');
    const credentials = config.objectStore.s3.credentials;
    return {
      command: requireBinary('mlflow', 'MLflow', 'MLFLOW_TRACKING_URI'),
      args: [
        'server',
        '--host',
        LOCAL_HOST,
        '--port',
        String(LOCAL_PORTS.mlflow),
        '--backend-store-uri',
        `sqlite:///${join(dataDir, 'mlflow.db')}`,
        '--artifacts-destination',
        destination,
        '--serve-artifacts',
        '--workers',
        '1',
      ],
      env: s3
        ? {
            MLFLOW_S3_ENDPOINT_URL: config.objectStore.s3.endpoint.url,
            AWS_DEFAULT_REGION: config.objectStore.s3.region,
            ...(credentials
              ? { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey }
              : {}),
          }
        : undefined,
      implementation: `mlflow server (SQLite, proxied artifacts in ${s3 ? destination : 'a local folder'})`,
    };
  },
  probe: (config) => probeMlflow(config),
  startupTimeoutMs: 120_000,
  links: (config) => ({ 'MLflow UI': config.mlflow.url }),
};

export const ENGINES: readonly Engine[] = [temporal, redis, mongo, s3, mlflow];

export function engineByName(name: string): Engine {
  const engine = ENGINES.find((candidate) => candidate.name === name);
  if (!engine) throw new Error(`unknown engine "${name}": one of ${ENGINES.map((e) => e.name).join(', ')}`);
  return engine;
}
