import type { Command } from 'commander';
import { redactUrls } from '../../lib/config/redact';
import { createReporter, terminalSafe, type Reporter } from '../output';
import { rootCause } from '../temporal';

/** The reporter the command's --json (its own or the program's) asks for. */
export function reporterOf(command: Command): Reporter {
  return createReporter(Boolean(command.optsWithGlobals().json));
}

/** Runs a command's action: its result is the exit code; an error is printed (and, with --json, given as JSON) and exits 1. */
export async function execute(command: Command, action: (reporter: Reporter) => Promise<number>): Promise<void> {
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
