import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { projectRoot } from '../config/paths';
import type { CsrMatrix } from '../embedding/linalg';
import type { ClassFit } from './svm-solver';

/** One-vs-rest problems over one matrix: class k's positives are the rows labelled k. */
export interface ClassProblems {
  /** Backed by SharedArrayBuffers, so every thread reads the one copy. */
  x: CsrMatrix;
  labels: Int32Array;
  /** Each row's C. */
  costs: Float64Array;
  /** `slack`, when given, is shared too. */
  options: { maxEpochs: number; tolerance: number; seed: number; slack?: Float64Array };
}

export interface ClassSolution {
  weights: Float64Array;
  bias: number;
  alpha: Float64Array;
  fit: ClassFit;
}

/** The request a solver thread answers: solve class k (warm-started from `alpha` when given). */
export interface SolveRequest {
  k: number;
  alpha?: Float64Array;
}

function workerScript(): string {
  const sibling = join(__dirname, 'svm-thread-worker.js');
  if (existsSync(sibling)) return sibling;
  const built = resolve(projectRoot(), 'dist/lib/model/svm-thread-worker.js');
  if (existsSync(built)) return built;
  throw new Error('dist/lib/model/svm-thread-worker.js is missing: run `npm run build`');
}

/** A copy of the array in shared memory (or the array itself when it is shared already). */
export function shared<T extends Int32Array | Float64Array>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const copy = new (array.constructor as new (buffer: SharedArrayBuffer) => T)(new SharedArrayBuffer(array.byteLength));
  copy.set(array);
  return copy;
}

/**
 * Solves every class on `threads` worker threads sharing the matrix, a class at a time per thread,
 * and hands each solution to `onSolved` as it arrives. The classes are independent (class k's
 * solver is seeded with seed + k), so the solutions do not depend on the threads' number or order.
 */
export async function solveClassesInThreads(
  problems: ClassProblems,
  classes: number,
  threads: number,
  warm: readonly Float64Array[] | undefined,
  onSolved: (k: number, solution: ClassSolution) => void | Promise<void>,
): Promise<void> {
  const workers = Array.from(
    { length: Math.max(1, Math.min(threads, classes)) },
    () => new Worker(workerScript(), { workerData: problems }),
  );
  let next = 0;
  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolvePromise, reject) => {
            const ask = () => {
              if (next >= classes) {
                resolvePromise();
                return;
              }
              const request: SolveRequest = { k: next, ...(warm?.[next] ? { alpha: warm[next] } : {}) };
              next += 1;
              worker.postMessage(request);
            };
            worker.on('message', (message: { k: number; solution: ClassSolution }) => {
              Promise.resolve(onSolved(message.k, message.solution)).then(ask, reject);
            });
            worker.on('error', reject);
            worker.on('exit', (code) => reject(new Error(`an SVM solver thread exited with code ${code}`)));
            ask();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
