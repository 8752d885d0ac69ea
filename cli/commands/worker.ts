import type { AppConfig } from '../../lib/config/config';
import { startHealthServer } from '../../worker/health-server';
import { createWorkers, type QueueKind, type WorkerSet } from '../../worker/workers';
import type { Reporter } from '../output';

export interface WorkerOptions {
  queue: string;
  /** Serve GET /healthz on 127.0.0.1:<port> (a container's HEALTHCHECK). */
  healthPort?: number;
}

export async function workerCommand(options: WorkerOptions, config: AppConfig, reporter: Reporter): Promise<number> {
  const { queue } = options;
  if (!['io', 'cpu', 'all'].includes(queue)) throw new Error(`--queue must be io, cpu or all, got "${queue}"`);
  const queues: QueueKind[] = queue === 'all' ? ['io', 'cpu'] : [queue as QueueKind];
  // The health port is taken before the workers open their connections, so a busy port leaves nothing open.
  let workers: WorkerSet | undefined;
  const health =
    options.healthPort === undefined
      ? undefined
      : await startHealthServer(options.healthPort, '127.0.0.1', () => {
          const states = workers?.states() ?? {};
          const healthy = workers !== undefined && Object.values(states).every((state) => state === 'RUNNING');
          return { healthy, detail: { workers: states } };
        }).catch((error: unknown) => {
          throw new Error(`cannot serve the health check on port ${options.healthPort}: ${(error as Error).message}`);
        });
  try {
    workers = await createWorkers({ config, queues });
  } catch (error) {
    health?.close();
    throw error;
  }
  const names = queues.map((kind) => config.temporal.taskQueues[kind]).join(', ');
  reporter.note(`worker running on ${names} (Temporal ${config.temporal.endpoint.url}); Ctrl-C stops it`);
  const running = workers;
  const stop = () => running.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await running.run();
  } finally {
    health?.close();
  }
  reporter.note('worker stopped');
  return 0;
}
