import type { Command } from 'commander';
import { loadConfig } from '../../lib/config/config';
import { deadLettersCommand } from '../commands/deadletters';
import { rollbackCommand, servingModelCommand } from '../commands/model';
import { pipelineInput } from '../commands/pipeline';
import { retrainHistoryCommand } from '../commands/retrain';
import { scheduleCommand } from '../commands/schedule';
import { withClient } from '../temporal';
import { execute } from './execute';
import { positiveInt } from './option-parsers';

/** `mlops schedule`, `retrain`, `deadletters` and `model`: operating the pipeline and its models. */
export function addOperationCommands(program: Command): void {
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
}
