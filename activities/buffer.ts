import type { BufferDepth, RunOutcomes } from '../lib/buffer/paper-stream';
import type { ActivityDeps } from './deps';

/** A run's papers stored as features (acknowledged from the buffer), by what the write did, and its dead letters. */
export type RunOutcome = RunOutcomes;

export function createBufferActivities(deps: ActivityDeps) {
  async function bufferDepth(): Promise<BufferDepth> {
    return deps.stream.depth();
  }

  async function runOutcome(ingestWorkflowId: string): Promise<RunOutcome> {
    return deps.stream.outcomes(ingestWorkflowId);
  }

  return { bufferDepth, runOutcome };
}
