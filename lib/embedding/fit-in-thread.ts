import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { projectRoot } from '../config/paths';
import type { LsaConfig, LsaEmbedder } from './lsa-embedder';
import { deserializeEmbedder } from './serialize';

function workerScript(): string {
  const sibling = join(__dirname, 'fit-thread-worker.js');
  if (existsSync(sibling)) return sibling;
  const built = resolve(projectRoot(), 'dist/lib/embedding/fit-thread-worker.js');
  if (existsSync(built)) return built;
  throw new Error('dist/lib/embedding/fit-thread-worker.js is missing: run `npm run build`');
}

/**
 * Fits in a worker thread so the caller's event loop stays free (an activity keeps heartbeating
 * while minutes of linear algebra run).
 */
export function fitInThread(
  texts: string[],
  config: LsaConfig,
  options: { onStep?: (step: string) => void; signal?: AbortSignal } = {},
): Promise<LsaEmbedder> {
  const onStep = options.onStep ?? (() => undefined);
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(workerScript(), { workerData: { texts, config } });
    let settled = false;
    options.signal?.addEventListener('abort', () => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      reject(
        options.signal!.reason instanceof Error ? options.signal!.reason : new Error('the embedder fit was cancelled'),
      );
    });
    worker.on('message', (message: { kind: 'step'; step: string } | { kind: 'done'; buffer: ArrayBuffer }) => {
      if (message.kind === 'step') {
        onStep(message.step);
        return;
      }
      settled = true;
      try {
        resolvePromise(deserializeEmbedder(Buffer.from(message.buffer)));
      } catch (error) {
        reject(error as Error);
      }
    });
    worker.on('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`the embedder fit thread exited with code ${code}`));
    });
  });
}
