import type { Metric, Param, RunTag } from './types';

/** MLflow's LogBatch limits: per request at most 1000 metrics, 100 params, 100 tags, 1000 in all. */
export const LOG_BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000 } as const;

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
export function splitLogBatch(entries: Partial<LogBatch>, limits = LOG_BATCH_LIMITS): LogBatch[] {
  const metrics = [...(entries.metrics ?? [])];
  const params = [...(entries.params ?? [])];
  const tags = [...(entries.tags ?? [])];
  for (const param of params) {
    if (param.value.length > PARAM_VALUE_LIMIT) {
      throw new Error(`param "${param.key}" is ${param.value.length} characters; MLflow keeps at most ${PARAM_VALUE_LIMIT}: log it as an artifact`);
    }
  }
  for (const { key } of [...metrics, ...params, ...tags]) {
    if (key.length > KEY_LIMIT) throw new Error(`MLflow key "${key.slice(0, 40)}…" is longer than ${KEY_LIMIT} characters`);
  }
  const batches: LogBatch[] = [];
  while (metrics.length + params.length + tags.length > 0) {
    const batch: LogBatch = { metrics: [], params: [], tags: [] };
    let room = limits.total;
    const take = <T>(from: T[], into: T[], limit: number) => {
      const count = Math.min(from.length, limit, room);
      into.push(...from.splice(0, count));
      room -= count;
    };
    take(params, batch.params, limits.params);
    take(tags, batch.tags, limits.tags);
    take(metrics, batch.metrics, limits.metrics);
    batches.push(batch);
  }
  return batches;
}
