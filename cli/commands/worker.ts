import type { AppConfig } from '../../lib/config/config';
import { createWorkers, type QueueKind } from '../../worker/workers';
import type { Reporter } from '../output';

export async function workerCommand(queue: string, config: AppConfig, reporter: Reporter): Promise<number> {
  if (!['io', 'cpu', 'all'].includes(queue)) throw new Error(`--queue must be io, cpu or all, got "${queue}"`);
  const queues: QueueKind[] = queue === 'all' ? ['io', 'cpu'] : [queue as QueueKind];
  const workers = await createWorkers({ config, queues });
  const names = queues.map((kind) => config.temporal.taskQueues[kind]).join(', ');
  reporter.note(`worker running on ${names} (Temporal ${config.temporal.endpoint.url}); Ctrl-C stops it`);
  const stop = () => workers.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await workers.run();
  reporter.note('worker stopped');
  return 0;
}
