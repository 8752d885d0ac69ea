import type { AppConfig } from '../../lib/config/config';
import { resolveFromRoot } from '../../lib/config/paths';
import { startApi, type RunningApi } from '../../api/server';
import { stackUp } from '../../stack';
import { createWorkers } from '../../worker/workers';
import type { Reporter } from '../output';
import { tryItLines } from './api';
import { withClient } from '../temporal';
import { ingestInput, reportIngest, runIngest } from './ingest';
import { monitorInput, reportMonitor, runMonitorWorkflow } from './monitor';
import { reportTrain, runTrain, trainInput } from './train';

/** Papers listed in 2026, newer than anything in the sample: the window `npm start` monitors. */
export const CURRENT_SLICE = 'data/sample/arxiv-current.jsonl.gz';
/**
 * The window is chosen by publication date (the slice starts in 2026, the sample ends in 2025),
 * not by when papers were first stored: a second `npm start` stores nothing new, yet monitors the same.
 */
const CURRENT_SLICE_FROM = '2026-01-01';

export interface StartOptions {
  /** Serve the model afterwards (until interrupted) on this port; false: stop after monitoring. */
  api: boolean;
  apiPort: number;
}

const interrupted = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });

/**
 * `npm start`: the local stack, a worker in this process, and the pipeline on bundled data —
 * ingest the sample, train, then ingest a slice of newer papers and monitor it against the model;
 * then the inference API serves the champion until interrupted.
 */
export async function startCommand(
  config: AppConfig,
  reporter: Reporter,
  options: StartOptions = { api: true, apiPort: 8080 },
): Promise<number> {
  reporter.note('bringing up the local stack…');
  await stackUp(config, { onEvent: (message) => reporter.note(`  ${message}`) });
  const workers = await createWorkers({ config });
  let workerFailure: unknown;
  const running = workers.run().catch((error: unknown) => {
    workerFailure = error;
  });
  let api: RunningApi | undefined;
  try {
    await withClient(config, async (client) => {
      const ingest = await runIngest(client, config, ingestInput(config, { source: 'sample' }), reporter, true);
      if (!reporter.json) reportIngest(reporter, ingest);
      const training = await runTrain(client, config, trainInput(config, {}), reporter, true);
      if (!reporter.json) reportTrain(reporter, training);

      reporter.note(`\nmonitoring newer papers (${CURRENT_SLICE}) against the serving model…`);
      const current = await runIngest(
        client,
        config,
        ingestInput(config, { source: `file:${resolveFromRoot(CURRENT_SLICE)}` }),
        reporter,
        true,
      );
      if (!reporter.json) reportIngest(reporter, current);
      const monitor = await runMonitorWorkflow(
        client,
        config,
        monitorInput(config, { kind: 'serving' }, { by: 'published', from: CURRENT_SLICE_FROM }, {}),
        reporter,
        true,
      );
      if (options.api) api = await startApi(config, { host: '127.0.0.1', port: options.apiPort, logLevel: 'warn' });
      if (!reporter.json) {
        reportMonitor(reporter, monitor);
        return;
      }
      reporter.summary('', [], {
        ingest: { ...ingest.summary, temporalUi: ingest.uiLink },
        train: { ...training.summary, mlflowUi: training.mlflowRunUrl, temporalUi: training.uiLink },
        currentIngest: { ...current.summary, temporalUi: current.uiLink },
        monitor,
        api: api ? { url: api.url, page: `${api.url}/`, docs: `${api.url}/docs` } : null,
      });
    });
    if (api) {
      reporter.note(
        `\nThe inference API serves the champion on ${api.url} (Ctrl-C stops it; the stack keeps running):`,
      );
      for (const line of tryItLines(api.url)) reporter.note(line);
      await interrupted();
    }
  } finally {
    await api?.close();
    workers.shutdown();
    await running;
  }
  if (workerFailure) throw workerFailure;
  if (!reporter.json) {
    reporter.note(
      '\nThe stack keeps running: open the report and the UIs above, or stop it with `npx mlops stack down`.',
    );
  }
  return 0;
}
