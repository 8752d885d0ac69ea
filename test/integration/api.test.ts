import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app';
import { ModelHolder } from '../../api/model-holder';
import { MAX_ITEMS } from '../../api/routes/predict';
import { connectMongo, type MongoConnection } from '../../lib/features';
import { decodeVector } from '../../lib/features/feature-store';
import type Redis from 'ioredis';
import { connectRedis } from '../../lib/buffer/redis';
import { inputHash } from '../../lib/predictions/prediction-document';
import { PredictionPublisher } from '../../lib/predictions/prediction-publisher';
import { PredictionStore } from '../../lib/predictions/prediction-store';
import { ModelReloader } from '../../api/model-reloader';
import { loadPredictor, MlflowClient, resolveServingRun } from '../../lib/tracking';
import { trainWorkflow, type TrainSummary } from '../../workflows';
import { projectRoot } from '../../lib/config/paths';
import { launchChromium } from '../support/browser';
import { removeIsolatedData, removeTrackedData } from '../support/cleanup';
import { isolatedSetup } from '../support/isolated-config';
import { ingestSmallSample, startWorkers, temporalClient, type RunningWorkers } from '../support/workers';

/** The inference API's routes against a really trained model from a real MLflow server. */
const ADMIN_KEY = 'k3y-for-tests-only';
const PAPER = {
  title: 'Attention-based neural machine translation for low-resource languages',
  abstract:
    'We study neural machine translation with attention for language pairs with little parallel text, and show that back-translation and subword units improve BLEU.',
};

