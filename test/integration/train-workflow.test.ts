import { MockActivityEnvironment } from '@temporalio/testing';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  createCpuActivities,
  createIoActivities,
  openActivityDeps,
  type ActivityDeps,
  type CandidateResult,
  type ChampionScore,
  type PreparedTraining,
  type PromotionResult,
  type TrainProgress,
  type TrainResult,
} from '../../activities';
import { DEFAULT_EMBEDDER_HOLDOUT, isHeldOut } from '../../lib/embedding';
import { LabelEncoder } from '../../lib/model';
import {
  loadPredictor,
  MlflowClient,
  RUN_ARTIFACTS,
  RUN_TAGS,
  runParam,
  runTag,
  type SplitArtifact,
  type TestPredictions,
} from '../../lib/tracking';
import { readSnapshot } from '../../lib/arxiv/snapshot';
import { SAMPLE_PATH } from '../../lib/arxiv/sources';
import { ingestWorkflow, trainWorkflow, type TrainSummary, type TrainWorkflowInput } from '../../workflows';
import { buildApp } from '../../api/app';
import { ModelHolder } from '../../api/model-holder';
import { removeIsolatedData, removeTrackedData } from '../support/cleanup';
import { isolatedSetup } from '../support/isolated-config';
import { startWorkers, temporalClient, type RunningWorkers } from '../support/workers';

const PAPERS = 1_500;
const FAST = { hiddenUnits: 64, maxEpochs: 12, patience: 3, batchSize: 64 };

