import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { defaultPayloadConverter } from '@temporalio/common';
import type { AppConfig } from '../lib/config/config';
import { workflowUiLink } from '../lib/config/links';
import type { Reporter } from './output';

export async function connectClient(config: AppConfig): Promise<Client> {
  try {
    const connection = await Connection.connect({ address: config.temporal.endpoint.url, connectTimeout: 5_000 });
    return new Client({ connection, namespace: config.temporal.namespace });
  } catch (error) {
    throw new Error(
      `Temporal not reachable at ${config.temporal.endpoint.url} (${(error as Error).message}): start it with \`mlops stack up\` or set TEMPORAL_ADDRESS`,
    );
  }
}

/** Runs fn with a connected client, closing the connection afterwards. */
export async function withClient<T>(config: AppConfig, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectClient(config);
  try {
    return await fn(client);
  } finally {
    await client.connection.close();
  }
}

export { workflowUiLink };

/** Heartbeat details of a workflow's running activities, by activity type: live progress for the CLI. */
/** The heartbeat details of every pending activity, with its type, in the order Temporal lists them. */
export async function pendingActivityDetailsList(handle: WorkflowHandle): Promise<Array<[string, unknown]>> {
  const description = await handle.describe();
  const details: Array<[string, unknown]> = [];
  for (const activity of description.raw.pendingActivities ?? []) {
    const payload = activity.heartbeatDetails?.payloads?.[0];
    const type = activity.activityType?.name;
    if (!payload || !type) continue;
    try {
      details.push([type, defaultPayloadConverter.fromPayload(payload)]);
    } catch {
      // a payload we cannot decode is simply not shown
    }
  }
  return details;
}

/** The heartbeat details of the pending activities, by type (the last listed, when several share one). */
export async function pendingActivityDetails(handle: WorkflowHandle): Promise<Map<string, unknown>> {
  return new Map(await pendingActivityDetailsList(handle));
}

export function newWorkflowId(prefix: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${prefix}-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

/** The innermost cause of a workflow or activity failure: the message that says what went wrong. */
export function rootCause(error: Error): Error {
  let current = error;
  while (current.cause instanceof Error) current = current.cause;
  return current;
}

/** Starts a workflow on the I/O queue and tells the user where to watch it. */
export async function startWorkflowRun<I, R>(
  client: Client,
  config: AppConfig,
  reporter: Reporter,
  kind: string,
  workflow: (input: I) => Promise<R>,
  input: I,
  options: { inProcessWorker?: boolean } = {},
): Promise<{ handle: WorkflowHandle<(input: I) => Promise<R>>; uiLink: string | undefined }> {
  const workflowId = newWorkflowId(kind);
  const handle = await client.workflow.start(workflow, {
    taskQueue: config.temporal.taskQueues.io,
    workflowId,
    args: [input],
  });
  const uiLink = workflowUiLink(config, workflowId, handle.firstExecutionRunId);
  reporter.note(`${kind} ${workflowId} started${uiLink ? ` — ${uiLink}` : ''}`);
  // A worker started in this process may not have polled yet; it will.
  for (const queue of options.inProcessWorker ? [] : await queuesWithoutWorkers(client, config)) {
    reporter.note(
      `warning: no worker polls the task queue "${queue}": start one with \`mlops worker\` (the run waits until one does)`,
    );
  }
  return { handle, uiLink };
}

/** Task queues of this project that no worker has polled lately. */
async function queuesWithoutWorkers(client: Client, config: AppConfig): Promise<string[]> {
  const checks: Array<[string, temporal.api.enums.v1.TaskQueueType]> = [
    [config.temporal.taskQueues.io, temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW],
    [config.temporal.taskQueues.cpu, temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY],
  ];
  const idle: string[] = [];
  for (const [name, taskQueueType] of checks) {
    try {
      const { pollers } = await client.workflowService.describeTaskQueue({
        namespace: config.temporal.namespace,
        taskQueue: { name },
        taskQueueType,
      });
      if (!pollers || pollers.length === 0) idle.push(name);
    } catch {
      // an older server without this call: say nothing rather than something wrong
    }
  }
  return idle;
}

/**
 * The workflow's result, calling `tick` every interval until it arrives. A failing tick is skipped:
 * early on the workflow may not have answered its first query yet.
 */
export async function resultWithProgress<T>(
  handle: WorkflowHandle,
  tick: () => Promise<void>,
  intervalMs = 500,
): Promise<T> {
  let finished = false;
  const result = (handle.result() as Promise<T>).finally(() => {
    finished = true;
  });
  while (!finished) {
    await tick().catch(() => undefined);
    await Promise.race([result.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, intervalMs))]);
  }
  return result;
}
