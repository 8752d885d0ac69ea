import type { BufferDepth } from '../lib/buffer/paper-stream';
import type { ActivityDeps } from './deps';

export interface RunOutcome {
  /** Papers of the run stored as features (acknowledged from the buffer). */
  stored: number;
  /** Messages of the run that could not be decoded and went to the dead letters. */
  deadLettered: number;
}

export function createBufferActivities(deps: ActivityDeps) {
  async function bufferDepth(): Promise<BufferDepth> {
    return deps.stream.depth();
  }

  async function runOutcome(ingestWorkflowId: string): Promise<RunOutcome> {
    return deps.stream.outcomes(ingestWorkflowId);
  }

  return { bufferDepth, runOutcome };
}
