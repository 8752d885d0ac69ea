/* The processes bench:api starts (dist/bench/api-target.js and the peer), and how it talks to them. */
import { fork, type ChildProcess } from 'node:child_process';
import { resolveFromRoot } from '../lib/config/paths';

/** Forks dist/bench/api-target.js with these arguments; resolves once it says which port it listens on. */
export function startTarget(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(resolveFromRoot('dist/bench/api-target.js'), args, {
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve({ child, port: message.port }));
    child.once('exit', (code) =>
      reject(new Error(`the ${args.join(' ')} target exited with code ${code} before listening`)),
    );
  });
}

/** Asks a target process something (default: its prediction log's counts) and resolves with its answer. */
export function ask<T>(child: ChildProcess, what = 'log'): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (message: T) => resolve(message));
    child.send({ ask: what });
  });
}

/** Stops a process and its children (it leads a process group of its own). */
export function stopGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
}
