import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createCpuActivities, createIoActivities, openActivityDeps } from '../activities';
import type { AppConfig } from '../lib/config/config';
import { startPredictionDrain, type RunningDrain } from './prediction-drain';

export type QueueKind = 'io' | 'cpu';

export interface WorkerSetOptions {
  config: AppConfig;
  queues?: QueueKind[];
  /** A prebuilt workflow bundle (tests bundle once); by default workflows/ is bundled at start. */
  workflowBundle?: WorkflowBundleWithSourceMap;
  identity?: string;
}

export interface WorkerSet {
  /** Resolves when every worker has stopped (after shutdown()). */
  run(): Promise<void>;
  shutdown(): void;
  /** Each task queue served and the state of its worker (RUNNING while it polls). */
  states(): Record<string, string>;
  /** The prediction log's drainer (I/O workers only). */
  drain: RunningDrain | undefined;
}

let runtimeConfigured = false;

/** Keep the SDK's own logging to warnings: the CLI prints what matters. */
function configureRuntime(): void {
  if (runtimeConfigured) return;
  runtimeConfigured = true;
  try {
    const sdk = new DefaultLogger('WARN');
    // A CPU-queue worker has no workflows by design; the SDK says so at every start.
    const logger = new DefaultLogger('WARN', (entry) => {
      if (!entry.message.startsWith('No workflows registered')) sdk.log(entry.level, entry.message, entry.meta);
    });
    Runtime.install({ logger, telemetryOptions: { logging: { filter: 'WARN' } } });
  } catch {
    // already installed by the host process (tests): keep its settings
  }
}

/**
 * The I/O worker runs the workflows and the network/storage activities, and drains the API's
 * prediction stream into MongoDB; the CPU worker runs fitting and embedding one at a time, so each
 * scales by adding processes on its own queue.
 */
export async function createWorkers(options: WorkerSetOptions): Promise<WorkerSet> {
  configureRuntime();
  const { config } = options;
  const queues = options.queues ?? ['io', 'cpu'];
  const deps = await openActivityDeps(config);
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect({ address: config.temporal.endpoint.url });
  } catch (error) {
    await deps.close();
    throw new Error(
      `Temporal not reachable at ${config.temporal.endpoint.url} (${(error as Error).message}): start it with \`mlops stack up\` or set TEMPORAL_ADDRESS`,
    );
  }
  const workflows = options.workflowBundle
    ? { workflowBundle: options.workflowBundle }
    : { workflowsPath: require.resolve('../workflows') };
  const workers: Worker[] = [];
  let drain: RunningDrain | undefined;
  try {
    if (queues.includes('io')) {
      workers.push(
        await Worker.create({
          connection,
          namespace: config.temporal.namespace,
          taskQueue: config.temporal.taskQueues.io,
          ...(options.identity ? { identity: `${options.identity}/io` } : {}),
          ...workflows,
          activities: createIoActivities(deps),
        }),
      );
    }
    if (queues.includes('cpu')) {
      workers.push(
        await Worker.create({
          connection,
          namespace: config.temporal.namespace,
          taskQueue: config.temporal.taskQueues.cpu,
          ...(options.identity ? { identity: `${options.identity}/cpu` } : {}),
          activities: createCpuActivities(deps),
          maxConcurrentActivityTaskExecutions: 1,
        }),
      );
    }
    if (queues.includes('io'))
      drain = await startPredictionDrain(config, deps.mongo, deps.deadLetters, options.identity);
  } catch (error) {
    await connection.close();
    await deps.close();
    throw error;
  }
  return {
    async run() {
      // If one worker fails, stop the other before the shared clients are closed under it.
      const outcomes = await Promise.allSettled(
        workers.map((worker) =>
          worker.run().catch((error: unknown) => {
            for (const other of workers) if (other !== worker && other.getState() === 'RUNNING') other.shutdown();
            throw error;
          }),
        ),
      );
      await drain?.stop();
      await connection.close();
      await deps.close();
      const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (failed) throw failed.reason;
    },
    shutdown() {
      for (const worker of workers) {
        if (worker.getState() === 'RUNNING') worker.shutdown();
      }
    },
    drain,
    states() {
      return Object.fromEntries(workers.map((worker) => [worker.options.taskQueue, worker.getState()]));
    },
  };
}
