import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { startApi, type RunningApi } from '../../api/server';
import { connectRedis } from '../../lib/buffer/redis';
import { loadConfig } from '../../lib/config/config';
import { projectRoot } from '../../lib/config/paths';
import { announcePromotion } from '../../lib/tracking/promotions';
import { connectMongo, type MongoConnection } from '../../lib/features';
import { PREDICTIONS_COLLECTION } from '../../lib/predictions/prediction-document';
import { loadPredictor, MlflowClient, type TextPredictor } from '../../lib/tracking';
import { trainWorkflow, type TrainSummary } from '../../workflows';
import { removeIsolatedData, removeTrackedData } from '../support/cleanup';
import { isolatedSetup } from '../support/isolated-config';
import { TcpProxy } from '../support/tcp-proxy';
import { ingestSmallSample, startWorkers, temporalClient, type RunningWorkers } from '../support/workers';

/**
 * The served model over its life: reloads when a training promotes (announced on Redis) or the
 * alias moves (polled), swaps under concurrent load without a failed request, and keeps every
 * prediction while MongoDB is unreachable — a real API on a port, real engines, real models.
 */
const ADMIN_KEY = 'serving-test-admin-key-of-24-or-more';
const PAPERS = [
  {
    title: 'Attention-based neural machine translation',
    abstract: 'We translate between languages with an attention mechanism over the source sentence and report BLEU.',
  },
  {
    title: 'Convolutional networks for image segmentation',
    abstract:
      'A fully convolutional network labels every pixel of an image; we train it end to end on segmentation benchmarks.',
  },
  {
    title: 'Stochastic gradient descent converges for non-convex objectives',
    abstract:
      'We prove convergence rates of stochastic gradient methods under smoothness assumptions and study generalization.',
  },
  {
    title: 'Graph neural networks for molecules',
    abstract:
      'Message passing on molecular graphs predicts chemical properties; we compare architectures on benchmark datasets.',
  },
];

