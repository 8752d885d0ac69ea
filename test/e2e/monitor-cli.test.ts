import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { projectRoot } from '../../lib/config/paths';
import { connectMongo } from '../../lib/features/mongo';
import { PREDICTIONS_COLLECTION } from '../../lib/predictions/prediction-document';
import { MlflowClient } from '../../lib/tracking';
import { ingestWorkflow } from '../../workflows';
import { writeCsv } from '../parity/columns';
import { removeIsolatedData, removeTrackedData } from '../support/cleanup';
import { mlops } from '../support/cli';
import { isolatedSetup } from '../support/isolated-config';
import { startWorkers, temporalClient, type RunningWorkers } from '../support/workers';

const DRIFT_DATA = join(projectRoot(), 'data/drift');

describe('monitoring from the command line', () => {
  const { config, env, testId } = isolatedSetup('monitor-cli', {
    MLFLOW_EXPERIMENT: '',
    MLFLOW_MODEL_NAME: '',
    MLFLOW_MONITORING_EXPERIMENT: '',
  });
  const experiment = `cli-monitor-${testId}`;
  const modelName = `cli-monitor-model-${testId}`;
  const cliEnv = {
    ...env,
    MLFLOW_EXPERIMENT: experiment,
    MLFLOW_MODEL_NAME: modelName,
    MLFLOW_MONITORING_EXPERIMENT: `${experiment}-monitoring`,
    RETRAIN_COOLDOWN_HOURS: '0',
  };
  const testConfig = {
    ...config,
    tracking: { ...config.tracking, experiment, modelName },
    monitoring: { ...config.monitoring, experiment: `${experiment}-monitoring`, retrainCooldownHours: 0 },
  };
  const dir = mkdtempSync(join(tmpdir(), 'monitor-cli-'));
  const mlflow = new MlflowClient(config.mlflow.url);
  let workers: RunningWorkers;
  let client: Client;

  beforeAll(async () => {
    workers = await startWorkers(testConfig);
    client = await temporalClient(config);
    // A small embedder first, so the pipeline runs below need not fit the default one.
    await client.workflow.execute(ingestWorkflow, {
      taskQueue: config.temporal.taskQueues.io,
      workflowId: `${testId}-seed`,
      args: [
        {
          source: { kind: 'file', path: join(DRIFT_DATA, 'period-2019-2022-a.jsonl.gz') },
          embedder: {
            referenceSource: { kind: 'file', path: join(DRIFT_DATA, 'period-2019-2022-a.jsonl.gz') },
            dimensions: 64,
            maxFeatures: 4_000,
          },
          taskQueues: config.temporal.taskQueues,
        },
      ],
    });
  });

  afterAll(async () => {
    await workers?.stop();
    await client?.connection.close();
    await removeIsolatedData(config);
    await removeTrackedData(mlflow, modelName, [experiment, `${experiment}-monitoring`]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('compares two CSVs without Temporal data and writes the report where asked', async () => {
    const rows = (n: number, shift: number) => ({
      x: Array.from({ length: n }, (_, i) => ((Math.sin(i * 12.9898) * 43758.5453) % 1) + shift),
      kind: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'a' : 'b')),
    });
    const reference = writeCsv(join(dir, 'reference.csv'), rows(400, 0));
    const current = writeCsv(join(dir, 'current.csv'), rows(400, 0.5));
    const out = join(dir, 'report.html');
    const run = await mlops(
      ['run', 'monitor', '--reference', `file:${reference}`, '--current', `file:${current}`, '--out', out, '--json'],
      cliEnv,
    );
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({
      drift: true,
      driftShare: 0.5,
      driftedColumns: ['x'],
      reportPath: out,
      retrainWorkflowId: null,
      qualityAlert: false,
      embeddingDrift: null,
    });
    expect(run.json.columns).toEqual([
      { column: 'x', type: 'numerical', test: 'ks', threshold: 0.05, score: expect.any(Number), drifted: true },
      { column: 'kind', type: 'categorical', test: 'z', threshold: 0.05, score: 1, drifted: false },
    ]);
    expect(typeof run.json.seconds).toBe('number');
    expect(readFileSync(out, 'utf8')).toContain('id="verdict">Drift detected<');
    expect(existsSync(join(dir, 'report.json'))).toBe(true);
  });

  it('answers bad arguments and unreadable input with a clear error and exit code 1', async () => {
    const badWindow = await mlops(['run', 'monitor', '--current', 'window:soon', '--json'], cliEnv);
    expect(badWindow.code).toBe(1);
    expect(badWindow.json.error).toMatch(
      /--current "window:soon": use window:<days>, window:<from>\.\.<until>, predictions:<days>, predictions:<from>\.\.<until> or file:<csv>/,
    );
    const missing = await mlops(
      ['run', 'monitor', '--reference', 'file:/nonexistent.csv', '--current', `file:${join(dir, 'current.csv')}`],
      cliEnv,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such file/);
  });

  let drifted: Record<string, unknown>;

  it('`run pipeline` trains the first model, then on a drifted window starts one retraining', async () => {
    const first = await mlops(
      [
        'run',
        'pipeline',
        '--source',
        `file:${join(DRIFT_DATA, 'period-2019-2022-b.jsonl.gz')}`,
        '--epochs',
        '8',
        '--json',
      ],
      cliEnv,
    );
    expect(first.code).toBe(0);
    expect(first.json).toMatchObject({ training: { train: true }, train: { modelVersion: '1', promoted: true } });
    const second = await mlops(
      [
        'run',
        'pipeline',
        '--source',
        `file:${join(DRIFT_DATA, 'current-2025.jsonl.gz')}`,
        '--min-new-papers',
        '100000',
        '--epochs',
        '8',
        '--json',
      ],
      cliEnv,
    );
    expect(second.code).toBe(0);
    drifted = second.json;
    expect(drifted).toMatchObject({
      training: { train: false },
      train: null,
      monitor: { drift: true, currentRows: 600, retrain: { decision: 'retrain' } },
    });
    const retrainId = (drifted.monitor as { retrain: { workflowId: string } }).retrain.workflowId;
    expect(drifted.retrainWorkflowId).toBe(retrainId);
    const description = await client.workflow.getHandle(retrainId).describe();
    expect(description).toMatchObject({ type: 'trainWorkflow', status: { name: 'COMPLETED' } });
    expect(existsSync(new URL(drifted.reportPath as string))).toBe(true);
  });

  it('`retrain history` lists the decisions and `model rollback` moves the alias back, recorded', async () => {
    const rollback = await mlops(['model', 'rollback', '--to', '1', '--reason', 'test', '--json'], cliEnv);
    expect(rollback.code).toBe(0);
    expect(rollback.json).toMatchObject({ toVersion: '1', reason: 'test' });
    expect((await mlflow.getVersionByAlias(modelName, 'champion'))?.version).toBe('1');
    const history = await mlops(['retrain', 'history', '--json'], cliEnv);
    expect(history.code).toBe(0);
    const entries = history.json.entries as Array<{ kind: string; decision?: string; retrainWorkflowId?: string }>;
    expect(entries[0]).toMatchObject({ kind: 'rollback', toVersion: '1' });
    const retrainId = (drifted.monitor as { retrain: { workflowId: string } }).retrain.workflowId;
    expect(entries).toContainEqual(
      expect.objectContaining({ kind: 'decision', decision: 'retrain', retrainWorkflowId: retrainId }),
    );
    expect(entries.filter((entry) => entry.kind === 'decision').length).toBe(2);
  });

  it('`mlops api` serves the champion, logs every prediction through Redis to MongoDB, and the monitor reads them back', async () => {
    const port = 18_000 + Math.floor(Math.random() * 2_000);
    const child = spawn(
      process.execPath,
      [join(projectRoot(), 'bin/mlops.js'), 'api', '--port', String(port), '--log-level', 'warn'],
      { env: cliEnv },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const deadline = Date.now() + 60_000;
    while (!stderr.includes('api listening') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stderr).toContain(`api listening on http://127.0.0.1:${port}`);
    expect(stderr).toContain(`curl -s -X POST http://127.0.0.1:${port}/v1/predict`);
    expect(stderr).toContain(`page:   http://127.0.0.1:${port}/`);

    const papers = gunzipSync(readFileSync(join(DRIFT_DATA, 'current-2025.jsonl.gz')))
      .toString('utf8')
      .trim()
      .split('\n')
      .slice(0, 256)
      .map((line) => JSON.parse(line) as { title: string; abstract: string })
      .map(({ title, abstract }) => ({ title, abstract: abstract.slice(0, 10_000) }));
    const answers = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        fetch(`http://127.0.0.1:${port}/v1/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ items: papers.slice(i * 64, (i + 1) * 64) }),
        }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(((await answers[0]!.json()) as { model: { name: string; version: string } }).model).toMatchObject({
      name: modelName,
      version: '1',
    });
    // Stopped at once: every answered prediction is already in the Redis stream, and the worker's drainer stores them.
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('api stopped (256 predictions appended to the log stream)');
    const mongo = await connectMongo(config.mongo.endpoint.url, config.mongo.database);
    try {
      const stored = () => mongo.db.collection(PREDICTIONS_COLLECTION).countDocuments();
      const drained = Date.now() + 30_000;
      while ((await stored()) < 256 && Date.now() < drained) await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await stored()).toBe(256);
    } finally {
      await mongo.close();
    }

    const monitored = await mlops(['run', 'monitor', '--current', 'predictions:1', '--no-retrain', '--json'], cliEnv);
    expect(monitored.code).toBe(0);
    expect(monitored.json).toMatchObject({
      current: expect.stringContaining('predictions served in the 1 days'),
      quality: null,
    });
    expect(monitored.json.rows).toMatchObject({ current: 256 });
  });

  it('`schedule` creates, lists and deletes a pipeline schedule', async () => {
    const id = `${testId}-schedule`;
    const created = await mlops(['schedule', 'create', '--id', id, '--every', '12h', '--paused', '--json'], cliEnv);
    expect(created.code).toBe(0);
    expect(created.json).toMatchObject({ scheduleId: id, paused: true });
    const listed = await mlops(['schedule', 'list', '--json'], cliEnv);
    expect((listed.json.schedules as Array<{ scheduleId: string }>).map((schedule) => schedule.scheduleId)).toContain(
      id,
    );
    const deleted = await mlops(['schedule', 'delete', '--id', id, '--json'], cliEnv);
    expect(deleted.code).toBe(0);
  });
});
