import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { AppConfig } from '../../lib/config/config';
import { createWorkers } from '../../worker/workers';
import { ingestWorkflow } from '../../workflows';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflow code bundled once per test file (bundling takes seconds). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: console.error,
    },
  });
  return bundle;
}

export interface RunningWorkers {
  stop(): Promise<void>;
}

/** Both workers (I/O and CPU queues) in this process, on the given configuration's task queues. */
export async function startWorkers(config: AppConfig): Promise<RunningWorkers> {
  const workers = await createWorkers({ config, workflowBundle: await workflowBundle() });
  const running = workers.run();
  return {
    async stop() {
      workers.shutdown();
      await running;
    },
  };
}

export async function temporalClient(config: AppConfig): Promise<Client> {
  const connection = await Connection.connect({ address: config.temporal.endpoint.url });
  return new Client({ connection, namespace: config.temporal.namespace });
}

/** A thousand papers of the bundled sample with a small embedder: enough to train a model in seconds. */
export async function ingestSmallSample(client: Client, config: AppConfig, workflowId: string): Promise<void> {
  await client.workflow.execute(ingestWorkflow, {
    taskQueue: config.temporal.taskQueues.io,
    workflowId,
    args: [
      {
        source: { kind: 'sample' },
        limit: 1_000,
        embedder: { referenceSource: { kind: 'sample' }, referenceLimit: 1_000, dimensions: 48, maxFeatures: 4_000 },
        taskQueues: config.temporal.taskQueues,
      },
    ],
  });
}
