import { parentPort, workerData } from 'node:worker_threads';
import { fitBinarySvm } from './svm-solver';
import type { ClassProblems, SolveRequest } from './svm-threads';

/** Runs in a worker thread: solves the classes it is asked for on the shared matrix. */
const { x, labels, costs, options } = workerData as ClassProblems;
parentPort!.on('message', ({ k, alpha }: SolveRequest) => {
  const solution = fitBinarySvm(
    x,
    (row) => labels[row] === k,
    (row) => costs[row]!,
    { ...options, seed: options.seed + k, initialAlpha: alpha },
  );
  parentPort!.postMessage({ k, solution }, [
    solution.weights.buffer as ArrayBuffer,
    solution.alpha.buffer as ArrayBuffer,
  ]);
});
