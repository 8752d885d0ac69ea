import { createBufferActivities } from './buffer';
import type { ActivityDeps } from './deps';
import { createEmbedActivities } from './embed';
import { createExtractActivities } from './extract';

/** Activities for the I/O task queue: network, object store, buffer bookkeeping. */
export function createIoActivities(deps: ActivityDeps) {
  return { ...createExtractActivities(deps), ...createBufferActivities(deps) };
}

/** Activities for the CPU task queue: fitting and embedding (later: training). */
export function createCpuActivities(deps: ActivityDeps) {
  return { ...createEmbedActivities(deps) };
}

export type IoActivities = ReturnType<typeof createIoActivities>;
export type CpuActivities = ReturnType<typeof createCpuActivities>;

export { openActivityDeps } from './deps';
export type { ActivityDeps } from './deps';
export type { ExtractInput, ExtractProgress, ExtractResult } from './extract';
export type { EmbedInput, EmbedProgress, EmbedResult, EmbedderSettings } from './embed';
export type { RunOutcome } from './buffer';
