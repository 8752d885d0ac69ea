/**
 * Records real workflow histories for the replay tests (test/histories/*.json). Needs the stack
 * (`mlops stack up`). Re-record when a workflow changes in a way its old histories cannot replay,
 * and guard such changes with patched() so runs already in flight keep replaying.
 *
 *   npm run record-histories
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { loadConfig } from '../lib/config/config';
import { projectRoot } from '../lib/config/paths';
import { createWorkers } from '../worker/workers';
import {
  ingestWorkflow,
  monitorWorkflow,
  pipelineWorkflow,
  trainWorkflow,
  type IngestInput,
  type MonitorWorkflowInput,
  type PipelineInput,
  type TaskQueues,
  type TrainWorkflowInput,
} from '../workflows';

interface Scenario {
  name: string;
  start(
    client: Client,
    options: { taskQueue: string; workflowId: string },
    taskQueues: TaskQueues,
  ): Promise<WorkflowHandle>;
  expectFailure?: boolean;
}

/** Beside the histories (and skipped by the replay test): the workflow id each was recorded under. */
const WORKFLOW_IDS_FILE = 'workflow-ids.json';

const smallEmbedder = {
  referenceSource: { kind: 'sample' as const },
  referenceLimit: 400,
  dimensions: 16,
  maxFeatures: 2_000,
};
const fixture = join(projectRoot(), 'test/fixtures/ingest/small-mixed.jsonl');

const ingest =
  (input: (taskQueues: TaskQueues) => IngestInput): Scenario['start'] =>
  (client, options, taskQueues) =>
    client.workflow.start(ingestWorkflow, { ...options, args: [input(taskQueues)] });
const train =
  (input: (taskQueues: TaskQueues) => TrainWorkflowInput): Scenario['start'] =>
  (client, options, taskQueues) =>
    client.workflow.start(trainWorkflow, { ...options, args: [input(taskQueues)] });
const monitor =
  (input: (taskQueues: TaskQueues) => MonitorWorkflowInput): Scenario['start'] =>
  (client, options, taskQueues) =>
    client.workflow.start(monitorWorkflow, { ...options, args: [input(taskQueues)] });
const pipeline =
  (input: (taskQueues: TaskQueues) => PipelineInput): Scenario['start'] =>
  (client, options, taskQueues) =>
    client.workflow.start(pipelineWorkflow, { ...options, args: [input(taskQueues)] });
const tinyTraining = { hyperparameters: { hiddenUnits: 16, maxEpochs: 3 }, minExamplesPerClass: 10 };

const SCENARIOS: Scenario[] = [
  {
    name: 'ingest-file-with-rejects',
    start: ingest((taskQueues) => ({
      source: { kind: 'file', path: fixture },
      pageSize: 25,
      minBatch: 20,
      embedder: smallEmbedder,
      taskQueues,
    })),
  },
  {
    name: 'ingest-limited',
    start: ingest((taskQueues) => ({
      source: { kind: 'file', path: fixture },
      limit: 10,
      minBatch: 500,
      embedder: smallEmbedder,
      taskQueues,
    })),
  },
  {
    name: 'ingest-missing-source',
    start: ingest((taskQueues) => ({
      source: { kind: 'file', path: join(fixture, 'missing.jsonl') },
      embedder: smallEmbedder,
      taskQueues,
    })),
    expectFailure: true,
  },
  {
    name: 'ingest-sample-for-training',
    start: ingest((taskQueues) => ({ source: { kind: 'sample' }, limit: 800, embedder: smallEmbedder, taskQueues })),
  },
  {
    name: 'train-first-model',
    start: train((taskQueues) => ({
      taskQueues,
      hyperparameters: { hiddenUnits: 16, maxEpochs: 3 },
      minExamplesPerClass: 10,
    })),
  },
  {
    name: 'train-worse-model-kept-out',
    start: train((taskQueues) => ({
      taskQueues,
      hyperparameters: { hiddenUnits: 2, maxEpochs: 1, learningRate: 1e-5 },
      minExamplesPerClass: 10,
    })),
  },
  {
    name: 'monitor-drift-retrains',
    // Every stored paper against the champion's held-out ones: drift, and a retraining child.
    start: monitor((taskQueues) => ({
      taskQueues,
      window: { by: 'ingested', days: 1 },
      alertOn: ['dataset', 'embedding', 'prediction'],
      maxMacroF1Drop: 0,
      retrain: { cooldownHours: 0, dailyCap: 5, training: tinyTraining },
    })),
  },
  {
    name: 'monitor-retraining-off',
    start: monitor((taskQueues) => ({
      taskQueues,
      window: { by: 'ingested', days: 1 },
      maxMacroF1Drop: 0,
      retrain: { enabled: false },
    })),
  },
  {
    name: 'pipeline-no-training',
    start: pipeline((taskQueues) => ({
      taskQueues,
      ingest: { source: { kind: 'file', path: fixture }, embedder: smallEmbedder },
      minNewPapers: 100_000,
      monitor: { minRows: 10, retrain: { enabled: false } },
    })),
  },
];

async function main(): Promise<void> {
  const id = randomBytes(3).toString('hex');
  const config = loadConfig({
    ...process.env,
    BUFFER_STREAM: `record:${id}:papers`,
    MONGODB_DATABASE: `record_${id}`,
    TASK_QUEUE_IO: `record-${id}-io`,
    TASK_QUEUE_CPU: `record-${id}-cpu`,
    OBJECT_STORE_URL: pathToFileURL(join(projectRoot(), '.data', 'record-objects', id)).href,
    MLFLOW_EXPERIMENT: `record-${id}`,
    MLFLOW_MODEL_NAME: `record-model-${id}`,
  });
  const workers = await createWorkers({ config });
  const running = workers.run();
  const connection = await Connection.connect({ address: config.temporal.endpoint.url });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  // Workflows that name their children after their own id replay only under the id they ran with.
  const idsPath = join(projectRoot(), 'test/histories', WORKFLOW_IDS_FILE);
  const recordedIds: Record<string, string> = existsSync(idsPath)
    ? (JSON.parse(readFileSync(idsPath, 'utf8')) as Record<string, string>)
    : {};
  try {
    for (const scenario of SCENARIOS) {
      const options = { taskQueue: config.temporal.taskQueues.io, workflowId: `${scenario.name}-${id}` };
      const handle = await scenario.start(client, options, config.temporal.taskQueues);
      const outcome = await handle.result().then(
        () => 'completed',
        () => 'failed',
      );
      if ((outcome === 'failed') !== Boolean(scenario.expectFailure))
        throw new Error(`${scenario.name} ${outcome} unexpectedly`);
      const path = join(projectRoot(), 'test/histories', `${scenario.name}.json`);
      writeFileSync(path, `${JSON.stringify(JSON.parse(historyToJSON(await handle.fetchHistory())), null, 1)}\n`);
      recordedIds[`${scenario.name}.json`] = options.workflowId;
      console.log(`${scenario.name}: ${outcome} → ${path}`);
    }
    writeFileSync(idsPath, `${JSON.stringify(recordedIds, null, 1)}\n`);
  } finally {
    await connection.close();
    workers.shutdown();
    await running;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
