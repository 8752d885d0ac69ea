import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../lib/config/config';
import { MlflowClient, MlflowError, mlflowClientFor } from '../../lib/tracking';
import { findBinary } from '../../stack/engines';
import { mlops } from '../support/cli';

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * MLflow behind its own basic-auth app (`mlflow server --app-name basic-auth`, a real server):
 * the credentials MLflow's clients read (MLFLOW_TRACKING_USERNAME/PASSWORD, or the URI's
 * `user:password@`) are sent, and no password is ever printed.
 */
describe('MLflow with basic auth (real tracking server)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlflow-auth-'));
  const password = `pw-${randomBytes(12).toString('hex')}`;
  let server: ChildProcess;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const authConfig = join(dir, 'basic_auth.ini');
    writeFileSync(
      authConfig,
      [
        '[mlflow]',
        'default_permission = READ',
        `database_uri = sqlite:///${join(dir, 'auth.db')}`,
        'admin_username = admin',
        `admin_password = ${password}`,
        'authorization_function = mlflow.server.auth:authenticate_request_basic_auth',
        '',
      ].join('\n'),
    );
    const binary = findBinary('mlflow');
    if (!binary) throw new Error('mlflow is not installed: run npm run setup');
    server = spawn(
      binary,
      [
        'server',
        '--app-name',
        'basic-auth',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--backend-store-uri',
        `sqlite:///${join(dir, 'mlflow.db')}`,
        '--workers',
        '1',
      ],
      {
        env: {
          ...process.env,
          MLFLOW_AUTH_CONFIG_PATH: authConfig,
          MLFLOW_FLASK_SERVER_SECRET_KEY: randomBytes(16).toString('hex'),
        },
        stdio: 'ignore',
      },
    );
    const deadline = Date.now() + 90_000;
    for (;;) {
      const answer = await fetch(`${url}/health`).catch(() => undefined);
      if (answer?.ok) break;
      if (Date.now() > deadline || server.exitCode !== null)
        throw new Error('the basic-auth MLflow server did not start');
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  });

  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('is refused without credentials, with a 401 that is not retried', async () => {
    const failure = await new MlflowClient(url, { maxAttempts: 3, backoffMs: 5 })
      .getExperimentByName('Default')
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MlflowError);
    expect(failure).toMatchObject({ status: 401, permanent: true });
  });

  it('sends MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD as basic auth', async () => {
    const config = loadConfig({
      ...process.env,
      MLFLOW_TRACKING_URI: url,
      MLFLOW_TRACKING_USERNAME: 'admin',
      MLFLOW_TRACKING_PASSWORD: password,
    });
    expect(config.mlflowAuth).toEqual({ kind: 'basic', username: 'admin', password });
    expect((await mlflowClientFor(config).getExperimentByName('Default'))?.experiment_id).toBe('0');
  });

  it('sends MLFLOW_TRACKING_TOKEN as a bearer token (servers behind a token-checking proxy)', async () => {
    const seen: Array<string | undefined> = [];
    const proxy = createHttpServer((request, response) => {
      seen.push(request.headers.authorization);
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"experiment": {"experiment_id": "7", "name": "x"}}');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const config = loadConfig({
        ...process.env,
        MLFLOW_TRACKING_URI: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
        MLFLOW_TRACKING_TOKEN: 'tok-123',
      });
      await mlflowClientFor(config).getExperimentByName('x');
      expect(seen).toEqual(['Bearer tok-123']);
    } finally {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  it('takes the credentials of a URI with user:password@, and never shows them', async () => {
    const withUserinfo = url.replace('http://', `http://admin:${password}@`);
    const client = mlflowClientFor(loadConfig({ ...process.env, MLFLOW_TRACKING_URI: withUserinfo }));
    expect(client.trackingUri).toBe(url);
    expect((await client.getExperimentByName('Default'))?.name).toBe('Default');
    const failure = await client.getRun('no-such-run').catch((error: unknown) => error);
    expect(String((failure as Error).message)).not.toContain(password);
  });

  it('`mlops stack status` checks it with the credentials and prints no password, in text or JSON', async () => {
    const withUserinfo = url.replace('http://', `http://admin:${password}@`);
    const env = { ...process.env, MLFLOW_TRACKING_URI: withUserinfo, REDIS_URL: `redis://:${password}@127.0.0.1:1` };
    for (const args of [
      ['stack', 'status', '--json'],
      ['stack', 'status'],
    ]) {
      const run = await mlops(args, env);
      expect(run.stdout + run.stderr).not.toContain(password);
      expect(run.stdout).toContain(`http://***@127.0.0.1:${new URL(url).port}`);
      expect(run.stdout).toContain('redis://***@127.0.0.1:1');
      if (args.includes('--json')) {
        const engines = run.json.engines as Array<{ name: string; state: string }>;
        expect(engines.find((engine) => engine.name === 'mlflow')).toMatchObject({ state: 'external' });
        expect(engines.find((engine) => engine.name === 'redis')).toMatchObject({ state: 'external-unreachable' });
      }
    }
  });
});
