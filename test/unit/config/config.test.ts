import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../lib/config/config';
import { projectRoot } from '../../../lib/config/paths';
import { redactUrls } from '../../../lib/config/redact';

const load = (env: NodeJS.ProcessEnv) => loadConfig({ PATH: process.env.PATH, ...env });

describe('redactUrls', () => {
  it.each([
    ['redis://:s3cret@redis:6379', 'redis://***@redis:6379'],
    ['mongodb://arxiv:p%40ss@mongo:27017/?authSource=admin', 'mongodb://***@mongo:27017/?authSource=admin'],
    ['https://user:pa@ss@mlflow.example.com/path@x', 'https://***@mlflow.example.com/path@x'],
    ['http://127.0.0.1:5000', 'http://127.0.0.1:5000'],
    ['127.0.0.1:7233', '127.0.0.1:7233'],
    [
      'Redis not reachable at redis://u:p@h:1 (AUTH failed); then mongodb://a:b@c/d',
      'Redis not reachable at redis://***@h:1 (AUTH failed); then mongodb://***@c/d',
    ],
  ])('%s → %s', (text, shown) => expect(redactUrls(text)).toBe(shown));
});

describe('configuration', () => {
  it('reads the API limits and the prediction log settings, with their defaults', () => {
    expect(load({}).api).toMatchObject({
      limits: {
        requestsPerMinute: 6_000,
        papersPerMinute: 6_000,
        requestTimeoutMs: 30_000,
        idleTimeoutMs: 75_000,
        trustProxy: false,
      },
      predictionLog: { maxBacklog: 100_000, maxBacklogBytes: 256 * 1024 * 1024, retentionDays: 90, storeText: false },
    });
    expect(load({ PREDICTION_LOG_TEXT: 'Yes', PREDICTION_LOG_RETENTION_DAYS: '0' }).api.predictionLog).toMatchObject({
      storeText: true,
      retentionDays: 0,
    });
    expect(() => load({ PREDICTION_LOG_TEXT: 'maybe' })).toThrow(
      /PREDICTION_LOG_TEXT: expected true or false, got "maybe"/,
    );
  });

  it.each([
    ['', false],
    ['false', false],
    ['true', true],
    ['2', 2],
    ['10.0.0.1, 10.0.0.0/8', ['10.0.0.1', '10.0.0.0/8']],
  ])('API_TRUST_PROXY=%p trusts %p', (value, trusted) =>
    expect(load({ API_TRUST_PROXY: value }).api.limits.trustProxy).toEqual(trusted),
  );

  it('refuses a placeholder or short admin key, and says how to make one', () => {
    expect(() => load({ MLOPS_API_KEY: 'change-me-api-key' })).toThrow(
      /MLOPS_API_KEY is still a placeholder .*openssl rand -hex 24/,
    );
    expect(() => load({ MLOPS_API_KEY: 'short-key' })).toThrow(
      new ConfigError('MLOPS_API_KEY has 9 characters, fewer than 24: use a random key (openssl rand -hex 24)'),
    );
    expect(load({ MLOPS_API_KEY: 'a'.repeat(24) }).api.adminKey).toBe('a'.repeat(24));
    expect(load({}).api.adminKey).toBeUndefined();
  });

  it('reads MLflow credentials as MLflow clients do: a token wins, a user name needs its password', () => {
    expect(load({}).mlflowAuth).toBeUndefined();
    expect(load({ MLFLOW_TRACKING_USERNAME: 'u', MLFLOW_TRACKING_PASSWORD: 'p' }).mlflowAuth).toEqual({
      kind: 'basic',
      username: 'u',
      password: 'p',
    });
    expect(
      load({ MLFLOW_TRACKING_USERNAME: 'u', MLFLOW_TRACKING_PASSWORD: 'p', MLFLOW_TRACKING_TOKEN: 't' }).mlflowAuth,
    ).toEqual({ kind: 'bearer', token: 't' });
    expect(() => load({ MLFLOW_TRACKING_USERNAME: 'u' })).toThrow(
      /MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD go together/,
    );
  });

  it('never repeats a password when it refuses a URL', () => {
    expect(() => load({ REDIS_URL: 'http://:hunter2@redis:6379' })).toThrow(
      /REDIS_URL="http:\/\/\*\*\*@redis:6379" must start with redis: or rediss:/,
    );
  });

  it('lets ingestion read files under the project data folder and the working directory unless told otherwise', () => {
    expect(load({}).ingest).toEqual({
      fileRoots: [join(projectRoot(), 'data'), process.cwd()],
      maxLineBytes: 1024 * 1024,
    });
    expect(load({ INGEST_FILE_ROOTS: '/srv/snapshots:/mnt/arxiv', INGEST_MAX_LINE_BYTES: '4096' }).ingest).toEqual({
      fileRoots: ['/srv/snapshots', '/mnt/arxiv'],
      maxLineBytes: 4096,
    });
  });
});
