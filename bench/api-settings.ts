/* bench:api's load and duration (BENCH_API_SECONDS, BENCH_API_WORKERS), and its progress lines. */
import { availableParallelism } from 'node:os';

export const CONNECTIONS = 50;
export const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 10);
export const WARM_UP_SECONDS = 3;
export const WORKERS = Number(process.env.BENCH_API_WORKERS ?? availableParallelism());

export function note(message: string): void {
  process.stderr.write(`[bench:api] ${message}\n`);
}
