import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../lib/config/config';
import { redactUrls } from '../lib/config/redact';
import { apiCommand, type ApiOptions } from './commands/api';
import { deadLettersCommand } from './commands/deadletters';
import { rollbackCommand, servingModelCommand } from './commands/model';
import { reportMonitor, runMonitor, type MonitorOptions } from './commands/monitor';
import { pipelineInput, reportPipeline, runPipeline } from './commands/pipeline';
import { retrainHistoryCommand } from './commands/retrain';
import { scheduleCommand } from './commands/schedule';
import { ingestInput, reportIngest, runIngest } from './commands/ingest';
import { stackCommand } from './commands/stack';
import { reportTrain, runTrain, trainInput } from './commands/train';
import { startCommand } from './commands/start';
import { workerCommand } from './commands/worker';
import { createReporter, terminalSafe, type Reporter } from './output';
import { rootCause, withClient } from './temporal';

function nonNegative(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new InvalidArgumentError('expected a number ≥ 0');
  return parsed;
}

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
    const message = redactUrls(
      root && root !== error
        ? `${(error as Error).message}: ${root.message}`
        : ((error as Error).message ?? String(error)),
    );
    if (reporter.json) process.stdout.write(`${JSON.stringify({ error: message })}\n`);
    process.stderr.write(`error: ${terminalSafe(message)}\n`);
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
  .option('--health-port <port>', 'serve GET /healthz on 127.0.0.1 (for a container HEALTHCHECK)', positiveInt)
  .action(async (options: { queue: string; healthPort?: number }, command: Command) =>
    execute(command, (reporter) => workerCommand(options, loadConfig(), reporter)),
  );

program
  .command('api')
  .description('serve predictions of the serving model over HTTP (LATEST_TRAINING_RUN_ID, else the alias)')
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .option('--port <port>', 'port', positiveInt, 8080)
  .addOption(
    new Option('--log-level <level>', 'request logs (JSON lines on stdout); default API_LOG_LEVEL or info').choices([
      'fatal',
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'silent',
    ]),
  )
  .option('--wait-for-model', 'start even when no model is promoted yet (503 until a training promotes one)')
  .option(
    '--workers <n>',
    'server processes on the port, each with the model loaded (default: one per core; 1: this process)',
    positiveInt,
  )
  .action(async (options: ApiOptions, command: Command) =>
    execute(command, (reporter) => apiCommand(options, loadConfig(), reporter)),
  );

const run = program.command('run').description('start a pipeline workflow, wait for it and print its summary');

sourceOptions(run.command('ingest').description('extract → object store → Redis stream → embed → MongoDB features'))
  .option('--page-size <n>', 'records per raw batch', positiveInt)
  .option('--min-batch <n>', 'buffer records needed before embedding starts', positiveInt)
  .option('--refit-embedder', 'fit a new embedder on the reference corpus first')
  .option('--max-embed-rate <n>', 'embed at most n papers per second (per consumer)', positiveInt)
  .option(
    '--embed-consumers <n>',
    'embedding activities side by side, one per CPU worker process (default 2)',
    positiveInt,
  )
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
        maxEmbedRate: options.maxEmbedRate,
        embedConsumers: options.embedConsumers,
      });
      await withClient(config, async (client) =>
        reportIngest(reporter, await runIngest(client, config, input, reporter)),
      );
      return 0;
    }),
  );

run
  .command('train')
  .description(
    'train a classifier on the stored features, track it in MLflow, register it and promote it if it is not worse',
  )
  .option('--embedder-version <version>', 'features of this embedder (default: the current one)')
  .option('--from <date>', 'papers published on or after this day (YYYY-MM-DD)')
  .option('--until <date>', 'papers published on or before this day (YYYY-MM-DD)')
  .option('--epochs <n>', 'at most n epochs (lsa-mlp candidates)', positiveInt)
  .option(
    '--candidates <list>',
    'models to try, family[:name=value]… comma-separated, e.g. lsa-mlp,tfidf-linear:c=0.25 (default: TRAIN_CANDIDATES or tfidf-linear)',
  )
  .option('--min-examples <n>', 'leave out classes with fewer stored papers', positiveInt)
  .option('--json', 'JSON summary')
  .action(async (options, command: Command) =>
    execute(command, async (reporter) => {
      const config = loadConfig();
      await withClient(config, async (client) =>
        reportTrain(reporter, await runTrain(client, config, trainInput(config, options), reporter)),
      );
      return 0;
    }),
  );

/** What to ingest, shared by `run ingest` and `run pipeline`. */
function sourceOptions(command: Command): Command {
  return command
    .option('--source <source>', 'sample | file:PATH | arxiv:QUERY | oai:SET[@oai_dc]', 'sample')
    .option('--limit <n>', 'stop after n items', positiveInt)
    .option('--from <date>', 'arxiv/oai sources: first day (YYYY-MM-DD)')
    .option('--until <date>', 'arxiv/oai sources: last day (YYYY-MM-DD)');
}