type Answer = { model: { runId: string; version: string | null }; predictions: Array<{ category: string }> };

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('serving a moving model (real API on a port, real MLflow, Redis and MongoDB)', () => {
  const { config, env, testId } = isolatedSetup('api-serving', { MLFLOW_EXPERIMENT: '', MLFLOW_MODEL_NAME: '' });
  const modelName = `api-serving-model-${testId}`;
  const experiment = `api-serving-${testId}`;
  // The load comes from one address: the per-client budgets are not what these tests are about (the last one is).
  const servingEnv = {
    ...env,
    MLFLOW_EXPERIMENT: experiment,
    MLFLOW_MODEL_NAME: modelName,
    MLOPS_API_KEY: ADMIN_KEY,
    API_RELOAD_INTERVAL_SECONDS: '0',
    API_RATE_LIMIT_PER_MINUTE: '10000000',
    API_RATE_LIMIT_PAPERS_PER_MINUTE: '10000000',
  };
  const servingConfig = loadConfig(servingEnv);
  const mlflow = new MlflowClient(config.mlflow.url);
  let workers: RunningWorkers;
  let client: Client;
  let mongo: MongoConnection;
  const trained: TrainSummary[] = [];
  const predictors = new Map<string, TextPredictor>();
  const apis: RunningApi[] = [];

  const train = async (name: string) => {
    const summary = await client.workflow.execute(trainWorkflow, {
      taskQueue: config.temporal.taskQueues.io,
      workflowId: `${testId}-${name}`,
      args: [{ taskQueues: config.temporal.taskQueues, hyperparameters: { hiddenUnits: 32, maxEpochs: 6 } }],
    });
    trained.push(summary);
    predictors.set(summary.runId, await loadPredictor(mlflow, await mlflow.getRun(summary.runId)));
    return summary;
  };
  const served = async (api: RunningApi) =>
    ((await (await fetch(`${api.url}/v1/model`)).json()) as { model: { runId: string; version: string } }).model;
  const predict = async (api: RunningApi, body: object) =>
    fetch(`${api.url}/v1/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const reload = async (api: RunningApi) =>
    (await (
      await fetch(`${api.url}/v1/model/reload`, { method: 'POST', headers: { 'x-api-key': ADMIN_KEY } })
    ).json()) as { changed: boolean; to: { runId: string } };

  beforeAll(async () => {
    workers = await startWorkers(servingConfig);
    client = await temporalClient(config);
    mongo = await connectMongo(config.mongo.endpoint.url, config.mongo.database);
    await ingestSmallSample(client, config, `${testId}-ingest`);
    await train('train-1');
  });

  afterAll(async () => {
    for (const api of apis) await api.close();
    for (const predictor of predictors.values()) predictor.dispose();
    await workers?.stop();
    await client?.connection.close();
    await mongo?.close();
    await removeIsolatedData(config);
    await removeTrackedData(mlflow, modelName, [experiment]);
  });

  it('moves to the model a training promotes, told on Redis (polling off)', async () => {
    const api = await startApi(servingConfig, { host: '127.0.0.1', port: 0, logLevel: 'silent' });
    apis.push(api);
    expect(await served(api)).toMatchObject({ runId: trained[0]!.runId, version: '1' });
    // With no champion the next training is promoted as the first model, and announces it.
    await mlflow.deleteAlias(modelName, 'champion');
    // Without a champion `mlops api` refuses to start, unless told to wait for one (a fresh stack).
    await expect(startApi(servingConfig, { host: '127.0.0.1', port: 0, logLevel: 'silent' })).rejects.toThrow(
      /no model carries the alias/,
    );
    const waiting = await startApi(servingConfig, {
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
      waitForModel: true,
    });
    apis.push(waiting);
    expect((await fetch(`${waiting.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${waiting.url}/v1/model`)).status).toBe(503);
    const refused = await predict(waiting, { title: 'A title', abstract: 'An abstract.' });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({
      statusCode: 503,
      message: expect.stringContaining('no model is loaded yet'),
    });
    const second = await train('train-2');
    expect(second).toMatchObject({ promoted: true, modelVersion: '2' });
    await waitFor('the API to serve v2', async () => (await served(api)).version === '2');
    expect(await served(api)).toMatchObject({ runId: second.runId, version: '2' });
    await waitFor('the waiting API to serve v2', async () => (await fetch(`${waiting.url}/v1/model`)).status === 200);
    expect(await served(waiting)).toMatchObject({ runId: second.runId, version: '2' });
    expect((await predict(waiting, { title: 'A title', abstract: 'An abstract.' })).status).toBe(200);
  });

  it('moves on its own poll when the alias is moved by hand', async () => {
    const api = await startApi(loadConfig({ ...servingEnv, API_RELOAD_INTERVAL_SECONDS: '1' }), {
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
    });
    apis.push(api);
    expect((await served(api)).version).toBe('2');
    await mlflow.setAlias(modelName, 'champion', '1');
    await waitFor('the poll to load v1', async () => (await served(api)).version === '1', 15_000);
    expect((await served(api)).runId).toBe(trained[0]!.runId);
  });

  it('swaps models under concurrent load: no request fails, every answer comes whole from the model it names', async () => {
    const api = apis[0]!;
    const expected = new Map(
      [...predictors].map(([runId, predictor]) => [
        runId,
        predictor.predict(PAPERS).map((prediction) => prediction.category),
      ]),
    );
    const answers: Answer[] = [];
    const failures: string[] = [];
    let running = true;
    const client = async () => {
      while (running) {
        const response = await predict(api, { items: PAPERS }).catch((error: Error) => error);
        if (response instanceof Error) failures.push(response.message);
        else if (response.status !== 200) failures.push(`${response.status} ${await response.text()}`);
        else answers.push((await response.json()) as Answer);
      }
    };
    const load = Array.from({ length: 16 }, client);
    const swaps: boolean[] = [];
    for (let i = 0; i < 8; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      // This API (polling off) still serves v2 from the first test, though the alias points at v1.
      await mlflow.setAlias(modelName, 'champion', i % 2 === 0 ? '1' : '2');
      swaps.push((await reload(api)).changed);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    running = false;
    await Promise.all(load);

    expect(swaps).toEqual(Array(8).fill(true));
    expect(await (await fetch(`${api.url}/metrics`)).text()).toMatch(
      /arxiv_api_model_reloads_total\{outcome="swapped"\} (9|\d\d)\b/,
    );
    expect(failures).toEqual([]);
    expect(answers.length).toBeGreaterThan(100);
    const seen = new Set(answers.map((answer) => answer.model.runId));
    expect([...seen].sort()).toEqual(trained.map((summary) => summary.runId).sort());
    for (const answer of answers)
      expect(answer.predictions.map((prediction) => prediction.category)).toEqual(expected.get(answer.model.runId));
  });

  it('with --workers 2, serves from two processes on one port, moves each to the model a promotion announces, and adds their metrics up', async () => {
    const port = 18_100 + Math.floor(Math.random() * 800);
    const child = spawn(
      process.execPath,
      [join(projectRoot(), 'bin/mlops.js'), 'api', '--workers', '2', '--port', String(port), '--log-level', 'silent'],
      { env: servingEnv, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const url = `http://127.0.0.1:${port}`;
    const metrics = async () => (await fetch(`${url}/metrics`)).text();
    /** The run each worker serves, from the model-info gauge every worker labels with its id. */
    const servedBy = async () =>
      Object.fromEntries(
        [...(await metrics()).matchAll(/^arxiv_api_model_info\{[^}]*run_id="([^"]+)"[^}]*worker="(\d+)"\} 1$/gm)].map(
          (match) => [match[2]!, match[1]!],
        ),
      );
    const redis = await connectRedis(config.redis.url, 'api-serving-test');
    try {
      await waitFor('both workers to listen', async () => stderr.includes('api listening'), 60_000);
      expect(stderr).toContain(`api listening on http://127.0.0.1:${port} — 2 workers`);
      const before = await servedBy();
      expect(Object.keys(before).sort()).toEqual(['1', '2']);
      const current = (await mlflow.getVersionByAlias(modelName, 'champion'))!;
      const next =
        current.version === '1'
          ? { version: '2', runId: trained[1]!.runId }
          : { version: '1', runId: trained[0]!.runId };
      expect(Object.values(before)).toEqual([current.run_id, current.run_id]);

      await mlflow.setAlias(modelName, 'champion', next.version);
      await announcePromotion(redis, { modelName, alias: 'champion', version: next.version, runId: next.runId });
      await waitFor(
        'both workers to serve the promoted model',
        async () => JSON.stringify(await servedBy()) === JSON.stringify({ 1: next.runId, 2: next.runId }),
        30_000,
      );

      // Requests go round-robin to both workers; /metrics, whichever worker answers it, counts them all.
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          fetch(`${url}/v1/predict`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(PAPERS[0]),
          }),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
      for (let asked = 0; asked < 4; asked += 1) {
        const counted = [...(await metrics()).matchAll(/^arxiv_api_predictions_total\{[^}]*\} (\d+)$/gm)].reduce(
          (sum, match) => sum + Number(match[1]),
          0,
        );
        expect(counted).toBe(20);
      }
      expect(await metrics()).toMatch(/^arxiv_api_model_reloads_total\{outcome="swapped"\} 2$/m);
    } finally {
      redis.disconnect();
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain('api stopped (20 predictions appended to the log stream)');
  });

  it('keeps answering while Redis is unreachable, appends the backlog when it is back, and counts what a full backlog drops', async () => {
    const redisUrl = new URL(config.redis.url);
    const proxy = new TcpProxy(redisUrl.hostname, Number(redisUrl.port));
    await proxy.start();
    const database = config.mongo.database;
    const api = await startApi(
      loadConfig({ ...servingEnv, REDIS_URL: `redis://127.0.0.1:${proxy.port}`, PREDICTION_LOG_MAX_BACKLOG: '30' }),
      { host: '127.0.0.1', port: 0, logLevel: 'silent' },
    );
    apis.push(api);
    // The I/O worker's drainer (beside the workers of this file) stores what reaches the stream.
    const stored = (requestIds: string[]) =>
      mongo.client
        .db(database)
        .collection(PREDICTIONS_COLLECTION)
        .countDocuments({ requestId: { $in: requestIds } });
    const ids: string[] = [];
    const predictOne = async (paper: (typeof PAPERS)[number]) => {
      const response = await predict(api, paper);
      expect(response.status).toBe(200);
      ids.push(((await response.json()) as { requestId: string }).requestId);
    };
    try {
      await waitFor('the API to reach Redis', async () => (await fetch(`${api.url}/readyz`)).ok);
      await predictOne(PAPERS[0]!);
      await waitFor('the first prediction to be stored', async () => (await stored(ids)) === 1);
      const appended = api.log.appendedCount;

      await proxy.cut();
      for (let i = 0; i < 40; i += 1) await predictOne(PAPERS[i % PAPERS.length]!);
      const ready = await fetch(`${api.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ redis: false, model: true, predictionBacklog: 30 });
      const metrics = await (await fetch(`${api.url}/metrics`)).text();
      expect(metrics).toMatch(/arxiv_api_prediction_log_backlog 30\b/);
      expect(metrics).toMatch(/arxiv_api_prediction_log_dropped_total 10\b/);
      expect(api.log.appendedCount).toBe(appended);
      expect(await stored(ids)).toBe(1);

      await proxy.restore();
      await waitFor('the backlog to be appended', async () => api.log.backlog === 0, 30_000);
      await waitFor('the backlog to be stored', async () => (await stored(ids)) === 1 + 30, 30_000);
      expect(api.log.droppedCount).toBe(10);
      // The 30 kept are the newest: the oldest are what a full backlog drops.
      const kept = await mongo.client
        .db(database)
        .collection(PREDICTIONS_COLLECTION)
        .distinct('requestId', { requestId: { $in: ids } });
      expect(kept.sort()).toEqual([ids[0]!, ...ids.slice(11)].sort());
    } finally {
      await proxy.cut();
    }
  });

  it('holds at most PREDICTION_LOG_MAX_BACKLOG_BYTES of unappended predictions while Redis is unreachable, and counts what it drops', async () => {
    const redisUrl = new URL(config.redis.url);
    const proxy = new TcpProxy(redisUrl.hostname, Number(redisUrl.port));
    await proxy.start();
    const maxBytes = 2 * 1024 * 1024;
    const api = await startApi(
      loadConfig({
        ...servingEnv,
        REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
        PREDICTION_LOG_MAX_BACKLOG_BYTES: String(maxBytes),
        PREDICTION_LOG_TEXT: 'true',
      }),
      { host: '127.0.0.1', port: 0, logLevel: 'silent' },
    );
    apis.push(api);
    // The largest batch the API takes: 64 papers of the longest title and abstract (≈ 0.7 MB of JSON).
    const biggest = {
      items: Array.from({ length: 64 }, (_, i) => ({
        title: `${i} ${'t'.repeat(990)}`,
        abstract: `${i} ${'a '.repeat(4_990)}`,
      })),
    };
    const requestIds: string[] = [];
    try {
      await proxy.cut();
      for (let i = 0; i < 5; i += 1) {
        const response = await predict(api, biggest);
        expect(response.status).toBe(200);
        requestIds.push(((await response.json()) as { requestId: string }).requestId);
      }
      // 320 answered predictions of ≈ 12.5 KB of BSON each: far more than the count bound allows in bytes.
      expect(api.log.backlogBytes).toBeLessThanOrEqual(maxBytes);
      expect(api.log.backlog).toBeGreaterThan(0);
      expect(api.log.backlog + api.log.droppedCount).toBe(320);
      expect(api.log.droppedCount).toBeGreaterThan(100);
      const metrics = await (await fetch(`${api.url}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`arxiv_api_prediction_log_backlog_bytes ${api.log.backlogBytes}\\b`));
      expect(metrics).toMatch(new RegExp(`arxiv_api_prediction_log_dropped_total ${api.log.droppedCount}\\b`));
      expect(metrics).toMatch(
        new RegExp(`arxiv_api_prediction_log_dropped_bytes_total ${api.log.droppedByteCount}\\b`),
      );

      const kept = api.log.backlog;
      await proxy.restore();
      await waitFor('the backlog to be appended', async () => api.log.backlog === 0, 30_000);
      const stored = () =>
        mongo.client
          .db(config.mongo.database)
          .collection(PREDICTIONS_COLLECTION)
          .countDocuments({ requestId: { $in: requestIds } });
      await waitFor('the backlog to be stored', async () => (await stored()) === kept, 30_000);
      expect(api.log.backlogBytes).toBe(0);
    } finally {
      await proxy.cut();
    }
  });

  it('cuts a request whose body trickles in slower than API_REQUEST_TIMEOUT_MS (slow loris), and keeps serving', async () => {
    const api = await startApi(loadConfig({ ...servingEnv, API_REQUEST_TIMEOUT_MS: '1500' }), {
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
    });
    apis.push(api);
    const { hostname, port } = new URL(api.url);
    const socket = connect(Number(port), hostname);
    await once(socket, 'connect');
    const answer: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => answer.push(chunk));
    socket.on('error', () => undefined);
    const closed = once(socket, 'close').then(() => 'closed' as const);
    socket.write(
      `POST /v1/predict HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"title":"`,
    );
    const started = Date.now();
    const trickle = setInterval(() => socket.writable && socket.write('x'), 200);
    try {
      const outcome = await Promise.race([closed, sleep(15_000).then(() => 'still open' as const)]);
      expect(outcome).toBe('closed');
      expect(Date.now() - started).toBeLessThan(10_000);
      const text = Buffer.concat(answer).toString();
      if (text) expect(text).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
    expect((await predict(api, PAPERS[0]!)).status).toBe(200);
  });

  it('counts papers, not requests, per client; behind a trusted proxy each forwarded client has a budget of its own', async () => {
    const batch = (size: number) => ({ items: Array.from({ length: size }, (_, i) => PAPERS[i % PAPERS.length]!) });
    const from = (api: RunningApi, client: string, body: object) =>
      fetch(`${api.url}/v1/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
        body: JSON.stringify(body),
      });

    const proxied = await startApi(
      loadConfig({ ...servingEnv, API_RATE_LIMIT_PAPERS_PER_MINUTE: '100', API_TRUST_PROXY: '127.0.0.1' }),
      { host: '127.0.0.1', port: 0, logLevel: 'silent' },
    );
    apis.push(proxied);
    expect((await from(proxied, '203.0.113.1', batch(64))).status).toBe(200);
    const refused = await from(proxied, '203.0.113.1', batch(64));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({
      error: 'Too Many Requests',
      statusCode: 429,
      message: expect.stringContaining('more than 100 papers in 1 minute'),
    });
    // The refused batch spent nothing: exactly what is left still passes, then nothing more.
    expect((await from(proxied, '203.0.113.1', batch(36))).status).toBe(200);
    expect((await from(proxied, '203.0.113.1', PAPERS[0]!)).status).toBe(429);
    // Another client behind the same proxy has its own budget.
    expect((await from(proxied, '203.0.113.2', batch(64))).status).toBe(200);

    // Without a trusted proxy, X-Forwarded-For is not believed: one address, one budget.
    const direct = await startApi(loadConfig({ ...servingEnv, API_RATE_LIMIT_PAPERS_PER_MINUTE: '100' }), {
      host: '127.0.0.1',
      port: 0,
      logLevel: 'silent',
    });
    apis.push(direct);
    expect((await from(direct, '203.0.113.1', batch(64))).status).toBe(200);
    expect((await from(direct, '203.0.113.2', batch(64))).status).toBe(429);
  });
});
