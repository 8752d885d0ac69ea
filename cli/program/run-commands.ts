import type { Command } from 'commander';
import { loadConfig } from '../../lib/config/config';
import { ingestInput, reportIngest, runIngest } from '../commands/ingest';
import { reportMonitor, runMonitor, type MonitorOptions } from '../commands/monitor';
import { pipelineInput, reportPipeline, runPipeline } from '../commands/pipeline';
import { reportTrain, runTrain, trainInput } from '../commands/train';
import { withClient } from '../temporal';
import { execute } from './execute';
import { positiveInt } from './option-parsers';
import { monitorOptions, sourceOptions } from './run-options';

/** `mlops run ingest|train|monitor|pipeline`: start a pipeline workflow, wait for it and print its summary. */
export function addRunCommands(program: Command): void {
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
}
