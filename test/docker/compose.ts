import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { projectRoot } from '../../lib/config/paths';
import { composeBinary } from '../support/compose-binary';

export { composeBinary };

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, collecting its output (never throws on a non-zero exit). */
export function runCommand(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? projectRoot(), env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Host ports of the test stack: away from the defaults, so a developer's own stack is not disturbed. */
export const TEST_PORTS = {
  API_PORT: 18080,
  TEMPORAL_PORT: 17233,
  TEMPORAL_UI_PORT: 18233,
  MLFLOW_PORT: 15000,
  S3_PORT: 19000,
  S3_CONSOLE_PORT: 19001,
  AIRFLOW_PORT: 18081,
} as const;

/** A Fernet key is 32 bytes in URL-safe base64 with its padding; other secrets are plain hex. */
function freshSecret(name: string): string {
  return name === 'AIRFLOW_FERNET_KEY' ? randomBytes(32).toString('base64url') + '=' : randomBytes(18).toString('hex');
}

/**
 * An env file for the test stack: .env.example with every `change-me` secret replaced by a fresh
 * random one (so nothing in the stack relies on a committed password) and the test ports.
 */
export function writeTestEnvFile(): { path: string; values: Record<string, string> } {
  const example = readFileSync(join(projectRoot(), '.env.example'), 'utf8');
  const values: Record<string, string> = {};
  const lines = example.split('\n').map((line) => {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!match) return line;
    const [, name, value] = match as unknown as [string, string, string];
    const chosen = value.startsWith('change-me') ? freshSecret(name) : value;
    values[name] = chosen;
    return `${name}=${chosen}`;
  });
  for (const [name, port] of Object.entries(TEST_PORTS)) {
    values[name] = String(port);
    lines.push(`${name}=${port}`);
  }
  const dir = join(projectRoot(), '.data/docker');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'test.env');
  writeFileSync(path, lines.join('\n') + '\n', { mode: 0o600 });
  return { path, values };
}

/** One compose project over both files (the offline variant), with the test env file. */
export function composeProject(project: string, envFile: string) {
  const { command, prefix } = composeBinary();
  const base = [
    ...prefix,
    '-p',
    project,
    '--env-file',
    envFile,
    '-f',
    'docker-compose.yml',
    '-f',
    'docker-compose.offline.yml',
    '--profile',
    'full',
  ];
  const run = (args: string[]) => runCommand(command, [...base, ...args]);
  /** The same command line for a process the caller watches while it runs. */
  run.commandLine = (args: string[]) => ({ command, args: [...base, ...args] });
  return run;
}

export interface ServiceState {
  ID: string;
  Service: string;
  State: string;
  Health: string;
  ExitCode: number;
}

/** `docker compose ps --all --format json`: one JSON object per line in Compose v2.21+. */
export function parsePs(stdout: string): ServiceState[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as ServiceState);
}
