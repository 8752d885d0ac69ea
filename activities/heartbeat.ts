import { Context } from '@temporalio/activity';

/**
 * Runs `work` while heartbeating `details()` now and every `everyMs`, for stretches without a
 * natural point to beat from (loading data, a fit in a thread): Temporal then knows the worker
 * is alive and can deliver a cancellation.
 */
export async function withHeartbeat<T>(details: () => unknown, work: () => Promise<T>, everyMs = 10_000): Promise<T> {
  const context = Context.current();
  context.heartbeat(details());
  const timer = setInterval(() => context.heartbeat(details()), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
