import type { AppConfig } from '../../lib/config/config';
import { stackUp } from '../../stack';
import { createWorkers } from '../../worker/workers';
import type { Reporter } from '../output';
import { withClient } from '../temporal';
import { ingestInput, reportIngest, runIngest } from './ingest';
import { reportTrain, runTrain, trainInput } from './train';

/** `npm start`: the local stack, a worker in this process, and ingest → train on the bundled sample. */
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
      const ingest = await runIngest(client, config, ingestInput(config, { source: 'sample' }), reporter);
      if (!reporter.json) reportIngest(reporter, ingest);
      const training = await runTrain(client, config, trainInput(config, {}), reporter);
      if (!reporter.json) {
        reportTrain(reporter, training);
        return;
      }
      reporter.summary('', [], {
        ingest: { ...ingest.summary, temporalUi: ingest.uiLink },
        train: { ...training.summary, mlflowUi: training.mlflowRunUrl, temporalUi: training.uiLink },
      });
    });
  } finally {
    workers.shutdown();
    await running;
  }
  if (workerFailure) throw workerFailure;
  if (!reporter.json) {
    reporter.note('\nThe stack keeps running: open the Temporal UI above, or stop it with `npx mlops stack down`.');
  }
  return 0;
}