/** Options of the monitoring step, shared by `run monitor` and `run pipeline`. */
function monitorOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--by <time>', 'window:… counts papers by when they were ingested or published')
        .choices(['ingested', 'published'])
        .default('ingested'),
    )
    .option('--no-retrain', 'do not start a retraining on drift')
    .option('--cooldown-hours <h>', 'at most one retraining this often (default RETRAIN_COOLDOWN_HOURS)', nonNegative)
    .option('--daily-cap <n>', 'at most this many retrainings a day (default RETRAIN_DAILY_CAP)', nonNegative)
    .option(
      '--max-f1-drop <x>',
      'quality alert when macro-F1 falls by more (default MONITOR_MAX_MACRO_F1_DROP)',
      nonNegative,
    )
    .option('--drift-share <x>', 'dataset drift when this share of columns drifted (default 0.5)', nonNegative)
    .option('--stattest <name>', 'one drift test for every column (default: Evidently’s choice per column)')
    .option('--threshold <x>', 'one threshold for every column’s test', nonNegative)
    .addOption(
      new Option('--embedding-method <method>', 'embedding drift method').choices([
        'model',
        'distance',
        'ratio',
        'mmd',
      ]),
    )
    .option('--alert-on <signals>', 'what raises the drift alert: dataset,embedding,prediction (default all three)');
}

monitorOptions(
  run
    .command('monitor')
    .description(
      'compare recent papers with the serving model’s reference data; drift report, alerts, retraining on drift',
    )
    .option('--reference <ref>', 'serving | run:<training run id> | file:<csv>', 'serving')
    .option(
      '--current <window>',
      'window:<days> | window:<from>..<until> (stored papers) | predictions:<days> | predictions:<from>..<until> (what the API served) | file:<csv>',
      'window:7',
    )
    .option('--out <path>', 'file inputs: where to write the HTML report (a .json summary goes beside it)')
    .option('--json', 'JSON summary'),
).action(async (options: MonitorOptions, command: Command) =>
  execute(command, async (reporter) => {
    const config = loadConfig();
    reportMonitor(reporter, await runMonitor(config, options, reporter, (fn) => withClient(config, fn)));
    return 0;
  }),
);

monitorOptions(
  sourceOptions(run.command('pipeline'))
    .description('ingest → train (no champion, or enough new papers) → monitor the new papers → retrain on drift')
    .option('--min-new-papers <n>', 'train when this many papers arrived since the champion’s data', positiveInt)
    .option('--epochs <n>', 'at most n epochs when training', positiveInt)
    .option('--json', 'JSON summary'),
).action(async (options, command: Command) =>
  execute(command, async (reporter) => {
    const config = loadConfig();
    await withClient(config, async (client) =>
      reportPipeline(reporter, await runPipeline(client, config, pipelineInput(config, options), reporter)),
    );
    return 0;
  }),
);

program
  .command('schedule')
  .description('run the pipeline on a Temporal Schedule (a run still going makes the next one skip)')
  .argument('<action>', 'create | list | pause | unpause | trigger | delete')
  .option('--id <id>', 'schedule id', 'arxiv-ct-cm')
  .option('--every <interval>', 'create: how often, e.g. 1d, 6h', '1d')
  .option('--cron <expression>', 'create: a cron expression instead of --every')
  .option('--paused', 'create: start paused')
  .option('--source <source>', 'create: what each run ingests', 'sample')
  .option('--limit <n>', 'create: stop each ingestion after n items', positiveInt)
  .option('--json', 'JSON summary')
  .action(async (action: string, options, command: Command) =>
    execute(command, (reporter) => {
      const config = loadConfig();
      return withClient(config, (client) =>
        scheduleCommand(
          action,
          options,
          () => pipelineInput(config, { source: options.source, limit: options.limit }),
          client,
          config,
          reporter,
        ),
      );
    }),
  );

program
  .command('retrain')
  .description('the CM → CT decisions: drifted? retrained? promoted? why not? and rollbacks')
  .argument('<action>', 'history')
  .option('--limit <n>', 'show at most n', positiveInt, 20)
  .option('--json', 'JSON summary')
  .action(async (action: string, options: { limit: number }, command: Command) =>
    execute(command, (reporter) => {
      if (action !== 'history') throw new Error(`unknown retrain action "${action}": use history`);
      return retrainHistoryCommand(options, loadConfig(), reporter);
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
  .argument('<action>', 'serving | rollback')
  .option('--to <version>', 'rollback: the version to move the alias to (default: the previous champion)')
  .option('--reason <text>', 'rollback: why, for the history')
  .option('--json', 'JSON summary')
  .action(async (action: string, options: { to?: string; reason?: string }, command: Command) =>
    execute(command, (reporter) => {
      if (action === 'serving') return servingModelCommand(loadConfig(), reporter);
      if (action === 'rollback') return rollbackCommand(options, loadConfig(), reporter);
      throw new Error(`unknown model action "${action}": use serving or rollback`);
    }),
  );

program
  .command('start')
  .description('stack up, a worker, the pipeline on the bundled sample, then the inference API (what `npm start` runs)')
  .option('--json', 'JSON summary')
  .option('--api-port <port>', 'port of the inference API served afterwards', positiveInt, 8080)
  .option('--no-api', 'stop after monitoring instead of serving the model')
  .action(async (options: { api: boolean; apiPort: number }, command: Command) =>
    execute(command, (reporter) =>
      startCommand(loadConfig(), reporter, { api: options.api, apiPort: options.apiPort }),
    ),
  );

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`error: ${terminalSafe(redactUrls((error as Error).message))}\n`);
  process.exitCode = 1;
});
