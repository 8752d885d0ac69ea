import { Option, type Command } from 'commander';
import { nonNegative, positiveInt } from './option-parsers';

/** What to ingest, shared by `run ingest` and `run pipeline`. */
export function sourceOptions(command: Command): Command {
  return command
    .option('--source <source>', 'sample | file:PATH | arxiv:QUERY | oai:SET[@oai_dc]', 'sample')
    .option('--limit <n>', 'stop after n items', positiveInt)
    .option('--from <date>', 'arxiv/oai sources: first day (YYYY-MM-DD)')
    .option('--until <date>', 'arxiv/oai sources: last day (YYYY-MM-DD)');
}

/** Options of the monitoring step, shared by `run monitor` and `run pipeline`. */
export function monitorOptions(command: Command): Command {
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
