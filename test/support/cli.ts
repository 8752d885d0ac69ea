import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../lib/config/paths';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The last stdout line parsed as JSON (the --json summary). */
  json: Record<string, unknown>;
}

/** `mlops …` as a user runs it (from the build in dist/), with the given environment. */
export function mlops(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(projectRoot(), 'bin/mlops.js'), ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(last) as Record<string, unknown>;
      } catch {
        // not JSON: the assertions say so
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}
