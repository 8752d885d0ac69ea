import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { projectRoot } from '../../lib/config/paths';
import { connectMongo, type MongoConnection } from '../../lib/features';
import { MonitoringReportStore } from '../../lib/monitoring/report-store';
import { RetrainLedger, type RetrainDecisionDocument } from '../../lib/monitoring/retrain-ledger';
import { MlflowClient, RUN_TAGS, runTag } from '../../lib/tracking';
import {
  ingestWorkflow,
  monitorWorkflow,
  trainWorkflow,
  type MonitorSummary,
  type MonitorWorkflowInput,
  type TrainSummary,
} from '../../workflows';
import { removeIsolatedData, removeTrackedData } from '../support/cleanup';
import { isolatedSetup } from '../support/isolated-config';
import { startWorkers, temporalClient, type RunningWorkers } from '../support/workers';

/**
 * Monitoring on real arXiv papers: a model trained on 2019–2022 papers of six categories is
 * watched on another half of that period (no drift), on the same period without cs.CL
 * (prediction drift), and on 2025 papers of the same categories (drift) — where drift starts one
 * retraining per drift episode, however many monitors race, within the cooldown and daily cap.
 */
const DRIFT_DATA = join(projectRoot(), 'data/drift');
const FAST = { hiddenUnits: 128, maxEpochs: 20, patience: 3, batchSize: 64 };
const file = (name: string) => ({ kind: 'file' as const, path: join(DRIFT_DATA, name) });

