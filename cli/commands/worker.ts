import type { AppConfig } from '../../lib/config/config';
import { startHealthServer } from '../../worker/health-server';
import { createWorkers, type QueueKind } from '../../worker/workers';
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
  const workers = await createWorkers({ config, queues });
  const health =
    options.healthPort === undefined
      ? undefined
      : await startHealthServer(options.healthPort, '127.0.0.1', () => {
          const states = workers.states();
          return { healthy: Object.values(states).every((state) => state === 'RUNNING'), detail: { workers: states } };
        }).catch((error: unknown) => {
          workers.shutdown();
          throw new Error(`cannot serve the health check on port ${options.healthPort}: ${(error as Error).message}`);
        });
  const names = queues.map((kind) => config.temporal.taskQueues[kind]).join(', ');
  reporter.note(`worker running on ${names} (Temporal ${config.temporal.endpoint.url}); Ctrl-C stops it`);
  const stop = () => workers.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await workers.run();
  } finally {
    health?.close();
  }
  reporter.note('worker stopped');
  return 0;
}
