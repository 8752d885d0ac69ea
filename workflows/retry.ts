import type { ActivityOptions } from '@temporalio/workflow';

/** Exponential backoff from 1 s to 30 s; errors the activities mark non-retryable fail at once. */
export function retryPolicy(maximumAttempts: number): ActivityOptions['retry'] {
  return { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts };
}