describe('monitoring workflow and the CM → CT loop (real Temporal, MongoDB, MLflow)', () => {
  const { config, testId } = isolatedSetup('monitor', {
    MLFLOW_EXPERIMENT: '',
    MLFLOW_MODEL_NAME: '',
    MLFLOW_MONITORING_EXPERIMENT: '',
  });
  const experiment = `monitor-test-${testId}`;
  const modelName = `monitor-test-model-${testId}`;
  const testConfig = {
    ...config,
    tracking: { ...config.tracking, experiment, modelName },
    monitoring: { ...config.monitoring, experiment: `${experiment}-monitoring` },
  };
  const mlflow = new MlflowClient(config.mlflow.url);
  let workers: RunningWorkers;
  let client: Client;
  let mongo: MongoConnection;
  let champion: TrainSummary;

  const ingest = (name: string, suffix: string) =>
    client.workflow.execute(ingestWorkflow, {
      taskQueue: config.temporal.taskQueues.io,
      workflowId: `${testId}-ingest-${suffix}`,
      args: [
        {
          source: file(name),
          embedder: { referenceSource: file('period-2019-2022-a.jsonl.gz'), dimensions: 128, maxFeatures: 8_000 },
          taskQueues: config.temporal.taskQueues,
        },
      ],
    });

  const monitorInput = (
    window: MonitorWorkflowInput['window'],
    overrides: Partial<MonitorWorkflowInput> = {},
  ): MonitorWorkflowInput => ({
    taskQueues: config.temporal.taskQueues,
    window,
    ...overrides,
    retrain: { cooldownHours: 0, dailyCap: 10, training: { hyperparameters: FAST }, ...overrides.retrain },
  });
  const monitor = (
    suffix: string,
    window: MonitorWorkflowInput['window'],
    overrides: Partial<MonitorWorkflowInput> = {},
  ): Promise<MonitorSummary> =>
    client.workflow.execute(monitorWorkflow, {
      taskQueue: config.temporal.taskQueues.io,
      workflowId: `${testId}-monitor-${suffix}`,
      args: [monitorInput(window, overrides)],
    });

  /** Papers stored between two instants: one ingestion's window. */
  async function ingestedWindow(name: string, suffix: string): Promise<MonitorWorkflowInput['window']> {
    const from = new Date().toISOString();
    await ingest(name, suffix);
    return { by: 'ingested', from, until: new Date().toISOString() };
  }

  const decision = async (workflowId: string) =>
    (await new RetrainLedger(mongo.db).decisions.findOne({ _id: workflowId })) as RetrainDecisionDocument | null;

  beforeAll(async () => {
    workers = await startWorkers(testConfig);
    client = await temporalClient(config);
    mongo = await connectMongo(config.mongo.endpoint.url, config.mongo.database);
    await ingest('period-2019-2022-a.jsonl.gz', 'a');
    champion = await client.workflow.execute(trainWorkflow, {
      taskQueue: config.temporal.taskQueues.io,
      workflowId: `${testId}-train`,
      args: [{ taskQueues: config.temporal.taskQueues, hyperparameters: FAST }],
    });
  });

  afterAll(async () => {
    await workers?.stop();
    await client?.connection.close();
    await mongo?.close();
    await removeIsolatedData(config);
    await removeTrackedData(mlflow, modelName, [experiment, `${experiment}-monitoring`]);
  });

  let halves: MonitorSummary;

  it('finds no drift between two halves of one period, and starts no retraining', async () => {
    halves = await monitor('halves', await ingestedWindow('period-2019-2022-b.jsonl.gz', 'b'));
    expect(champion.promoted).toBe(true);
    expect(halves.reference).toMatchObject({
      runId: champion.runId,
      source: 'alias',
      modelVersion: '1',
      embedderVersion: champion.embedderVersion,
    });
    expect(halves.currentRows).toBe(600);
    expect(halves.summary!.reasons).toEqual([]);
    expect(halves.drift).toBe(false);
    expect(halves.summary!.embeddingDrift!.drifted).toBe(false);
    expect(halves.summary!.predictionDrift!.drifted).toBe(false);
    expect(halves.retrain).toMatchObject({ decision: 'no-drift', workflowId: null });
  });

  it('writes the report and its summary to the object store, MLflow and MongoDB', async () => {
    expect(halves.reportKey).toMatch(/^reports\/monitoring\/dt=\d{4}-\d{2}-\d{2}\/.+\.html$/);
    const html = readFileSync(fileURLToPath(halves.reportUrl!), 'utf8');
    expect(html).toContain('<div class="verdict good" id="verdict">No drift</div>');
    expect(html).toContain(champion.runId);

    const run = await mlflow.getRun(halves.mlflowRunId);
    expect(run.info.status).toBe('FINISHED');
    expect(runTag(run, 'mlops.monitor.serving_run_id')).toBe(champion.runId);
    expect(runTag(run, 'mlops.monitor.drift')).toBe('false');
    const metrics = Object.fromEntries((run.data.metrics ?? []).map((metric) => [metric.key, metric.value]));
    expect(metrics).toMatchObject({
      drift: 0,
      current_rows: 600,
      drifted_columns: halves.summary!.driftedColumns.length,
    });
    expect(metrics.current_macro_f1).toBeCloseTo(halves.summary!.quality!.macroF1, 10);
    expect((await mlflow.listArtifacts(run)).map((artifact) => artifact.path).sort()).toEqual([
      'drift_report.html',
      'drift_report.json',
    ]);
    const experimentTags = (await mlflow.getExperimentByName(`${experiment}-monitoring`))!.tags ?? [];
    expect(experimentTags).toContainEqual({ key: 'mlflow.experimentKind', value: 'custom_model_development' });

    const stored = await new MonitoringReportStore(mongo.db).get(halves.workflowId);
    expect(stored).toMatchObject({
      servingRunId: champion.runId,
      drift: false,
      mlflowRunId: halves.mlflowRunId,
      reportUrl: halves.reportUrl,
    });
  });

  it('holds the serving model to its own test scores on labelled papers', () => {
    const quality = halves.summary!.quality!;
    expect(quality.rows).toBe(600);
    expect(quality.baselineMacroF1).toBeCloseTo(champion.macroF1, 10);
    expect(quality.macroF1Drop).toBeCloseTo(champion.macroF1 - quality.macroF1, 10);
    expect(quality.perClass.map((row) => row.label)).toEqual(['cs.CL', 'cs.CV', 'cs.IR', 'cs.LG', 'cs.SD', 'eess.AS']);
  });

  it('sees prediction drift when one category is missing from the window, and records the decision when retraining is off', async () => {
    const result = await monitor('without-cl', await ingestedWindow('period-2019-2022-c-without-cs.CL.jsonl.gz', 'c'), {
      retrain: { enabled: false },
    });
    expect(result.currentRows).toBe(500);
    expect(result.summary!.predictionDrift!.drifted).toBe(true);
    expect(result.summary!.targetDrift!.drifted).toBe(true);
    expect(result.drift).toBe(true);
    expect(result.retrain).toMatchObject({ decision: 'disabled', workflowId: null });
    expect(await decision(result.workflowId)).toMatchObject({
      decision: 'disabled',
      drift: true,
      servingRunId: champion.runId,
    });
  });

  let drifted: MonitorSummary[];

  it('finds drift in 2025 papers and, with two monitors racing, starts exactly one retraining', async () => {
    await ingest('current-2025.jsonl.gz', '2025');
    const retrainingsBefore = await countTrainings();
    const window = { by: 'published' as const, from: '2025-01-01', until: '2025-12-31' };
    drifted = await Promise.all([monitor('race-1', window), monitor('race-2', window)]);
    for (const result of drifted) {
      expect(result.drift).toBe(true);
      expect(result.summary!.embeddingDrift!.drifted).toBe(true);
      expect(result.summary!.predictionDrift!.drifted).toBe(true);
    }
    const decisions = drifted.map((result) => result.retrain.decision).sort();
    expect(decisions).toEqual(['already-running', 'retrain']);
    const started = drifted.find((result) => result.retrain.decision === 'retrain')!;
    expect(started.retrain.workflowId).toBe(`retrain-${champion.runId}-1`);
    expect(await countTrainings()).toBe(retrainingsBefore + 1);
    // The retrained model faced the promotion rule against the champion.
    const retrained = await mlflow.getRun(started.retrain.trainingRunId!);
    expect(runTag(retrained, RUN_TAGS.decision)).toBe(started.retrain.promoted ? 'promoted' : 'kept-champion');
    expect(runTag(retrained, RUN_TAGS.championVersion)).toBe('1');
    expect(await decision(started.workflowId)).toMatchObject({
      decision: 'retrain',
      outcome: { trainingRunId: started.retrain.trainingRunId, promoted: started.retrain.promoted },
    });
  });

  it('starts no second retraining within the cooldown, nor beyond the daily cap', async () => {
    const window = { by: 'published' as const, from: '2025-01-01', until: '2025-12-31' };
    const cooled = await monitor('cooldown', window, {
      referenceRunId: champion.runId,
      retrain: { cooldownHours: 12 },
    });
    expect(cooled.retrain).toMatchObject({ decision: 'cooldown', workflowId: null });
    expect(cooled.retrain.detail).toContain(`retrain-${champion.runId}-1`);
    const capped = await monitor('cap', window, {
      referenceRunId: champion.runId,
      retrain: { cooldownHours: 0, dailyCap: 1 },
    });
    expect(capped.retrain).toMatchObject({ decision: 'daily-cap', workflowId: null });
  });

  it('raises a quality alert on its own when macro-F1 falls by more than the margin', async () => {
    const window = { by: 'published' as const, from: '2025-01-01', until: '2025-12-31' };
    const result = await monitor('quality', window, {
      referenceRunId: champion.runId,
      alertOn: [],
      maxMacroF1Drop: 0,
      retrain: { enabled: false },
    });
    expect(result.drift).toBe(false);
    expect(result.summary!.quality!.macroF1).toBeLessThan(champion.macroF1);
    expect(result.qualityAlert).toBe(true);
    expect(result.retrain.decision).toBe('disabled');
    const lenient = await monitor('quality-lenient', window, {
      referenceRunId: champion.runId,
      alertOn: [],
      maxMacroF1Drop: 1,
      retrain: { enabled: false },
    });
    expect(lenient.qualityAlert).toBe(false);
    expect(lenient.retrain.decision).toBe('no-drift');
  });

  async function countTrainings(): Promise<number> {
    let count = 0;
    for await (const execution of client.workflow.list({
      query: `WorkflowType = 'trainWorkflow' AND TaskQueue = '${config.temporal.taskQueues.io}'`,
    })) {
      if (execution.workflowId.startsWith('retrain-')) count += 1;
    }
    return count;
  }
});
