/* The `mlops` CLI (bin/mlops.js) as bench:scale runs it: one-shot commands and long-running processes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../lib/config/paths';

const CLI = join(projectRoot(), 'bin', 'mlops.js');

/** Runs `mlops <args> --json` and returns the JSON summary on its last line. */
export function runCli<T>(args: string[], env: NodeJS.ProcessEnv): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args, '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`mlops ${args.join(' ')} failed (exit ${code}):\n${err.slice(-2_000)}\n${out.slice(-2_000)}`));
      }
    });
  });
}

/** Starts a long-running `mlops` process and resolves once a line of its output matches `ready`. */
export function startCli(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (ready.test(seen)) resolve(child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) =>
      reject(new Error(`mlops ${args.join(' ')} exited (${code}) before it was ready:\n${seen.slice(-2_000)}`)),
    );
  });
}

/** Stops a process: SIGTERM, then SIGKILL after 30 s; nothing when it is gone already. */
export async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}
