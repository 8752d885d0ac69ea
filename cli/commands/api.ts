import { availableParallelism } from 'node:os';
import type { AppConfig } from '../../lib/config/config';
import { answerMetricsRequests, isApiWorker, startApiCluster, tellPrimary } from '../../api/cluster';
import { startApi, type RunningApi } from '../../api/server';
import type { Reporter } from '../output';

const EXAMPLE = {
  title: 'Neural machine translation by jointly learning to align and translate',
  abstract:
    'We conjecture that a fixed-length vector is a bottleneck and propose to let the model search for the parts of the source sentence relevant to each target word.',
};

export interface ApiOptions {
  host: string;
  port: number;
  logLevel?: string;
  waitForModel?: boolean;
  /** Server processes on the port (default: one per core); 1 serves from this process. */
  workers?: number;
}

/** What to paste to try the API: a curl, and the page's address. */
export function tryItLines(url: string): string[] {
  const body = JSON.stringify(EXAMPLE).replace(/'/g, "'\\''");
  return [
    `  try it: curl -s -X POST ${url}/v1/predict -H 'content-type: application/json' -d '${body}'`,
    `  page:   ${url}/   docs: ${url}/docs   metrics: ${url}/metrics`,
  ];
}

const untilSignal = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });

async function servedModel(api: RunningApi): Promise<string> {
  const answer = await api.app.inject({ method: 'GET', url: '/v1/model' });
  if (answer.statusCode !== 200) return 'no model promoted yet: predictions answer 503 until a training promotes one';
  const served = answer.json() as { model: { name: string; version: string | null; runId: string } };
  return `${served.model.name} v${served.model.version ?? '-'} (run ${served.model.runId})`;
}

const stoppedLine = (appended: number, backlog: number) =>
  `api stopped (${appended} predictions appended to the log stream${backlog > 0 ? `, ${backlog} could not be: Redis unreachable` : ''})`;

/**
 * `mlops api`: serves predictions until interrupted (SIGINT/SIGTERM close it cleanly, offering the
 * prediction log's backlog to Redis once more). With `--workers N` above 1, this process is the
 * primary of N server processes on the port, each running this same command.
 */
export async function apiCommand(options: ApiOptions, config: AppConfig, reporter: Reporter): Promise<number> {
  const workers = options.workers ?? availableParallelism();
  if (isApiWorker()) return serveAsWorker(options, config);
  if (workers <= 1) {
    const api = await startApi(config, options);
    reporter.note(`api listening on ${api.url} — ${await servedModel(api)}`);
    for (const line of tryItLines(api.url)) reporter.note(line);
    await untilSignal();
    await api.close();
    reporter.note(stoppedLine(api.log.appendedCount, api.log.backlog));
    return 0;
  }
  const apiCluster = startApiCluster(workers, (id, code, signal, delayMs) =>
    reporter.note(
      `api worker ${id} exited (${signal ?? `code ${code}`}): starting another${delayMs > 0 ? ` in ${delayMs / 1000} s` : ''}`,
    ),
  );
  const stopped = untilSignal();
  try {
    const { url, model } = (await Promise.race([apiCluster.ready, stopped.then(() => undefined)])) ?? {
      url: '',
      model: '',
    };
    if (url) {
      reporter.note(`api listening on ${url} — ${workers} workers — ${model}`);
      for (const line of tryItLines(url)) reporter.note(line);
      await stopped;
    }
  } catch (error) {
    await apiCluster.stop();
    throw error;
  }
  const summary = await apiCluster.stop();
  reporter.note(stoppedLine(summary.appended, summary.backlog));
  return 0;
}

/** A worker of the cluster: serves until the primary (or the terminal) stops it, then says what it logged. */
async function serveAsWorker(options: ApiOptions, config: AppConfig): Promise<number> {
  // Asked for its metrics while it loads the model, a worker answers with none rather than not at all.
  answerMetricsRequests();
  let api: RunningApi;
  try {
    api = await startApi(config, { ...options, clustered: true });
  } catch (error) {
    await tellPrimary({ type: 'arxiv-api:failed', message: (error as Error).message });
    process.disconnect?.(); // else the channel keeps a worker that will never serve alive
    throw error;
  }
  await tellPrimary({ type: 'arxiv-api:listening', url: api.url, model: await servedModel(api) });
  await untilSignal();
  await api.close();
  await tellPrimary({ type: 'arxiv-api:stopped', appended: api.log.appendedCount, backlog: api.log.backlog });
  process.disconnect?.(); // the channel to the primary is the last thing keeping this process alive
  return 0;
}
