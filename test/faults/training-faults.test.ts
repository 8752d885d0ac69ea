import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { projectRoot } from '../../lib/config/paths';
import { connectMongo } from '../../lib/features';
import { MlflowClient, runTag } from '../../lib/tracking';
import { RUN_TAGS } from '../../lib/tracking/training-run';
import type { EngineName } from '../../stack/engines';
import { ingestWorkflow, trainWorkflow, type TrainSummary } from '../../workflows';
import { removeIsolatedData, removeTrackedData } from '../support/cleanup';
import { isolatedSetup } from '../support/isolated-config';
import { spawnWorker, waitFor } from '../support/worker-process';
import { temporalClient } from '../support/workers';
import { killEngine, recordOutcome, restartEngine } from './harness';

const MINUTE = 60_000;

describe('fault injection: a training completes with one MLflow run and whole metric curves', () => {
  const { config, env, testId } = isolatedSetup('faults-train', { MLFLOW_EXPERIMENT: '', MLFLOW_MODEL_NAME: '' });
  const experiment = `faults-train-${testId}`;
  const modelName = `faults-train-model-${testId}`;
  const trainingEnv = { ...env, MLFLOW_EXPERIMENT: experiment, MLFLOW_MODEL_NAME: modelName };
  const mlflow = new MlflowClient(config.mlflow.url);
  let client: Client;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    workers.push(await spawnWorker(trainingEnv));
    client = await temporalClient(config);
    // The whole sample with the default embedder: epochs long enough (about a second) to land a fault in.
    await client.workflow.execute(ingestWorkflow, {
      taskQueue: config.temporal.taskQueues.io,
      workflowId: `${testId}-ingest`,
      args: [{ source: { kind: 'sample' }, embedder: { referenceSource: { kind: 'sample' } }, taskQueues: config.temporal.taskQueues }],
    });
  }, 5 * MINUTE);

  afterAll(async () => {
    for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    await client?.connection.close();
    await removeIsolatedData(config);
    await removeTrackedData(mlflow, modelName, [experiment]);
  });

  /** The training's MLflow runs (by the workflow-id tag) and the epochs its curves hold. */
  async function trainingRuns(workflowId: string) {
    const found = await mlflow.getExperimentByName(experiment);
    if (!found) return [];
    return mlflow.searchRuns([found.experiment_id], `tags.\`${RUN_TAGS.workflowId}\` = '${workflowId}'`);
  }

  async function invariants(summary: TrainSummary, workflowId: string): Promise<string[]> {
    const broken: string[] = [];
    // One parent run and one nested run for the one candidate, whatever was retried.
    const runs = await trainingRuns(workflowId);
    const nested = runs.filter((run) => runTag(run, 'mlflow.parentRunId') === summary.runId);
    if (runs.length !== 2 || nested.length !== 1) broken.push(`${runs.length} MLflow runs (${nested.length} nested) for one training of one candidate`);
    const candidateRunId = summary.candidates?.[0]?.runId ?? summary.runId;
    for (const key of ['loss', 'val_loss', 'accuracy', 'val_accuracy']) {
      const steps = (await mlflow.metricHistory(candidateRunId, key)).map((metric) => Number(metric.step)).sort((a, b) => a - b);
      const expected = Array.from({ length: summary.epochs }, (_, index) => index + 1);
      if (JSON.stringify(steps) !== JSON.stringify(expected)) broken.push(`${key} logged at epochs [${steps.join(',')}], trained ${summary.epochs}`);
    }
    const champion = await mlflow.getVersionByAlias(modelName, 'champion');
    if (!champion || !(await mlflow.getModelVersion(modelName, champion.version))) broken.push('the champion alias names no registered version');
    return broken;
  }

  async function trainWithFault(name: string, engine: EngineName, pauseMs: number): Promise<void> {
    const workflowId = `${testId}-${engine}`;
    const handle = await client.workflow.start(trainWorkflow, {
      taskQueue: config.temporal.taskQueues.io,
      workflowId,
      args: [{ taskQueues: config.temporal.taskQueues, candidates: 'lsa-mlp', hyperparameters: { maxEpochs: 14, patience: 100 }, heartbeatTimeoutSeconds: 10 }],
    });
    const epochsBefore = await waitFor(async () => {
      const run = (await trainingRuns(workflowId).catch(() => [])).find((found) => runTag(found, RUN_TAGS.candidate) !== undefined);
      const logged = run ? (await mlflow.metricHistory(run.info.run_id, 'val_loss')).length : 0;
      return logged >= 2 ? logged : undefined;
    }, 'two logged epochs', 3 * MINUTE);
    const started = Date.now();
    await killEngine(config, engine);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    await restartEngine(config, engine);
    const back = Date.now();
    let summary: TrainSummary | undefined;
    while (!summary) {
      summary = await handle.result().catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        return undefined;
      });
    }
    const broken = await invariants(summary, workflowId);
    recordOutcome({ scenario: name, injectedAt: `epoch ${epochsBefore} logged`, downtimeSeconds: (back - started) / 1000, recoveredSeconds: (Date.now() - back) / 1000, invariants: broken.length === 0 ? 'all hold' : broken.join('; ') });
    expect(broken).toEqual([]);
  }

  it('survives MLflow killed with SIGKILL mid-training: the run resumes, one run, no gap or duplicate in its curves', async () => {
    await trainWithFault('MLflow SIGKILL mid-training', 'mlflow', 2000);
  }, 8 * MINUTE);

  it('survives the Temporal server killed with SIGKILL mid-training', async () => {
    await trainWithFault('Temporal server SIGKILL mid-training', 'temporal', 3000);
  }, 8 * MINUTE);

  it('keeps every prediction MongoDB acknowledged when the API is killed with SIGKILL while logging', async () => {
    const api = spawn(process.execPath, [join(projectRoot(), 'bin/mlops.js'), 'api', '--port', '18099', '--log-level', 'silent'], { env: trainingEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    const apiUrl = 'http://127.0.0.1:18099';
    await waitFor(async () => ((await fetch(`${apiUrl}/readyz`).catch(() => undefined))?.ok ? true : undefined), 'the API to be ready', MINUTE);
    const mongo = await connectMongo(config.mongo.endpoint.url, config.mongo.database);
    try {
      const papers = Array.from({ length: 20 }, (_, index) => ({ title: `Paper ${index} on neural networks`, abstract: `We study model ${index} of deep learning for language.` }));
      let answered = 0;
      let written = 0;
      // Requests keep coming; the kill lands between two of them, with whatever the log still holds.
      for (let request = 0; request < 40; request += 1) {
        const response = await fetch(`${apiUrl}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: papers }) });
        expect(response.status).toBe(200);
        answered += papers.length;
        // About 20 requests a second, so several flushes (every 500 ms) land; then a burst the kill cuts into.
        if (request < 25) await new Promise((resolve) => setTimeout(resolve, 50));
        if (request === 30) {
          const metrics = await (await fetch(`${apiUrl}/metrics`)).text();
          written = Number(/^arxiv_api_prediction_log_written_total (\d+)/m.exec(metrics)?.[1] ?? NaN);
          api.kill('SIGKILL');
          await new Promise((resolve) => api.once('exit', resolve));
          break;
        }
      }
      // An insert the API sent just before the kill may still be landing: count once the number holds still.
      let stored = await mongo.db.collection('predictions').countDocuments({ modelName });
      for (let settled = 0; settled < 3; ) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const now = await mongo.db.collection('predictions').countDocuments({ modelName });
        settled = now === stored ? settled + 1 : 0;
        stored = now;
      }
      const distinct = (await mongo.db.collection('predictions').distinct('_id', { modelName })).length;
      // The kill must land after MongoDB acknowledged some of them, else nothing is being tested.
      expect(written).toBeGreaterThan(0);
      const broken: string[] = [];
      if (!(stored >= written)) broken.push(`${stored} stored, fewer than the ${written} MongoDB acknowledged`);
      if (distinct !== stored) broken.push(`${stored - distinct} duplicated predictions`);
      if (stored > answered) broken.push(`${stored} stored for ${answered} answered`);
      recordOutcome({
        scenario: 'API SIGKILL while logging predictions',
        injectedAt: `${answered} answered, ${written} acknowledged`,
        downtimeSeconds: 0,
        recoveredSeconds: 0,
        invariants: broken.length === 0 ? `all hold (${answered - stored} answered but unwritten: the loss window)` : broken.join('; '),
      });
      expect(broken).toEqual([]);
    } finally {
      if (api.exitCode === null && api.signalCode === null) api.kill('SIGKILL');
      await mongo.close();
    }
  }, 3 * MINUTE);
});