describe('training workflow (real Temporal, MongoDB, MLflow)', () => {
  const { config, testId } = isolatedSetup('train', { MLFLOW_EXPERIMENT: '', MLFLOW_MODEL_NAME: '' });
  const experiment = `train-test-${testId}`;
  const modelName = `train-test-model-${testId}`;
  const testConfig = { ...config, tracking: { ...config.tracking, experiment, modelName } };
  const mlflow = new MlflowClient(config.mlflow.url);
  let workers: RunningWorkers;
  let client: Client;

  const train = (overrides: Partial<TrainWorkflowInput>, suffix: string): Promise<TrainSummary> =>
    client.workflow.execute(trainWorkflow, {
      taskQueue: config.temporal.taskQueues.io,
      workflowId: `${testId}-${suffix}`,
      // One MLP candidate unless a test asks for more: the gate's tests need a model they can make worse.
      args: [{ taskQueues: config.temporal.taskQueues, hyperparameters: FAST, candidates: 'lsa-mlp', ...overrides }],
    });

  beforeAll(async () => {
    workers = await startWorkers(testConfig);
    client = await temporalClient(config);
    await client.workflow.execute(ingestWorkflow, {
      taskQueue: config.temporal.taskQueues.io,
      workflowId: `${testId}-ingest`,
      args: [
        {
          source: { kind: 'sample' },
          limit: PAPERS,
          embedder: { referenceSource: { kind: 'sample' }, referenceLimit: PAPERS, dimensions: 48, maxFeatures: 4_000 },
          taskQueues: config.temporal.taskQueues,
        },
      ],
    });
  });

  afterAll(async () => {
    await workers?.stop();
    await client?.connection.close();
    await removeIsolatedData(config);
    await removeTrackedData(mlflow, modelName, [experiment]);
  });

  let first: TrainSummary;
  let worse: TrainSummary;

  it('trains, registers the first model and gives it the champion alias', async () => {
    first = await train({}, 'first');
    expect(first).toMatchObject({ modelName, modelVersion: '1', promoted: true, champion: null, backend: 'wasm' });
    // The sample's first papers (oldest first) hold ten categories; rare ones are left out, and said so.
    expect(first.classes.length + first.excludedClasses.length).toBe(10);
    expect(first.classes.length).toBeGreaterThanOrEqual(8);
    expect(first.trainRows + first.validationRows + first.testRows).toBeLessThanOrEqual(PAPERS);
    expect(first.accuracy).toBeGreaterThan(0.4);
    expect((await mlflow.getVersionByAlias(modelName, 'champion'))?.run_id).toBe(first.runId);
  });

  it('logs hyper-parameters, per-epoch curves and metrics to the candidate’s nested run, data facts and the winner to the parent', async () => {
    const run = await mlflow.getRun(first.runId);
    expect(run.info.status).toBe('FINISHED');
    expect(runParam(run, 'embedder_version')).toBe(first.embedderVersion);
    expect(runParam(run, 'classes')).toBe(first.classes.join(','));
    expect(runParam(run, 'train_rows')).toBe(String(first.trainRows));
    expect(runParam(run, 'data_from')).toBe('all');
    expect(runParam(run, 'model_family')).toBe('lsa-mlp');
    expect(runParam(run, 'winner')).toBe('lsa-mlp');
    const metrics = Object.fromEntries((run.data.metrics ?? []).map((metric) => [metric.key, metric.value]));
    expect(metrics.test_accuracy).toBeCloseTo(first.accuracy, 10);
    expect(metrics.test_macro_f1).toBeCloseTo(first.macroF1, 10);
    for (const label of first.classes) expect(metrics[`test_f1/${label}`]).toBeGreaterThanOrEqual(0);
    expect(runTag(run, RUN_TAGS.idempotencyKey)).toBe(first.workflowId);
    expect(runTag(run, RUN_TAGS.decision)).toBe('promoted');

    expect(first.candidates).toHaveLength(1);
    const nested = await mlflow.getRun(first.candidates![0]!.runId);
    expect(runTag(nested, 'mlflow.parentRunId')).toBe(first.runId);
    expect(runParam(nested, 'hiddenUnits')).toBe('64');
    expect(runParam(nested, 'seed')).toBe('42');
    expect(runTag(nested, RUN_TAGS.backend)).toBe('wasm');
    const curve = await mlflow.metricHistory(nested.info.run_id, 'val_accuracy');
    expect(curve.map((metric) => metric.step)).toEqual(Array.from({ length: first.epochs }, (_, i) => i + 1));
    const nestedMetrics = Object.fromEntries((nested.data.metrics ?? []).map((metric) => [metric.key, metric.value]));
    expect(nestedMetrics.val_macro_f1).toBeCloseTo(first.candidates![0]!.validationMacroF1, 10);
    expect(nestedMetrics.peak_rss_mb).toBeGreaterThan(50);
  });

  it('stores the model, label encoder, reference data, confusion matrix and model card as artifacts', async () => {
    const run = await mlflow.getRun(first.runId);
    const top = (await mlflow.listArtifacts(run)).map((file) => file.path).sort();
    expect(top).toEqual(
      expect.arrayContaining([
        'confusion_matrix.svg',
        'embedder',
        'label_encoder.json',
        'model',
        'model_card.json',
        'reference_data.csv',
        'split.json',
      ]),
    );
    expect((await mlflow.listArtifacts(run, 'model')).map((file) => file.path).sort()).toEqual([
      'model/MLmodel',
      'model/input_example.json',
      'model/model.json',
      'model/weights.bin',
    ]);
    const encoder = LabelEncoder.fromJSON((await mlflow.downloadArtifact(run, RUN_ARTIFACTS.labelEncoder)).toString());
    expect(encoder.classes).toEqual(first.classes);
    const csv = (await mlflow.downloadArtifact(run, RUN_ARTIFACTS.referenceData)).toString().trim().split('\n');
    expect(csv[0]).toBe(
      [
        'arxiv_id',
        'published',
        ...Array.from({ length: 48 }, (_, i) => `emb_${i}`),
        'label',
        'prediction',
        'title_chars',
        'abstract_chars',
        'abstract_words',
        'oov_share',
      ].join(','),
    );
    // Monitoring's reference: the papers the embedder was not fitted on, test papers first.
    const referenceIds = csv.slice(1).map((line) => line.split(',')[0]!);
    const splitIds = JSON.parse((await mlflow.downloadArtifact(run, RUN_ARTIFACTS.split)).toString()) as SplitArtifact;
    const heldOut = splitIds.test.map(({ id }) => id).filter((id) => isHeldOut(id, DEFAULT_EMBEDDER_HOLDOUT));
    // The embedder's held-out papers are, nearly all, the split's test papers.
    expect(heldOut.length).toBeGreaterThan(splitIds.test.length * 0.9);
    expect(referenceIds).toEqual(heldOut);
    expect(runTag(run, RUN_TAGS.referenceEmbedderInSample)).toBe('false');
    const card = JSON.parse((await mlflow.downloadArtifact(run, RUN_ARTIFACTS.modelCard)).toString()) as {
      temporal: { workflowId: string };
      data: { rawObjects: string[]; ingestWorkflowIds: string[] };
    };
    expect(card.temporal.workflowId).toBe(first.workflowId);
    expect(card.data.ingestWorkflowIds).toEqual([`${testId}-ingest`]);
    expect(card.data.rawObjects.length).toBeGreaterThan(0);
    expect(card.data.rawObjects.every((key) => key.startsWith('raw/arxiv/dt='))).toBe(true);
    const svg = (await mlflow.downloadArtifact(run, RUN_ARTIFACTS.confusionMatrix)).toString();
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const split = JSON.parse((await mlflow.downloadArtifact(run, RUN_ARTIFACTS.split)).toString()) as SplitArtifact;
    expect(split.test).toHaveLength(first.testRows);
  });

  it('is enough to serve from MLflow alone: an MLflow Model with its signature, and the embedder it was trained with', async () => {
    const run = await mlflow.getRun(first.runId);
    const mlModel = (await mlflow.downloadArtifact(run, RUN_ARTIFACTS.mlModel)).toString();
    expect(mlModel).toContain('arxiv_mlops:');
    expect(mlModel).toContain('family: lsa-mlp');
    expect(mlModel).toContain(`run_id: ${first.runId}`);
    expect(mlModel).toContain(`embedder_version: ${first.embedderVersion}`);
    const signature = /^ {2}inputs: (.*)$/m.exec(mlModel)![1]!;
    expect((JSON.parse(JSON.parse(signature) as string) as Array<{ name: string }>).map((input) => input.name)).toEqual(
      ['title', 'abstract'],
    );
    const example = JSON.parse((await mlflow.downloadArtifact(run, RUN_ARTIFACTS.inputExample)).toString()) as {
      columns: string[];
      data: string[][];
    };
    expect(example.columns).toEqual(['title', 'abstract']);

    const predictor = await loadPredictor(mlflow, run);
    try {
      expect(predictor).toMatchObject({ runId: first.runId, embedderVersion: first.embedderVersion });
      // The test papers' text through the predictor gives the predictions the training recorded.
      const recorded = JSON.parse(
        (await mlflow.downloadArtifact(run, RUN_ARTIFACTS.testPredictions)).toString(),
      ) as TestPredictions;
      const texts = new Map<string, { title: string; abstract: string }>();
      for await (const { item } of readSnapshot(SAMPLE_PATH)) if (item.ok) texts.set(item.record.id, item.record);
      const predicted = predictor.predict(recorded.ids.map((id) => texts.get(id)!));
      expect(predicted.map((prediction) => prediction.category)).toEqual(recorded.predictions);
      expect(predicted[0]!.probabilities.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 5);
    } finally {
      predictor.dispose();
    }
  });

  it('registers a worse model but keeps the champion, recording both scores on the same test set', async () => {
    worse = await train({ hyperparameters: { ...FAST, hiddenUnits: 2, maxEpochs: 1, learningRate: 1e-5 } }, 'worse');
    expect(worse.modelVersion).toBe('2');
    expect(worse.promoted).toBe(false);
    expect(worse.champion).toMatchObject({ version: '1', runId: first.runId, reembedded: 0 });
    // The champion scored on the new run's test set: the split is the same (same data, same seed),
    // so its score equals what its own run measured.
    expect(worse.champion!.macroF1).toBeCloseTo(first.macroF1, 6);
    expect(worse.champion).toMatchObject({ sharedTestRows: worse.testRows });
    expect(worse.champion!.candidateMacroF1).toBeCloseTo(worse.macroF1, 10);
    expect(worse.macroF1).toBeLessThan(worse.champion!.macroF1);
    expect((await mlflow.getVersionByAlias(modelName, 'champion'))?.version).toBe('1');
    const run = await mlflow.getRun(worse.runId);
    expect(runTag(run, RUN_TAGS.decision)).toBe('kept-champion');
    expect(Number(runTag(run, RUN_TAGS.championMacroF1))).toBeCloseTo(worse.champion!.macroF1, 5);
    expect(Number(runTag(run, RUN_TAGS.candidateMacroF1))).toBeCloseTo(worse.macroF1, 5);
  });

  it('compares a model trained on more data with the champion only on papers the champion never trained on', async () => {
    await client.workflow.execute(ingestWorkflow, {
      taskQueue: config.temporal.taskQueues.io,
      workflowId: `${testId}-ingest-more`,
      args: [
        {
          source: { kind: 'sample' },
          limit: PAPERS + 400,
          embedder: { referenceSource: { kind: 'sample' } },
          taskQueues: config.temporal.taskQueues,
        },
      ],
    });
    const grown = await train({}, 'grown');
    const champion = grown.champion!;
    expect(champion.version).toBe('1');
    expect(champion.sharedTestRows).toBeGreaterThan(0);
    expect(champion.sharedTestRows).toBeLessThanOrEqual(grown.testRows);
    const championSplit = JSON.parse(
      (await mlflow.downloadArtifact(await mlflow.getRun(first.runId), RUN_ARTIFACTS.split)).toString(),
    ) as SplitArtifact;
    const grownSplit = JSON.parse(
      (await mlflow.downloadArtifact(await mlflow.getRun(grown.runId), RUN_ARTIFACTS.split)).toString(),
    ) as SplitArtifact;
    const championSeen = new Set([...championSplit.train, ...championSplit.validation]);
    const unseen = grownSplit.test.filter(({ id }) => !championSeen.has(id));
    expect(champion.sharedTestRows).toBe(unseen.length);
    // Ranking by a hash of the id keeps old papers where they were: few change sides.
    expect(unseen.length).toBeGreaterThan(grown.testRows * 0.9);
    const decision = runTag(await mlflow.getRun(grown.runId), RUN_TAGS.decision);
    expect(decision).toBe(champion.candidateMacroF1 >= champion.macroF1 ? 'promoted' : 'kept-champion');
  });

  it('trains two candidates side by side: one parent run, two nested runs, one registered version, and the API serves the winner’s family', async () => {
    const both = await train({ candidates: 'lsa-mlp,tfidf-linear:minDf=2' }, 'candidates');
    const names = both.candidates!.map((candidate) => candidate.name);
    expect(names.sort()).toEqual(['lsa-mlp', 'tfidf-linear:minDf=2']);
    const best = [...both.candidates!].sort(
      (a, b) => b.validationMacroF1 - a.validationMacroF1 || b.validationAccuracy - a.validationAccuracy,
    )[0]!;
    expect(both.winner).toBe(best.name);
    expect(both.family).toBe(best.family);
    expect(both.macroF1).toBe(best.macroF1);
    for (const candidate of both.candidates!) expect(candidate.accuracy).toBeGreaterThan(0.4);

    const experimentId = (await mlflow.getExperimentByName(experiment))!.experiment_id;
    const nested = await mlflow.searchRuns([experimentId], `tags.\`mlflow.parentRunId\` = '${both.runId}'`);
    expect(nested.map((run) => run.info.run_id).sort()).toEqual(
      both.candidates!.map((candidate) => candidate.runId).sort(),
    );
    expect(nested.every((run) => run.info.status === 'FINISHED')).toBe(true);
    expect((await mlflow.modelVersionsOfRun(modelName, both.runId)).map((version) => version.version)).toEqual([
      both.modelVersion,
    ]);
    for (const run of nested) expect(await mlflow.modelVersionsOfRun(modelName, run.info.run_id)).toEqual([]);

    const parent = await mlflow.getRun(both.runId);
    expect(runParam(parent, 'model_family')).toBe(both.family);
    const csv = (await mlflow.downloadArtifact(parent, RUN_ARTIFACTS.candidatesCsv)).toString().trim().split(/\r?\n/);
    expect(csv).toHaveLength(3);
    expect(csv[0]).toMatch(
      /^candidate,family,winner,val_accuracy,val_macro_f1,test_accuracy,test_macro_f1,seconds,peak_rss_mb,test_f1\//,
    );
    expect((await mlflow.downloadArtifact(parent, RUN_ARTIFACTS.candidatesChart)).toString()).toMatch(
      /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
    );
    const modelFiles = (await mlflow.listArtifacts(parent, 'model')).map((file) => file.path).sort();
    expect(modelFiles).toContain(both.family === 'tfidf-linear' ? 'model/sparse_linear.bin' : 'model/model.json');

    // The parent, reloaded from MLflow, predicts exactly what its training recorded, and the API serves it.
    const predictor = await loadPredictor(mlflow, parent);
    const models = new ModelHolder({
      predictor,
      modelName,
      modelVersion: both.modelVersion,
      chosenBy: 'alias',
      alias: 'champion',
      loadedAt: new Date(),
    });
    const app = buildApp({ models, redisReachable: async () => true });
    try {
      expect(predictor.family).toBe(both.family);
      const recorded = JSON.parse(
        (await mlflow.downloadArtifact(parent, RUN_ARTIFACTS.testPredictions)).toString(),
      ) as TestPredictions;
      const texts = new Map<string, { title: string; abstract: string }>();
      for await (const { item } of readSnapshot(SAMPLE_PATH)) if (item.ok) texts.set(item.record.id, item.record);
      expect(
        predictor.predict(recorded.ids.map((id) => texts.get(id)!)).map((prediction) => prediction.category),
      ).toEqual(recorded.predictions);
      const paper = texts.get(recorded.ids[0]!)!;
      const response = await app.inject({
        method: 'POST',
        url: '/v1/predict',
        payload: { title: paper.title, abstract: paper.abstract },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        model: { runId: both.runId, family: both.family },
        predictions: [{ category: recorded.predictions[0] }],
      });
    } finally {
      await app.close();
      models.dispose();
    }
  });

  describe('the promotion activity', () => {
    let deps: ActivityDeps & { close(): Promise<void> };
    beforeAll(async () => {
      deps = await openActivityDeps(testConfig);
    });
    afterAll(() => deps.close());

    it('decides nothing when the champion changed after it was scored, so the workflow scores the new one', async () => {
      const current = await mlflow.getVersionByAlias(modelName, 'champion');
      const stale: ChampionScore = {
        version: '999',
        runId: 'gone',
        macroF1: 0,
        accuracy: 0,
        candidateMacroF1: 1,
        sharedTestRows: 1,
        reembedded: 0,
      };
      const result: PromotionResult = await new MockActivityEnvironment().run(
        createIoActivities(deps).registerAndPromote,
        {
          runId: worse.runId,
          candidateMacroF1: 1,
          champion: stale,
        },
      );
      expect(result).toMatchObject({ modelVersion: '2', promoted: false, championChanged: true });
      expect((await mlflow.getVersionByAlias(modelName, 'champion'))?.version).toBe(current?.version);
    });
  });

  describe('the training activity, retried', () => {
    let deps: ActivityDeps & { close(): Promise<void> };
    beforeAll(async () => {
      deps = await openActivityDeps(testConfig);
    });
    afterAll(() => deps.close());

    const input = (key: string) => ({
      idempotencyKey: key,
      workflowId: key,
      workflowRunId: 'attempt',
      hyperparameters: { ...FAST, patience: 50, maxEpochs: 6 },
    });

    it('resumes its MLflow run from the last epoch checkpoint instead of starting another run', async () => {
      const key = `${testId}-resume`;
      const interrupted = new MockActivityEnvironment();
      const epochsBefore: number[] = [];
      interrupted.on('heartbeat', (details: TrainProgress) => {
        if (details.epoch > 0) epochsBefore.push(details.epoch);
        if (details.epoch === 2) interrupted.cancel(); // as Temporal does when the workflow is cancelled or the worker is lost
      });
      await expect(interrupted.run(createCpuActivities(deps).trainModel, input(key))).rejects.toThrow();
      expect(epochsBefore).toEqual([1, 2]);

      const retried = new MockActivityEnvironment();
      const epochsAfter: number[] = [];
      retried.on('heartbeat', (details: TrainProgress) => {
        if (details.epoch > 0) epochsAfter.push(details.epoch);
      });
      const result: TrainResult = await retried.run(createCpuActivities(deps).trainModel, input(key));
      expect(epochsAfter).toEqual([3, 4, 5, 6]);
      expect(result.epochs).toBe(6);

      const experimentId = (await mlflow.getExperimentByName(experiment))!.experiment_id;
      const runs = await mlflow.searchRuns([experimentId], `tags.\`${RUN_TAGS.idempotencyKey}\` = '${key}'`);
      expect(runs.map((run) => run.info.run_id)).toEqual([result.runId]);
      const curve = await mlflow.metricHistory(result.runId, 'val_loss');
      expect([...new Set(curve.map((metric) => metric.step))].sort()).toEqual([1, 2, 3, 4, 5, 6]);

      // A third attempt after success (its completion was lost) returns the stored result.
      const again = await new MockActivityEnvironment().run(createCpuActivities(deps).trainModel, input(key));
      expect(again).toEqual(result);
    });

    it('trains a candidate once per parent run: an interrupted trainCandidate resumes in its nested run, a finished one returns its stored result', async () => {
      const key = `${testId}-candidate`;
      const activities = createCpuActivities(deps);
      const prepare = {
        idempotencyKey: key,
        workflowId: key,
        workflowRunId: 'attempt',
        candidates: 'tfidf-linear:minDf=2',
      };
      const prepared: PreparedTraining = await new MockActivityEnvironment().run(activities.prepareTraining, prepare);
      expect(prepared.candidates.map((candidate) => candidate.name)).toEqual(['tfidf-linear:minDf=2']);
      const again: PreparedTraining = await new MockActivityEnvironment().run(activities.prepareTraining, prepare);
      expect(again.runId).toBe(prepared.runId);
      const input = { prepared, candidate: prepared.candidates[0]!, workflowId: key, workflowRunId: 'attempt' };

      const interrupted = new MockActivityEnvironment();
      const steps: string[] = [];
      interrupted.on('heartbeat', (details: TrainProgress) => {
        steps.push(details.step ?? '');
        if (details.step === 'class 2/' + String(prepared.classes.length)) interrupted.cancel();
      });
      await expect(interrupted.run(activities.trainCandidate, input)).rejects.toThrow();
      expect(steps).toContain('class 1/' + String(prepared.classes.length));
      const result: CandidateResult = await new MockActivityEnvironment().run(activities.trainCandidate, input);
      expect(result).toMatchObject({ name: 'tfidf-linear:minDf=2', family: 'tfidf-linear' });
      expect(await new MockActivityEnvironment().run(activities.trainCandidate, input)).toEqual(result);

      const experimentId = (await mlflow.getExperimentByName(experiment))!.experiment_id;
      const nested = await mlflow.searchRuns([experimentId], `tags.\`mlflow.parentRunId\` = '${prepared.runId}'`);
      expect(nested.map((run) => run.info.run_id)).toEqual([result.runId]);
      expect(nested[0]!.info.status).toBe('FINISHED');
    });

    it('fails without retrying, and marks its MLflow run FAILED, when there is nothing to train on', async () => {
      const empty = await openActivityDeps({
        ...testConfig,
        mongo: { ...testConfig.mongo, database: `${testConfig.mongo.database}_empty` },
      });
      try {
        const key = `${testId}-nothing`;
        const failure = await new MockActivityEnvironment()
          .run(createCpuActivities(empty).trainModel, { ...input(key), embedderVersion: 'lsa-0000000000000000' })
          .catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(ApplicationFailure);
        expect(failure).toMatchObject({ nonRetryable: true, type: 'TrainingDataError' });
        const experimentId = (await mlflow.getExperimentByName(experiment))!.experiment_id;
        const [run] = await mlflow.searchRuns([experimentId], `tags.\`${RUN_TAGS.idempotencyKey}\` = '${key}'`);
        expect(run!.info.status).toBe('FAILED');
      } finally {
        await empty.mongo.db.dropDatabase();
        await empty.close();
      }
    });
  });
});
