import type { Metric, Param, RunTag } from './types';

export interface LogBatchLimits {
  metrics: number;
  params: number;
  tags: number;
  total: number;
}

/** MLflow's LogBatch limits: per request at most 1000 metrics, 100 params, 100 tags, 1000 in all. */
export const LOG_BATCH_LIMITS: Readonly<LogBatchLimits> = { metrics: 1000, params: 100, tags: 100, total: 1000 };

/** Longest param value MLflow stores (since 2.x), and longest key. */
export const PARAM_VALUE_LIMIT = 6000;
export const KEY_LIMIT = 250;

export interface LogBatch {
  metrics: Metric[];
  params: Param[];
  tags: RunTag[];
}

/**
 * Splits any number of entries into requests that each respect the limits, keeping each kind's
 * order (MLflow applies entries of one kind in request order).
 */
export function splitLogBatch(
  entries: Partial<LogBatch>,
  limits: Readonly<LogBatchLimits> = LOG_BATCH_LIMITS,
): LogBatch[] {
  for (const [kind, limit] of Object.entries(limits)) {
    // A zero limit would never drain its kind and loop forever.
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`log batch limit "${kind}" must be a positive integer, got ${limit}`);
  }
  const metrics = entries.metrics ?? [];
  const params = entries.params ?? [];
  const tags = entries.tags ?? [];
  for (const param of params) {
    if (param.value.length > PARAM_VALUE_LIMIT) {
      throw new Error(
        `param "${param.key}" has a value of ${param.value.length} characters; MLflow keeps at most ${PARAM_VALUE_LIMIT}: log it as an artifact`,
      );
    }
  }
  for (const [kind, list] of [
    ['metric', metrics],
    ['param', params],
    ['tag', tags],
  ] as const) {
    for (const { key } of list) {
      if (key.length > KEY_LIMIT) {
        throw new Error(
          `${kind} key "${key.slice(0, 40)}…" is ${key.length} characters; MLflow accepts keys of at most ${KEY_LIMIT}: shorten it`,
        );
      }
    }
  }
  const batches: LogBatch[] = [];
  const taken = { metrics: 0, params: 0, tags: 0 };
  while (taken.metrics < metrics.length || taken.params < params.length || taken.tags < tags.length) {
    let room = limits.total;
    const take = <T>(kind: keyof typeof taken, from: readonly T[]): T[] => {
      const count = Math.min(from.length - taken[kind], limits[kind], room);
      room -= count;
      taken[kind] += count;
      return from.slice(taken[kind] - count, taken[kind]);
    };
    // Params and tags first: they are few and a run's metrics are usually what overflows.
    const batchParams = take('params', params);
    const batchTags = take('tags', tags);
    batches.push({ metrics: take('metrics', metrics), params: batchParams, tags: batchTags });
  }
  return batches;
}
