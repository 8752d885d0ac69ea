import { Option, type Command } from 'commander';
import { loadConfig } from '../../lib/config/config';
import { apiCommand, type ApiOptions } from '../commands/api';
import { stackCommand } from '../commands/stack';
import { startCommand } from '../commands/start';
import { workerCommand } from '../commands/worker';
import { execute } from './execute';
import { positiveInt } from './option-parsers';

/** `mlops stack`, `mlops worker` and `mlops api`: the engines, the workers and the inference API. */
export function addServiceCommands(program: Command): void {
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
}

/** `mlops start`: everything at once, as `npm start` runs it. */
export function addStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'stack up, a worker, the pipeline on the bundled sample, then the inference API (what `npm start` runs)',
    )
    .option('--json', 'JSON summary')
    .option('--api-port <port>', 'port of the inference API served afterwards', positiveInt, 8080)
    .option('--no-api', 'stop after monitoring instead of serving the model')
    .action(async (options: { api: boolean; apiPort: number }, command: Command) =>
      execute(command, (reporter) =>
        startCommand(loadConfig(), reporter, { api: options.api, apiPort: options.apiPort }),
      ),
    );
}
