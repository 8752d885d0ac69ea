import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../lib/config/config';
import { deadLettersCommand } from './commands/deadletters';
import { servingModelCommand } from './commands/model';
import { ingestInput, reportIngest, runIngest } from './commands/ingest';
import { stackCommand } from './commands/stack';
import { reportTrain, runTrain, trainInput } from './commands/train';
import { startCommand } from './commands/start';
import { workerCommand } from './commands/worker';
import { createReporter, type Reporter } from './output';
import { rootCause, withClient } from './temporal';

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a positive integer');
  return parsed;
}

const program = new Command('mlops')
  .description('arXiv classifier MLOps: durable ingestion, training and monitoring on Temporal')
  .option('--json', 'print one JSON object as the last line of stdout')
  .showHelpAfterError();

function reporterOf(command: Command): Reporter {
  return createReporter(Boolean(command.optsWithGlobals().json));
}

async function execute(command: Command, action: (reporter: Reporter) => Promise<number>): Promise<void> {
  const reporter = reporterOf(command);
  try {
    process.exitCode = await action(reporter);
  } catch (error) {
    const root = error instanceof Error ? rootCause(error) : undefined;
    const message = root && root !== error ? `${(error as Error).message}: ${root.message}` : ((error as Error).message ?? String(error));
    if (reporter.json) process.stdout.write(`${JSON.stringify({ error: message })}\n`);
    process.stderr.write(`error: ${message}\n`);
    process.exitCode = 1;
  }
}

program
  .command('stack')
  .description('launch, stop or inspect the local engines (those whose URL variable is unset)')
  .argument('<action>', 'up | down | status')
  .argument('[engines...]', 'temporal, redis, mongo, s3, mlflow (default: those the configuration uses)')
  .option('--json', 'JSON summary')
  .action(async (action: string, engines: string[], _options, command: Command) =>
    execute(command, (reporter) => stackCommand(action, engines, loadConfig(), reporter)),
  );

program
  .command('worker')
  .description('run the Temporal workers until interrupted')
  .addOption(new Option('--queue <queue>', 'which task queue to serve').choices(['io', 'cpu', 'all']).default('all'))
  .action(async (options: { queue: string }, command: Command) =>
    execute(command, (reporter) => workerCommand(options.queue, loadConfig(), reporter)),
  );

const run = program.command('run').description('start a pipeline workflow, wait for it and print its summary');

run
  .command('ingest')
  .description('extract → object store → Redis stream → embed → MongoDB features')
  .option('--source <source>', 'sample | file:PATH | arxiv:QUERY | oai:SET[@oai_dc]', 'sample')
  .option('--limit <n>', 'stop after n items', positiveInt)
  .option('--from <date>', 'arxiv/oai sources: first day (YYYY-MM-DD)')
  .option('--until <date>', 'arxiv/oai sources: last day (YYYY-MM-DD)')
  .option('--page-size <n>', 'records per raw batch', positiveInt)
  .option('--min-batch <n>', 'buffer records needed before embedding starts', positiveInt)
  .option('--refit-embedder', 'fit a new embedder on the reference corpus first')
  .option('--json', 'JSON summary')
  .action(async (options, command: Command) =>
    execute(command, async (reporter) => {
      const config = loadConfig();
      const input = ingestInput(config, {
        source: options.source,
        limit: options.limit,
        from: options.from,
        until: options.until,
        pageSize: options.pageSize,
        minBatch: options.minBatch,
        refitEmbedder: options.refitEmbedder,
      });
      await withClient(config, async (client) => reportIngest(reporter, await runIngest(client, config, input, reporter)));
      return 0;
    }),
  );

run
  .command('train')
  .description('train a classifier on the stored features, track it in MLflow, register it and promote it if it is not worse')
  .option('--embedder-version <version>', 'features of this embedder (default: the current one)')
  .option('--from <date>', 'papers published on or after this day (YYYY-MM-DD)')
  .option('--until <date>', 'papers published on or before this day (YYYY-MM-DD)')
  .option('--epochs <n>', 'at most n epochs', positiveInt)
  .option('--min-examples <n>', 'leave out classes with fewer stored papers', positiveInt)
  .option('--json', 'JSON summary')
  .action(async (options, command: Command) =>
    execute(command, async (reporter) => {
      const config = loadConfig();
      await withClient(config, async (client) => reportTrain(reporter, await runTrain(client, config, trainInput(config, options), reporter)));
      return 0;
    }),
  );

program
  .command('deadletters')
  .description('list rejected input with the reason it was rejected')
  .option('--run <workflowId>', 'only this ingestion run')
  .option('--reason <reason>', 'only this reason')
  .option('--limit <n>', 'show at most n', positiveInt, 20)
  .option('--json', 'JSON summary')
  .action(async (options, command: Command) =>
    execute(command, (reporter) => deadLettersCommand(options, loadConfig(), reporter)),
  );

program
  .command('model')
  .description('the model monitoring and inference use: LATEST_TRAINING_RUN_ID when set, else the registry alias')
  .argument('<action>', 'serving')
  .option('--json', 'JSON summary')
  .action(async (action: string, _options, command: Command) =>
    execute(command, (reporter) => {
      if (action !== 'serving') throw new Error(`unknown model action "${action}": use serving`);
      return servingModelCommand(loadConfig(), reporter);
    }),
  );

program
  .command('start')
  .description('stack up, a worker, and the pipeline on the bundled sample (what `npm start` runs)')
  .option('--json', 'JSON summary')
  .action(async (_options, command: Command) => execute(command, (reporter) => startCommand(loadConfig(), reporter)));

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`error: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
