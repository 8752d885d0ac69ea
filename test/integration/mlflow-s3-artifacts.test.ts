import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../lib/config/config';
import { S3Store } from '../../lib/storage';
import { MlflowClient, MlflowError } from '../../lib/tracking';
import { engineByName } from '../../stack';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * When the object store is S3, the MLflow engine the stack launches keeps run artifacts in the
 * same bucket. This starts that engine's exact command (on a free port and a scratch database,
 * beside the shared test server) and checks an artifact lands in the S3 server.
 */
describe('MLflow engine with an S3 object store', () => {
  const prefix = `mlflow-s3-${randomBytes(3).toString('hex')}`;
  const config = loadConfig({ ...process.env, OBJECT_STORE_URL: `s3://arxiv-mlops-test/${prefix}` });
  const dir = mkdtempSync(join(tmpdir(), 'mlflow-s3-'));
  let server: ChildProcess | undefined;
  let url: string;

  beforeAll(async () => {
    // MLflow expects the bucket to exist; writing through our store creates it on first use.
    const bucket = new S3Store(`s3://arxiv-mlops-test/${prefix}`, config.objectStore.s3);
    await bucket.put('README', Buffer.from('MLflow artifacts test'));
    await bucket.close();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const launch = engineByName('mlflow').launchCommand(config, dir);
    const args = [...launch.args];
    args[args.indexOf('--port') + 1] = String(port);
    expect(args[args.indexOf('--artifacts-destination') + 1]).toBe(`s3://arxiv-mlops-test/${prefix}/mlflow-artifacts`);
    server = spawn(launch.command, args, { cwd: dir, env: { ...process.env, ...launch.env }, stdio: 'ignore' });
    const deadline = Date.now() + 120_000;
    for (;;) {
      const healthy = await fetch(`${url}/health`).then(
        (response) => response.ok,
        () => false,
      );
      if (healthy) break;
      if (Date.now() > deadline) throw new Error('the S3-backed MLflow server did not start');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });

  afterAll(() => {
    server?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores run artifacts in the S3 bucket and serves them back', async () => {
    const client = new MlflowClient(url);
    const experiment = await client.ensureExperiment('s3-artifacts');
    const run = await client.createRun(experiment.experiment_id);
    const body = randomBytes(50_000);
    await client.uploadArtifact(run, 'model/weights.bin', body);
    expect((await client.downloadArtifact(run, 'model/weights.bin')).equals(body)).toBe(true);

    const bucket = new S3Store(`s3://arxiv-mlops-test/${prefix}`, config.objectStore.s3);
    try {
      const keys = await bucket.list('mlflow-artifacts/');
      expect(keys).toContain(
        `mlflow-artifacts/${experiment.experiment_id}/${run.info.run_id}/artifacts/model/weights.bin`,
      );
    } finally {
      await bucket.close();
    }
  });

  it('reports an artifact missing from the bucket as not found, as with a local folder', async () => {
    const client = new MlflowClient(url);
    const experiment = await client.ensureExperiment('s3-artifacts');
    const run = await client.createRun(experiment.experiment_id);
    await client.uploadArtifact(run, 'model/weights.bin', randomBytes(10));
    for (const missing of ['split.json', 'model/absent.bin', 'nowhere/file.bin']) {
      const failure = await client.downloadArtifact(run, missing).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(MlflowError);
      expect({ missing, notFound: (failure as MlflowError).notFound }).toEqual({ missing, notFound: true });
    }
  });
});
