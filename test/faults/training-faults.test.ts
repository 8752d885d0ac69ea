import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { projectRoot } from '../../lib/config/paths';
import { Binary } from 'mongodb';
import { connectRedis } from '../../lib/buffer/redis';
import { connectMongo } from '../../lib/features';
import { PredictionPublisher } from '../../lib/predictions/prediction-publisher';
import { MlflowClient, runTag } from '../../lib/tracking';
import { RUN_TAGS } from '../../lib/tracking/run-names';
import type { EngineName } from '../../stack/engines';
import { ingestWorkflow, trainWorkflow, type TrainSummary } from '../../workflows';
import { removeIsolatedData, removeTrackedData } from '../support/cleanup';
import { isolatedSetup } from '../support/isolated-config';
import { spawnWorker, waitFor } from '../support/worker-process';
import { temporalClient } from '../support/workers';
import { killEngine, recordOutcome, restartEngine } from './harness';
import { trainingChecks } from './training-checks';

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
      args: [
        {
          source: { kind: 'sample' },
          embedder: { referenceSource: { kind: 'sample' } },
          taskQueues: config.temporal.taskQueues,
        },
      ],
    });
  }, 5 * MINUTE);

  afterAll(async () => {
    for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    await client?.connection.close();
    await removeIsolatedData(config);
    await removeTrackedData(mlflow, modelName, [experiment]);
  });

  const { trainingRuns, invariants } = trainingChecks(mlflow, experiment, modelName);

  async function trainWithFault(name: string, engine: EngineName, pauseMs: number): Promise<void> {
    const workflowId = `${testId}-${engine}`;
    const handle = await client.workflow.start(trainWorkflow, {
      taskQueue: config.temporal.taskQueues.io,
      workflowId,
      args: [
        {
          taskQueues: config.temporal.taskQueues,
          candidates: 'lsa-mlp',
          hyperparameters: { maxEpochs: 14, patience: 100 },
          heartbeatTimeoutSeconds: 10,
        },
      ],
    });
    const epochsBefore = await waitFor(
      async () => {
        const run = (await trainingRuns(workflowId).catch(() => [])).find(
          (found) => runTag(found, RUN_TAGS.candidate) !== undefined,
        );
        const logged = run ? (await mlflow.metricHistory(run.info.run_id, 'val_loss')).length : 0;
        return logged >= 2 ? logged : undefined;
      },
      'two logged epochs',
      3 * MINUTE,
    );
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
    recordOutcome({
      scenario: name,
      injectedAt: `epoch ${epochsBefore} logged`,
      downtimeSeconds: (back - started) / 1000,
      recoveredSeconds: (Date.now() - back) / 1000,
      invariants: broken.length === 0 ? 'all hold' : broken.join('; '),
    });
    expect(broken).toEqual([]);
  }

  it(
    'survives MLflow killed with SIGKILL mid-training: the run resumes, one run, no gap or duplicate in its curves',
    async () => {
      await trainWithFault('MLflow SIGKILL mid-training', 'mlflow', 2000);
    },
    8 * MINUTE,
  );

  it(
    'survives the Temporal server killed with SIGKILL mid-training',
    async () => {
      await trainWithFault('Temporal server SIGKILL mid-training', 'temporal', 3000);
    },
    8 * MINUTE,
  );

  it(
    'loses no answered prediction when the API (every worker) is killed with SIGKILL while logging',
    async () => {
      // Detached: the primary and its workers form one process group, killed at once as a crash would.
      const api = spawn(
        process.execPath,
        [join(projectRoot(), 'bin/mlops.js'), 'api', '--workers', '2', '--port', '18099', '--log-level', 'silent'],
        { env: trainingEnv, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
      );
      const apiUrl = 'http://127.0.0.1:18099';
      await waitFor(
        async () => ((await fetch(`${apiUrl}/readyz`).catch(() => undefined))?.ok ? true : undefined),
        'the API to be ready',
        MINUTE,
      );
      const mongo = await connectMongo(config.mongo.endpoint.url, config.mongo.database);
      try {
        const papers = Array.from({ length: 20 }, (_, index) => ({
          title: `Paper ${index} on neural networks`,
          abstract: `We study model ${index} of deep learning for language.`,
        }));
        let answered = 0;
        let appended = 0;
        const answeredIds: string[] = [];
        const count = async (response: Response | undefined) => {
          if (response?.status !== 200) return;
          const body = (await response.json().catch(() => undefined)) as { requestId: string } | undefined;
          if (!body) return; // cut off mid-answer: not answered
          answered += papers.length;
          answeredIds.push(body.requestId);
        };
        // Requests keep coming, four at a time; the kill lands while some are being answered.
        for (let round = 0; round < 40; round += 1) {
          const responses = await Promise.all(
            Array.from({ length: 4 }, () =>
              fetch(`${apiUrl}/v1/predict`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ items: papers }),
              }).catch(() => undefined),
            ),
          );
          for (const response of responses) await count(response);
          if (round === 30) {
            const metrics = await (await fetch(`${apiUrl}/metrics`)).text();
            appended = Number(/^arxiv_api_prediction_log_appended_total (\d+)/m.exec(metrics)?.[1] ?? NaN);
            const inFlight = Array.from({ length: 4 }, () =>
              fetch(`${apiUrl}/v1/predict`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ items: papers }),
              }).catch(() => undefined),
            );
            process.kill(-api.pid!, 'SIGKILL');
            await new Promise((resolve) => api.once('exit', resolve));
            for (const response of await Promise.all(inFlight)) await count(response);
            break;
          }
        }
        // The I/O worker drains what Redis holds: count once the number holds still.
        const started = Date.now();
        let stored = await mongo.db.collection('predictions').countDocuments({ modelName });
        for (let settled = 0; settled < 4;) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          const now = await mongo.db.collection('predictions').countDocuments({ modelName });
          settled = now === stored && now >= answered ? settled + 1 : 0;
          if (now !== stored) stored = now;
          if (Date.now() - started > MINUTE) break;
        }
        // Every answered request's every item, by id: `<request id>:<item>`.
        const answeredStored = await mongo.db
          .collection('predictions')
          .countDocuments({ requestId: { $in: answeredIds } });
        expect(appended).toBeGreaterThan(0);
        const broken: string[] = [];
        if (answeredStored < answered) broken.push(`${answered - answeredStored} answered predictions never stored`);
        recordOutcome({
          scenario: 'API SIGKILL (primary and workers) while logging predictions',
          injectedAt: `${answered} answered, ${appended} appended`,
          downtimeSeconds: 0,
          recoveredSeconds: 0,
          invariants:
            broken.length === 0
              ? `all hold (${stored} stored for ${answered} answered: 0 unwritten)`
              : broken.join('; '),
        });
        expect(broken).toEqual([]);
      } finally {
        if (api.exitCode === null && api.signalCode === null) process.kill(-api.pid!, 'SIGKILL');
        await mongo.close();
      }
    },
    3 * MINUTE,
  );

  it(
    'stores every prediction once when the worker draining the prediction stream is killed with SIGKILL mid-drain',
    async () => {
      // A stream of its own, filled before any drainer runs, so the kill lands inside a long drain.
      const stream = `test:${testId}:predictions-drain-kill`;
      const drainEnv = { ...trainingEnv, PREDICTION_STREAM: stream, PREDICTION_LOG_CLAIM_IDLE_MS: '3000' };
      const total = 30_000;
      const redis = await connectRedis(config.redis.url, 'faults-drain-kill');
      const mongo = await connectMongo(config.mongo.endpoint.url, config.mongo.database);
      const requestId = `${testId}-drain-kill`;
      const stored = () => mongo.db.collection('predictions').countDocuments({ requestId });
      try {
        const publisher = new PredictionPublisher(redis, { stream, maxBacklog: total, maxBacklogBytes: 1 << 30 });
        const template = {
          requestId,
          inputHash: '0'.repeat(64),
          text: { titleChars: 10, abstractChars: 200, abstractWords: 30, oovShare: 0.1 },
          embedding: new Binary(Buffer.alloc(384 * 4)),
          category: 'cs.LG',
          top: [{ category: 'cs.LG', probability: 0.9 }],
          modelName: `${modelName}-drain`,
          modelVersion: '1',
          runId: 'run',
          embedderVersion: 'lsa-x',
        };
        for (let start = 0; start < total; start += 1_000) {
          await publisher.record(
            Array.from({ length: 1_000 }, (_, i) => ({
              ...template,
              _id: `${requestId}:${start + i}`,
              at: new Date(),
            })),
          );
        }
        expect(await redis.xlen(stream)).toBe(total);

        const first = await spawnWorker(drainEnv, ['--queue', 'io']);
        workers.push(first);
        const pendingNow = async () => Number(((await redis.xpending(stream, 'prediction-log')) as unknown[])[0]);
        // Killed once a batch is stored and the next one is in hand (read, not yet acknowledged).
        await waitFor(
          async () => ((await stored()) > 0 && (await pendingNow()) > 0 ? true : undefined),
          'the drain to hold its second batch',
          MINUTE,
        );
        first.kill('SIGKILL');
        await new Promise((resolve) => first.once('exit', resolve));
        const atKill = await stored();
        const killedAt = Date.now();
        expect(atKill).toBeLessThan(total);
        // The dead worker held a batch it had not stored: the next one must take it over.
        const heldByTheDead = await pendingNow();
        expect(heldByTheDead).toBeGreaterThan(0);

        const second = await spawnWorker(drainEnv, ['--queue', 'io']);
        workers.push(second);
        await waitFor(
          async () => ((await redis.xlen(stream)) === 0 && (await stored()) === total ? true : undefined),
          'the stream to be drained',
          3 * MINUTE,
        );
        const pendingLeft = Number(((await redis.xpending(stream, 'prediction-log')) as unknown[])[0]);
        const broken: string[] = [];
        if ((await stored()) !== total) broken.push(`${await stored()} stored of ${total}`);
        if (pendingLeft !== 0) broken.push(`${pendingLeft} entries left pending`);
        recordOutcome({
          scenario: 'prediction drainer (I/O worker) SIGKILL mid-drain',
          injectedAt: `${atKill} of ${total} stored, ${heldByTheDead} held by the killed drainer`,
          downtimeSeconds: 0,
          recoveredSeconds: (Date.now() - killedAt) / 1000,
          invariants:
            broken.length === 0 ? `all hold (${total} stored once, stream empty, nothing pending)` : broken.join('; '),
        });
        expect(broken).toEqual([]);
        second.kill('SIGTERM');
      } finally {
        await redis.del(stream).catch(() => undefined);
        redis.disconnect();
        await mongo.close();
      }
    },
    5 * MINUTE,
  );
});
