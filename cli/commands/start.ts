import type { AppConfig } from '../../lib/config/config';
import { resolveFromRoot } from '../../lib/config/paths';
import { stackUp } from '../../stack';
import { createWorkers } from '../../worker/workers';
import type { Reporter } from '../output';
import { withClient } from '../temporal';
import { ingestInput, reportIngest, runIngest } from './ingest';
import { monitorInput, reportMonitor, runMonitorWorkflow } from './monitor';
import { reportTrain, runTrain, trainInput } from './train';

/** Papers listed in 2026, newer than anything in the sample: the window `npm start` monitors. */
export const CURRENT_SLICE = 'data/sample/arxiv-current.jsonl.gz';

/**
 * `npm start`: the local stack, a worker in this process, and the pipeline on bundled data —
 * ingest the sample, train, then ingest a slice of newer papers and monitor it against the model.
 */
export async function startCommand(config: AppConfig, reporter: Reporter): Promise<number> {
  reporter.note('bringing up the local stack…');
  await stackUp(config, { onEvent: (message) => reporter.note(`  ${message}`) });
  const workers = await createWorkers({ config });
  let workerFailure: unknown;
  const running = workers.run().catch((error: unknown) => {
    workerFailure = error;
  });
  try {
    await withClient(config, async (client) => {
      const ingest = await runIngest(client, config, ingestInput(config, { source: 'sample' }), reporter, true);
      if (!reporter.json) reportIngest(reporter, ingest);
      const training = await runTrain(client, config, trainInput(config, {}), reporter, true);
      if (!reporter.json) reportTrain(reporter, training);

      reporter.note(`\nmonitoring newer papers (${CURRENT_SLICE}) against the serving model…`);
      const windowStart = new Date().toISOString();
      const current = await runIngest(client, config, ingestInput(config, { source: `file:${resolveFromRoot(CURRENT_SLICE)}` }), reporter, true);
      if (!reporter.json) reportIngest(reporter, current);
      const monitor = await runMonitorWorkflow(client, config, monitorInput(config, { kind: 'serving' }, { by: 'ingested', from: windowStart }, {}), reporter, true);
      if (!reporter.json) {
        reportMonitor(reporter, monitor);
        return;
      }
      reporter.summary('', [], {
        ingest: { ...ingest.summary, temporalUi: ingest.uiLink },
        train: { ...training.summary, mlflowUi: training.mlflowRunUrl, temporalUi: training.uiLink },
        currentIngest: { ...current.summary, temporalUi: current.uiLink },
        monitor,
      });
    });
  } finally {
    workers.shutdown();
    await running;
  }
  if (workerFailure) throw workerFailure;
  if (!reporter.json) {
    reporter.note('\nThe stack keeps running: open the report and the UIs above, or stop it with `npx mlops stack down`.');
  }
  return 0;
}
