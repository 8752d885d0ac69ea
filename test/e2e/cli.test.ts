import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeadLetterStore } from '../../lib/deadletters';
import { connectMongo } from '../../lib/features';
import { MlflowClient } from '../../lib/tracking';
import { removeIsolatedData } from '../support/cleanup';
import { mlops } from '../support/cli';
import { isolatedSetup } from '../support/isolated-config';
import { mixedSnapshot } from '../support/papers';
import { startWorkers, type RunningWorkers } from '../support/workers';

describe('the mlops command line', () => {
  const { config, env } = isolatedSetup('cli', { INGEST_FILE_ROOTS: tmpdir() });
  const dir = mkdtempSync(join(tmpdir(), 'cli-'));
  const snapshot = mixedSnapshot(150);
  const file = join(dir, 'with-malformed-lines.jsonl');
  writeFileSync(file, snapshot.text);
  let workers: RunningWorkers;

  beforeAll(async () => {
    workers = await startWorkers(config);
  });
  afterAll(async () => {
    await workers?.stop();
    await removeIsolatedData(config);
    rmSync(dir, { recursive: true, force: true });
  });

  it('`stack status --json` reports every engine the configuration uses as running', async () => {
    const run = await mlops(['stack', 'status', '--json'], env);
    expect(run.code).toBe(0);
    const engines = run.json.engines as Array<{ name: string; state: string; needed: boolean }>;
    for (const name of ['temporal', 'redis', 'mongo', 'mlflow']) {
      expect(engines.find((engine) => engine.name === name)).toMatchObject({
        needed: true,
        state: expect.stringMatching(/^(local-running|external)$/),
      });
    }
  });

  let ingestSummary: Record<string, unknown>;

  it('`run ingest --source file:… --json` exits 0 and its counts add up despite malformed lines', async () => {
    const run = await mlops(['run', 'ingest', '--source', `file:${file}`, '--json'], env);
    expect(run.stderr).not.toMatch(/^error:/m);
    expect(run.code).toBe(0);
    ingestSummary = run.json;
    const rejected = Object.keys(snapshot.bad).length;
    expect(ingestSummary).toMatchObject({
      extracted: snapshot.good + rejected,
      accepted: snapshot.good,
      rejected,
      embedded: snapshot.good,
    });
    expect(ingestSummary.extracted).toBe(Number(ingestSummary.accepted) + Number(ingestSummary.rejected));
    for (const key of [
      'workflowId',
      'runId',
      'rawObjectCount',
      'rawManifest',
      'newPapers',
      'embedderVersion',
      'seconds',
    ])
      expect(ingestSummary).toHaveProperty(key);
    expect(String(ingestSummary.temporalUi)).toContain(`/workflows/${String(ingestSummary.workflowId)}/`);
  });

  it('`deadletters --run <id>` finds every rejected record with its reason', async () => {
    const run = await mlops(
      ['deadletters', '--run', String(ingestSummary.workflowId), '--limit', '100', '--json'],
      env,
    );
    expect(run.code).toBe(0);
    const letters = run.json.letters as Array<{ reason: string; raw: string }>;
    expect(run.json.total).toBe(ingestSummary.rejected);
    expect(letters.map((letter) => letter.reason).sort()).toEqual(Object.keys(snapshot.bad).sort());
    expect(letters.every((letter) => letter.raw.length > 0)).toBe(true);
  });

  it('`model serving` follows LATEST_TRAINING_RUN_ID over the alias, and says what to do when there is no model', async () => {
    const mlflow = new MlflowClient(config.mlflow.url);
    const experiment = await mlflow.ensureExperiment(`cli-${config.buffer.stream.replace(/\W+/g, '-')}`);
    const run = await mlflow.createRun(experiment.experiment_id, { runName: 'pinned' });
    await mlflow.logParams(run.info.run_id, { embedder_version: 'lsa-pinned' });
    const modelName = `cli-model-${run.info.run_id}`;
    const pinned = await mlops(['model', 'serving', '--json'], {
      ...env,
      MLFLOW_MODEL_NAME: modelName,
      LATEST_TRAINING_RUN_ID: run.info.run_id,
    });
    expect(pinned.code).toBe(0);
    expect(pinned.json).toMatchObject({
      runId: run.info.run_id,
      source: 'LATEST_TRAINING_RUN_ID',
      embedderVersion: 'lsa-pinned',
    });
    const none = await mlops(['model', 'serving', '--json'], { ...env, MLFLOW_MODEL_NAME: modelName });
    expect(none.code).toBe(1);
    expect(String(none.json.error)).toMatch(/mlops run train/);
    await mlflow.deleteExperiment(experiment.experiment_id);
  });

  it('prints a readable error and exits 1 for an unknown source kind', async () => {
    const run = await mlops(['run', 'ingest', '--source', 'ftp:somewhere', '--json'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/unknown source kind "ftp"/);
    expect(run.json).toEqual({ error: expect.stringMatching(/unknown source kind/) });
  });
  it('`deadletters` shows control characters from the data as escapes instead of obeying them; --json keeps them exact', async () => {
    const hostile = '\u001b]0;owned\u0007\u001b[2J\u202eevil';
    const mongo = await connectMongo(config.mongo.endpoint.url, config.mongo.database);
    try {
      await new DeadLetterStore(mongo.db).record([
        {
          stage: 'extract',
          reason: 'invalid_id',
          detail: `id ${hostile} is not an arXiv id`,
          raw: `{"id": "${hostile}"}\r\nmore`,
          position: `file:x item ${hostile}`,
          source: 'file:x',
          ingestWorkflowId: 'hostile-run',
        },
      ]);
    } finally {
      await mongo.close();
    }
    const text = await mlops(['deadletters', '--run', 'hostile-run'], env);
    expect(text.code).toBe(0);
    // eslint-disable-next-line no-control-regex -- no control character may reach the terminal
    expect(text.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(text.stdout).toContain('id \\x1b]0;owned\\x07\\x1b[2J\\u202eevil is not an arXiv id');
    const json = await mlops(['deadletters', '--run', 'hostile-run', '--json'], env);
    expect((json.json.letters as Array<{ detail: string; raw: string }>)[0]).toMatchObject({
      detail: `id ${hostile} is not an arXiv id`,
      raw: `{"id": "${hostile}"}\r\nmore`,
    });
  });
  it('`api` refuses to start with the example admin key or a short one, and says how to make one', async () => {
    for (const [key, problem] of [
      ['change-me-api-key', /MLOPS_API_KEY is still a placeholder/],
      ['k3y', /MLOPS_API_KEY has 3 characters, fewer than 24/],
    ] as const) {
      const run = await mlops(['api', '--port', '18999', '--wait-for-model'], { ...env, MLOPS_API_KEY: key });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(problem);
      expect(run.stderr).toContain('openssl rand -hex 24');
    }
  });
});