describe('inference API routes (real MLflow model, real MongoDB)', () => {
  const { config, testId } = isolatedSetup('api', { MLFLOW_EXPERIMENT: '', MLFLOW_MODEL_NAME: '' });
  const modelName = `api-test-model-${testId}`;
  const experiment = `api-test-${testId}`;
  const testConfig = { ...config, tracking: { ...config.tracking, experiment, modelName } };
  const mlflow = new MlflowClient(config.mlflow.url);
  let workers: RunningWorkers;
  let client: Client;
  let mongo: MongoConnection;
  let trained: TrainSummary;
  let app: FastifyInstance;
  const models = new ModelHolder();
  let log: PredictionPublisher;
  let redis: Redis;
  let store: PredictionStore;
  /** Waits until the I/O worker's drainer has stored `count` predictions (it drains the stream the app appends to). */
  async function storedReaches(count: number, filter: Record<string, unknown> = {}): Promise<void> {
    const deadline = Date.now() + 20_000;
    while ((await store.collection.countDocuments(filter)) < count) {
      if (Date.now() > deadline)
        throw new Error(
          `the drainer stored ${await store.collection.countDocuments(filter)} predictions, not ${count}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(async () => {
    workers = await startWorkers(testConfig);
    client = await temporalClient(config);
    mongo = await connectMongo(config.mongo.endpoint.url, config.mongo.database);
    await ingestSmallSample(client, config, `${testId}-ingest`);
    trained = await client.workflow.execute(trainWorkflow, {
      taskQueue: config.temporal.taskQueues.io,
      workflowId: `${testId}-train`,
      args: [{ taskQueues: config.temporal.taskQueues, hyperparameters: { hiddenUnits: 32, maxEpochs: 8 } }],
    });
    redis = await connectRedis(config.redis.url, 'api-test');
    log = new PredictionPublisher(redis, {
      stream: config.api.predictionLog.stream,
      maxBacklog: 1_000,
      maxBacklogBytes: 64 * 1024 * 1024,
    });
    store = new PredictionStore(mongo.db, 90);
    const reloader = new ModelReloader(models, {
      choose: async () => {
        const serving = await resolveServingRun(mlflow, { modelName, alias: 'champion' });
        return { runId: serving.run.info.run_id, modelVersion: serving.modelVersion ?? null };
      },
      load: async () => {
        const serving = await resolveServingRun(mlflow, { modelName, alias: 'champion' });
        return {
          predictor: await loadPredictor(mlflow, serving.run),
          modelName,
          modelVersion: serving.modelVersion ?? null,
          chosenBy: 'alias',
          alias: 'champion',
          loadedAt: new Date(),
        };
      },
    });
    app = buildApp({
      models,
      log,
      reloader,
      adminKey: ADMIN_KEY,
      redisReachable: async () => (await redis.ping()) === 'PONG',
    });
  });

  afterAll(async () => {
    await app?.close();
    models.dispose();
    redis?.disconnect();
    await workers?.stop();
    await client?.connection.close();
    await mongo?.close();
    await removeIsolatedData(config);
    await removeTrackedData(mlflow, modelName, [experiment]);
  });

  it('is alive but not ready before a model is loaded, and says why predictions fail', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'not ready', model: false, redis: true, predictionBacklog: 0 });
    const predict = await app.inject({ method: 'POST', url: '/v1/predict', payload: PAPER });
    expect(predict.statusCode).toBe(503);
    expect(predict.json()).toMatchObject({
      error: 'Service Unavailable',
      statusCode: 503,
      message: expect.stringContaining('no model is loaded'),
    });
  });

  it('serves the alias’s model and tells what it is', async () => {
    const serving = await resolveServingRun(mlflow, { modelName, alias: 'champion' });
    models.swap({
      predictor: await loadPredictor(mlflow, serving.run),
      modelName,
      modelVersion: serving.modelVersion ?? null,
      chosenBy: 'alias',
      alias: 'champion',
      loadedAt: new Date(),
    });
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const model = (await app.inject({ method: 'GET', url: '/v1/model' })).json();
    expect(model).toMatchObject({
      model: { name: modelName, version: '1', runId: trained.runId, embedderVersion: trained.embedderVersion },
      chosenBy: 'alias',
      classes: trained.classes,
    });
  });

  it('predicts one paper: a category, the top classes with probabilities, the model and a request id', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/predict', payload: PAPER });
    expect(response.statusCode).toBe(200);
    const body = response.json() as {
      requestId: string;
      model: { runId: string };
      predictions: Array<{ category: string; top: Array<{ category: string; probability: number }> }>;
    };
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.model.runId).toBe(trained.runId);
    expect(body.predictions).toHaveLength(1);
    const [prediction] = body.predictions;
    expect(trained.classes).toContain(prediction!.category);
    expect(prediction!.top).toHaveLength(3);
    expect(prediction!.top[0]!.category).toBe(prediction!.category);
    expect(prediction!.top.map((entry) => entry.probability)).toEqual(
      [...prediction!.top.map((entry) => entry.probability)].sort((a, b) => b - a),
    );
  });

  it('predicts a batch in order, the same as one by one, with the asked-for number of classes', async () => {
    const items = [
      PAPER,
      {
        title: 'Convolutional networks for image segmentation',
        abstract: 'A fully convolutional network labels every pixel of an image.',
      },
    ];
    const batch = (await app.inject({ method: 'POST', url: '/v1/predict?top=5', payload: { items } })).json() as {
      predictions: Array<{ category: string; top: unknown[] }>;
    };
    expect(batch.predictions).toHaveLength(2);
    expect(batch.predictions[0]!.top).toHaveLength(5);
    for (const [i, item] of items.entries()) {
      const single = (await app.inject({ method: 'POST', url: '/v1/predict', payload: item })).json() as {
        predictions: Array<{ category: string }>;
      };
      expect(single.predictions[0]!.category).toBe(batch.predictions[i]!.category);
    }
  });

  const bad: Array<[string, { payload?: unknown; body?: string; url?: string; contentType?: string }, RegExp]> = [
    ['a missing abstract', { payload: { title: 'Only a title' } }, /abstract/],
    ['a number for the title', { payload: { title: 42, abstract: 'Text.' } }, /title|must be/],
    ['an empty title', { payload: { title: '', abstract: 'Text.' } }, /title/],
    ['a title of blanks', { payload: { title: '   ', abstract: 'Text.' } }, /title/],
    ['an unknown field', { payload: { ...PAPER, author: 'someone' } }, /additional|must/],
    ['a huge abstract', { payload: { title: 'T', abstract: 'word '.repeat(3_000) } }, /abstract/],
    ['an empty batch', { payload: { items: [] } }, /items/],
    ['too many items', { payload: { items: Array.from({ length: MAX_ITEMS + 1 }, () => PAPER) } }, /items/],
    ['malformed JSON', { body: '{"title": "cut off', contentType: 'application/json' }, /JSON|Unexpected|parse/i],
    ['an out-of-range top', { payload: PAPER, url: '/v1/predict?top=0' }, /top/],
  ];

  it.each(bad)('answers %s with 400 and a message, and keeps serving', async (_what, request, message) => {
    const response = await app.inject({
      method: 'POST',
      url: request.url ?? '/v1/predict',
      ...(request.body !== undefined
        ? { body: request.body, headers: { 'content-type': request.contentType! } }
        : { payload: request.payload as object }),
    });
    expect(response.statusCode).toBe(400);
    const body = response.json() as { error: string; message: string; statusCode: number; requestId: string };
    expect(body).toMatchObject({ error: 'Bad Request', statusCode: 400, requestId: response.headers['x-request-id'] });
    expect(Object.keys(body).sort()).toEqual(['error', 'message', 'requestId', 'statusCode']);
    expect(response.body).not.toMatch(/node_modules|\bat .+:\d+:\d+/);
    expect(body.message).toMatch(message);
    expect((await app.inject({ method: 'POST', url: '/v1/predict', payload: PAPER })).statusCode).toBe(200);
  });

  it('handles unicode text: accents, math, emoji and characters outside the BMP', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/predict',
      payload: {
        title: 'Équations de Schrödinger 𝛼-stables 🚀',
        abstract: 'Nous étudions ∫ e^{-x²} dx et les opérateurs 𝓛 sur ℝⁿ. 中文摘要。',
      },
    });
    expect(response.statusCode).toBe(200);
    // Lone surrogates, NUL, right-to-left marks, zero-width and combining characters: answered, never a 5xx.
    for (const raw of [
      '{"title":"\\ud800 broken","abstract":"half a pair \\udfff"}',
      '{"title":"nul \\u0000 inside","abstract":"text"}',
      '{"title":"\u202eright to left\u200b","abstract":"e\u0301\u0301\u0301 zero\u200dwidth"}',
    ]) {
      const answer = await app.inject({
        method: 'POST',
        url: '/v1/predict',
        body: raw,
        headers: { 'content-type': 'application/json' },
      });
      expect(answer.statusCode).toBe(200);
      expect((answer.json() as { predictions: unknown[] }).predictions).toHaveLength(1);
    }
  });

  it('records every prediction in MongoDB through the Redis stream, once, with the model that made it', async () => {
    const appended = log.appendedCount;
    const response = (
      await app.inject({ method: 'POST', url: '/v1/predict', payload: { items: [PAPER, PAPER, PAPER] } })
    ).json() as { requestId: string; predictions: Array<{ category: string }> };
    // Answered once Redis held them: nothing waits in the API's memory.
    expect(log.appendedCount).toBe(appended + 3);
    expect(log.backlog).toBe(0);
    expect(
      ((await app.inject({ method: 'GET', url: '/readyz' })).json() as { predictionBacklog: number }).predictionBacklog,
    ).toBe(0);
    await storedReaches(3, { requestId: response.requestId });
    const stored = await store.collection.find({ requestId: response.requestId }).sort({ _id: 1 }).toArray();
    expect(stored.map((document) => [document._id, document.category, document.runId])).toEqual(
      response.predictions.map((prediction, i) => [`${response.requestId}:${i}`, prediction.category, trained.runId]),
    );
    // What monitoring needs: the input's hash, its descriptors, the embedding, the answer —
    // not the text itself (unbounded in the collection, and the client's data) unless asked for, nor every class's probability.
    const [first] = stored;
    expect(first).not.toHaveProperty('title');
    expect(first).not.toHaveProperty('abstract');
    expect(first!.inputHash).toBe(inputHash(PAPER));
    expect(first!.text).toMatchObject({
      titleChars: PAPER.title.length,
      abstractChars: PAPER.abstract.length,
      abstractWords: PAPER.abstract.split(' ').length,
    });
    expect(first!.text.oovShare).toBeGreaterThanOrEqual(0);
    expect(first!.text.oovShare).toBeLessThan(1);
    const expected = models.current().predictor.predict([PAPER])[0]!;
    expect(Array.from(decodeVector(first!.embedding))).toEqual(Array.from(expected.vector));
    expect(first).not.toHaveProperty('probabilities');
    expect(first!.top).toHaveLength(3);
    expect(first!.top[0]!.category).toBe(first!.category);
    expect(first!.top[0]!.probability).toBeCloseTo(
      expected.probabilities[trained.classes.indexOf(first!.category)]!,
      6,
    );
    // An entry delivered twice (appended again after a lost acknowledgement) is stored once.
    await log.record(stored);
    const marker = (await app.inject({ method: 'POST', url: '/v1/predict', payload: PAPER })).json() as {
      requestId: string;
    };
    await storedReaches(1, { requestId: marker.requestId });
    expect(await store.collection.countDocuments({ requestId: response.requestId })).toBe(3);
  });

  it('logs the title and abstract too only when asked (PREDICTION_LOG_TEXT)', async () => {
    const withText = buildApp({ models, log, redisReachable: async () => true }, { logText: true });
    const { requestId } = (await withText.inject({ method: 'POST', url: '/v1/predict', payload: PAPER })).json() as {
      requestId: string;
    };
    await storedReaches(1, { requestId });
    expect(await store.collection.findOne({ requestId })).toMatchObject({
      title: PAPER.title,
      abstract: PAPER.abstract,
      inputHash: inputHash(PAPER),
    });
    await withText.close();
  });

  it('keeps predictions for the retention: a TTL index where the server has them, and older ones deleted by the drainer itself', async () => {
    const retained = new PredictionStore(mongo.db, 2);
    await retained.ensureIndexes();
    const ttl = (await retained.collection.indexes()).find((index) => index.name === 'retention');
    // MongoDB expires by a TTL index; FerretDB 1.x has none (NotImplemented), so the hourly pass is all.
    expect(retained.retention).toBe(ttl ? 'ttl index' : 'hourly deletion');
    if (ttl) {
      expect(ttl).toMatchObject({ key: { at: 1 }, expireAfterSeconds: 2 * 86_400 });
      // A changed retention changes the index in place.
      await new PredictionStore(mongo.db, 3).ensureIndexes();
      expect((await retained.collection.indexes()).find((index) => index.name === 'retention')).toMatchObject({
        expireAfterSeconds: 3 * 86_400,
      });
    }

    const now = new Date();
    const [template] = await retained.collection.find({}).limit(1).toArray();
    const aged = (id: string, daysAgo: number) => ({
      ...template!,
      _id: id,
      requestId: id,
      at: new Date(now.getTime() - daysAgo * 86_400_000),
    });
    expect(await retained.insert([aged('retention-old', 2.5), aged('retention-recent', 1.5)])).toBe(2);
    expect(await retained.deleteExpired(now)).toBe(1);
    expect(await retained.collection.countDocuments({ _id: { $in: ['retention-old', 'retention-recent'] } })).toBe(1);
    expect(await retained.collection.findOne({ _id: 'retention-recent' })).not.toBeNull();
  });

  it('answers an unknown route with 404 in the same error shape', async () => {
    const response = await app.inject({ method: 'GET', url: '/v2/nothing?x=1' });
    expect(response.json()).toEqual({
      error: 'Not Found',
      message: 'no route GET /v2/nothing',
      statusCode: 404,
      requestId: response.headers['x-request-id'],
    });
  });

  it('answers an unsupported content type with 415, and a body over the limit with 413', async () => {
    const text = await app.inject({
      method: 'POST',
      url: '/v1/predict',
      body: 'title=x&abstract=y',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(text.statusCode).toBe(415);
    expect(text.json()).toMatchObject({ error: 'Unsupported Media Type', statusCode: 415 });
    const huge = await app.inject({
      method: 'POST',
      url: '/v1/predict',
      body: JSON.stringify({ title: 'T', abstract: 'x'.repeat(2 * 1024 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ error: 'Payload Too Large', statusCode: 413 });
  });

  it('sends security headers and a request id with every answer', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('guards the reload with the admin key: 401 without it or with a wrong one, 200 with it', async () => {
    const url = '/v1/model/reload';
    const missing = await app.inject({ method: 'POST', url });
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toMatchObject({
      error: 'Unauthorized',
      message: expect.stringContaining('admin key is needed'),
    });
    for (const headers of [
      { 'x-api-key': 'nope' },
      { 'x-api-key': `${ADMIN_KEY}x` },
      { authorization: `Bearer ${ADMIN_KEY.slice(0, -1)}` },
    ]) {
      const wrong = await app.inject({ method: 'POST', url, headers });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json()).toMatchObject({ message: 'the admin key is wrong' });
    }
    for (const headers of [{ 'x-api-key': ADMIN_KEY }, { authorization: `Bearer ${ADMIN_KEY}` }]) {
      const ok = await app.inject({ method: 'POST', url, headers });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({
        changed: false,
        to: { runId: trained.runId, modelVersion: '1' },
        model: { model: { runId: trained.runId } },
      });
    }
    const off = buildApp({ models, redisReachable: async () => true });
    expect((await off.inject({ method: 'POST', url, headers: { 'x-api-key': ADMIN_KEY } })).json()).toMatchObject({
      statusCode: 403,
      message: expect.stringContaining('MLOPS_API_KEY'),
    });
    await off.close();
  });

  it('exports Prometheus metrics: requests and latency per route, predictions per class, the model, the log backlog', async () => {
    const fresh = buildApp({ models, log, redisReachable: async () => true });
    const answer = (
      await fresh.inject({ method: 'POST', url: '/v1/predict', payload: { items: [PAPER, PAPER] } })
    ).json() as { predictions: Array<{ category: string }> };
    await fresh.inject({ method: 'POST', url: '/v1/predict', payload: { title: '' } });
    const metrics = await fresh.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    const text = metrics.body;
    expect(text).toContain('arxiv_api_requests_total{method="POST",route="/v1/predict",status_code="200"} 1');
    expect(text).toContain('arxiv_api_requests_total{method="POST",route="/v1/predict",status_code="400"} 1');
    expect(text).toMatch(/arxiv_api_request_duration_seconds_count\{method="POST",route="\/v1\/predict"\} 2/);
    expect(text).toContain(
      `arxiv_api_predictions_total{category="${answer.predictions[0]!.category}",model_version="1"} 2`,
    );
    expect(text).toContain(
      `arxiv_api_model_info{model_name="${modelName}",model_version="1",run_id="${trained.runId}",embedder_version="${trained.embedderVersion}",chosen_by="alias",worker="0"} 1`,
    );
    expect(text).toMatch(new RegExp(`arxiv_api_prediction_log_backlog ${log.backlog}\\b`));
    expect(text).toContain('arxiv_api_prediction_log_dropped_total 0');
    expect(text).toContain('arxiv_api_model_reloads_total{outcome="swapped"} 0');
    await fresh.close();
  });

  it('limits requests per client: 429 in the error shape beyond the limit', async () => {
    const limited = buildApp({ models, redisReachable: async () => true }, { limits: { requestsPerMinute: 3 } });
    const codes: number[] = [];
    for (let i = 0; i < 4; i += 1) codes.push((await limited.inject({ method: 'GET', url: '/healthz' })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    const refused = await limited.inject({ method: 'GET', url: '/v1/model' });
    expect(refused.json()).toMatchObject({
      error: 'Too Many Requests',
      statusCode: 429,
      message: expect.stringContaining('more than 3 requests'),
    });
    expect(refused.headers['retry-after']).toBeDefined();
    await limited.close();
  });

  it('publishes its OpenAPI description and docs from the route schemas', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
    };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths).sort()).toEqual([
      '/healthz',
      '/metrics',
      '/readyz',
      '/v1/model',
      '/v1/model/reload',
      '/v1/predict',
    ]);
    expect(spec.paths['/v1/predict']!.post!.requestBody).toBeDefined();
    expect(Object.keys(spec.paths['/v1/predict']!.post!.responses)).toEqual(
      expect.arrayContaining(['200', '400', '503']),
    );
    const docs = await app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  describe('on a port', () => {
    let url: string;
    beforeAll(async () => {
      url = await app.listen({ host: '127.0.0.1', port: 0 });
    });

    it('offers a page that classifies a pasted paper in headless Chromium, with nothing fetched from elsewhere', async () => {
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const foreign: string[] = [];
        const problems: string[] = [];
        page.on('request', (request) => {
          if (!request.url().startsWith(url)) foreign.push(request.url());
        });
        const failed: string[] = [];
        page.on('response', (response) => {
          if (response.status() >= 400) failed.push(`${response.status()} ${response.url().replace(url, '')}`);
        });
        page.on('console', (message) => {
          // A refused request is logged by the browser too; those are checked one by one below.
          if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
            problems.push(message.text());
        });
        page.on('pageerror', (error) => problems.push(error.message));
        await page.goto(`${url}/`);
        await page.locator('#model', { hasText: /^Serving/ }).waitFor();
        expect(await page.textContent('#model')).toContain(`${modelName} v1`);
        await page.fill('#title', PAPER.title);
        await page.fill('#abstract', PAPER.abstract);
        await page.selectOption('#top', '3');
        await page.click('#submit');
        await page.waitForSelector('#result:not([hidden])');
        const category = (await page.textContent('#category'))!;
        expect(trained.classes).toContain(category);
        expect(await page.locator('#ranking li').count()).toBe(3);
        expect(await page.textContent('#answered-by')).toContain(`run ${trained.runId.slice(0, 8)}`);
        const expected = models.current().predictor.predict([PAPER])[0]!.category;
        expect(category).toBe(expected);

        // Bad input shows the API's message instead of a result.
        await page.fill('#title', '   ');
        await page.click('#submit');
        await page.waitForSelector('#error:not([hidden])');
        expect(await page.textContent('#error')).toMatch(/invalid request/);

        await page.goto(`${url}/docs/`);
        await page.getByText('/v1/predict', { exact: true }).first().waitFor();
        expect(foreign).toEqual([]);
        expect(problems).toEqual([]);
        expect(failed).toEqual(['400 /v1/predict?top=3']);
      } finally {
        await browser.close();
      }
    });

    it('holds against schemathesis: no 5xx, every answer as the OpenAPI spec says', async () => {
      const run = await new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(
          join(projectRoot(), '.venv/bin/schemathesis'),
          [
            'run',
            `${url}/docs/json`,
            '--checks',
            'all',
            '-H',
            `x-api-key: ${ADMIN_KEY}`,
            '--max-examples',
            '60',
            '--seed',
            '7',
            '--no-color',
            '--workers',
            '1',
          ],
          {
            env: { ...process.env, SCHEMATHESIS_HOOKS: '' },
            cwd: mkdtempSync(join(tmpdir(), 'schemathesis-')), // its cache of found failures stays out of the repository
          },
        );
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.on('close', (code) => resolve({ code, output }));
      });
      if (run.code !== 0) throw new Error(`schemathesis found problems:\n${run.output.slice(-4_000)}`);
      expect(run.output).toMatch(/Tested: 6/);
      expect(run.output).toMatch(/(\d+) generated, \1 passed/);
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    });
  });
});
