import { Command } from 'commander';
import { redactUrls } from '../lib/config/redact';
import { terminalSafe } from './output';
import { addOperationCommands } from './program/operation-commands';
import { addRunCommands } from './program/run-commands';
import { addServiceCommands, addStartCommand } from './program/service-commands';

const program = new Command('mlops')
  .description('arXiv classifier MLOps: durable ingestion, training and monitoring on Temporal')
  .option('--json', 'print one JSON object as the last line of stdout')
  .showHelpAfterError();

// Registered in this order, which is the order `mlops --help` lists them in.
addServiceCommands(program);
addRunCommands(program);
addOperationCommands(program);
addStartCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`error: ${terminalSafe(redactUrls((error as Error).message))}\n`);
  process.exitCode = 1;
});
