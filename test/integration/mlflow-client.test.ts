import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../lib/config/config';
import {
  MlflowClient,
  MlflowError,
  NoServingModelError,
  resolveServingRun,
  runParam,
  runTag,
  type Run,
} from '../../lib/tracking';

describe('MLflow REST client (real tracking server)', () => {
  const config = loadConfig();
  const client = new MlflowClient(config.mlflow.url);
  const suffix = randomBytes(3).toString('hex');
  const experimentName = `client-test-${suffix}`;
  const modelName = `client-test-model-${suffix}`;
  let experimentId: string;

  beforeAll(async () => {
    experimentId = (await client.ensureExperiment(experimentName)).experiment_id;
  });
  afterAll(async () => {
    for (const name of [modelName, `serving-${suffix}`])
      await client.deleteRegisteredModel(name).catch(() => undefined);
    for (const name of [experimentName, `race-${suffix}`]) {
      const experiment = await client.getExperimentByName(name);
      if (experiment) await client.deleteExperiment(experiment.experiment_id);
    }
  });

  it('gets or creates an experiment by name, even when callers race', async () => {
    const name = `race-${suffix}`;
    const results = await Promise.all(Array.from({ length: 5 }, () => client.ensureExperiment(name)));
    expect(new Set(results.map((experiment) => experiment.experiment_id)).size).toBe(1);
    expect((await client.getExperimentByName(name))?.experiment_id).toBe(results[0]!.experiment_id);
    expect(await client.getExperimentByName(`missing-${suffix}`)).toBeUndefined();
  });

  it('logs more metrics, params and tags than one request may carry', async () => {
    const run = await client.createRun(experimentId, { runName: 'many-entries', tags: { purpose: 'limits' } });
    const timestamp = Date.now();
    await client.logBatch(run.info.run_id, {
      metrics: Array.from({ length: 2_500 }, (_, i) => ({
        key: `m${i % 1_250}`,
        value: i,
        timestamp,
        step: Math.floor(i / 1_250),
      })),
      params: Array.from({ length: 150 }, (_, i) => ({ key: `p${i}`, value: `value ${i}` })),
      tags: Array.from({ length: 120 }, (_, i) => ({ key: `t${i}`, value: `tag ${i}` })),
    });
    const stored = await client.getRun(run.info.run_id);
    expect(stored.data.params).toHaveLength(150);
    expect(stored.data.metrics).toHaveLength(1_250);
    expect(runTag(stored, 't119')).toBe('tag 119');
    expect(runTag(stored, 'purpose')).toBe('limits');
    expect((await client.metricHistory(run.info.run_id, 'm7')).map((metric) => [metric.step, metric.value])).toEqual([
      [0, 7],
      [1, 1_257],
    ]);
  });

  it('updates a run status and end time', async () => {
    const run = await client.createRun(experimentId);
    await client.updateRun(run.info.run_id, 'FINISHED');
    const stored = await client.getRun(run.info.run_id);
    expect(stored.info.status).toBe('FINISHED');
    expect(stored.info.end_time).toBeGreaterThan(0);
  });

  it('finds runs by tag with a filter', async () => {
    const key = `key-${randomBytes(3).toString('hex')}`;
    const run = await client.createRun(experimentId, { tags: { 'mlops.idempotency_key': key } });
    await client.createRun(experimentId, { tags: { 'mlops.idempotency_key': 'other' } });
    const found = await client.searchRuns([experimentId], `tags.\`mlops.idempotency_key\` = '${key}'`);
    expect(found.map((r) => r.info.run_id)).toEqual([run.info.run_id]);
  });

  it('uploads, lists and downloads artifacts through the tracking server', async () => {
    const run = await client.createRun(experimentId);
    const binary = randomBytes(300_000);
    await client.uploadArtifact(run, 'model/weights.bin', binary);
    await client.uploadArtifact(run, 'model/model.json', '{"format":"layers-model"}', 'application/json');
    await client.uploadArtifact(run, 'notes.txt', 'hello');
    expect((await client.listArtifacts(run)).map((file) => [file.path, file.is_dir])).toEqual([
      ['model', true],
      ['notes.txt', false],
    ]);
    expect((await client.listArtifacts(run, 'model')).map((file) => file.path).sort()).toEqual([
      'model/model.json',
      'model/weights.bin',
    ]);
    expect((await client.downloadArtifact(run, 'model/weights.bin')).equals(binary)).toBe(true);
    await expect(client.downloadArtifact(run, 'missing.txt')).rejects.toMatchObject({ notFound: true });
  });

  it('deletes registered models and experiments, and brings a trashed experiment back when asked for it', async () => {
    const name = `trash-${suffix}`;
    await client.ensureRegisteredModel(name);
    await client.deleteRegisteredModel(name);
    expect(await client.getRegisteredModel(name)).toBeUndefined();
    const experiment = await client.ensureExperiment(name);
    await client.deleteExperiment(experiment.experiment_id);
    expect((await client.getExperimentByName(name))?.lifecycle_stage).toBe('deleted');
    const restored = await client.ensureExperiment(name);
    expect(restored.experiment_id).toBe(experiment.experiment_id);
    await client.createRun(restored.experiment_id);
    await client.deleteExperiment(experiment.experiment_id);
  });

  it('registers model versions from run artifacts and moves aliases', async () => {
    await client.ensureRegisteredModel(modelName);
    await client.ensureRegisteredModel(modelName); // idempotent
    const first = await client.createRun(experimentId);
    const second = await client.createRun(experimentId);
    for (const run of [first, second]) await client.uploadArtifact(run, 'model/model.json', '{}');
    const v1 = await client.createModelVersion(modelName, first, 'model');
    const v2 = await client.createModelVersion(modelName, second, 'model');
    expect([v1.version, v2.version, v1.status]).toEqual(['1', '2', 'READY']);
    expect(v1.source).toBe(`${first.info.artifact_uri}/model`);
    expect((await client.modelVersionsOfRun(modelName, second.info.run_id)).map((v) => v.version)).toEqual(['2']);
    expect(await client.getVersionByAlias(modelName, 'champion')).toBeUndefined();
    await client.setAlias(modelName, 'champion', '1');
    expect((await client.getVersionByAlias(modelName, 'champion'))?.run_id).toBe(first.info.run_id);
    await client.setAlias(modelName, 'champion', '2');
    expect((await client.getVersionByAlias(modelName, 'champion'))?.version).toBe('2');
  });

  it("reports MLflow's error code and message", async () => {
    const failure = await client.getRun('no-such-run').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MlflowError);
    expect(failure).toMatchObject({ errorCode: 'RESOURCE_DOES_NOT_EXIST', notFound: true });
    expect((failure as Error).message).toMatch(/no-such-run/);
  });

  it('retries, then says how to reach the server when nothing listens', async () => {
    const unreachable = new MlflowClient('http://127.0.0.1:9', { maxAttempts: 2, backoffMs: 10 });
    await expect(unreachable.getRun('x')).rejects.toThrow(
      /MLflow not reachable at http:\/\/127\.0\.0\.1:9 .*MLFLOW_TRACKING_URI/,
    );
  });

  describe('facing a server that misbehaves', () => {
    let server: Server;
    let url: string;
    const requests: string[] = [];
    let answer: { status: number; body: string } = { status: 200, body: '' };

    beforeAll(async () => {
      server = createServer((request, response) => {
        requests.push(`${request.method} ${request.url}`);
        response.writeHead(answer.status, { 'content-type': 'text/html' }).end(answer.body);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
    beforeEach(() => {
      requests.length = 0;
    });

    it('says so when the answer is not JSON', async () => {
      answer = { status: 200, body: '<html>a proxy login page</html>' };
      await expect(new MlflowClient(url).getRun('x')).rejects.toThrow(
        /not JSON \(is http:\/\/127\.0\.0\.1:\d+ an MLflow server\?\)/,
      );
    });

    it('retries a read after a 5xx, but never repeats a create that may have been applied', async () => {
      answer = { status: 503, body: 'busy' };
      const flaky = new MlflowClient(url, { maxAttempts: 3, backoffMs: 5 });
      await expect(flaky.getRun('x')).rejects.toThrow(/503/);
      expect(requests).toHaveLength(3);
      requests.length = 0;
      await expect(flaky.createRun('1')).rejects.toThrow(/503/);
      expect(requests).toEqual(['POST /api/2.0/mlflow/runs/create']);
    });
  });

  describe('which run monitoring and inference use', () => {
    let aliased: Run;
    let pinned: Run;
    const servingModel = `serving-${suffix}`;

    beforeAll(async () => {
      aliased = await client.createRun(experimentId, { runName: 'aliased' });
      pinned = await client.createRun(experimentId, { runName: 'pinned' });
      await client.ensureRegisteredModel(servingModel);
      for (const run of [aliased, pinned]) await client.uploadArtifact(run, 'model/model.json', '{}');
      const version = await client.createModelVersion(servingModel, aliased, 'model');
      await client.setAlias(servingModel, 'champion', version.version);
    });

    it('is the alias holder by default', async () => {
      const serving = await resolveServingRun(client, { modelName: servingModel, alias: 'champion' });
      expect(serving).toMatchObject({ runId: aliased.info.run_id, source: 'alias', modelVersion: '1' });
    });

    it('is LATEST_TRAINING_RUN_ID when it is set, whatever the alias says', async () => {
      const serving = await resolveServingRun(client, {
        modelName: servingModel,
        alias: 'champion',
        latestTrainingRunId: pinned.info.run_id,
      });
      expect(serving).toMatchObject({ runId: pinned.info.run_id, source: 'LATEST_TRAINING_RUN_ID' });
      expect(runParam(serving.run, 'anything')).toBeUndefined();
    });

    it('fails with guidance when the pin names no run or no model is promoted', async () => {
      await expect(
        resolveServingRun(client, { modelName: servingModel, alias: 'champion', latestTrainingRunId: 'nope' }),
      ).rejects.toBeInstanceOf(NoServingModelError);
      await expect(resolveServingRun(client, { modelName: `never-${suffix}`, alias: 'champion' })).rejects.toThrow(
        /mlops run train/,
      );
    });
  });
});
