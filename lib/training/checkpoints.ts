import type { EpochMetrics } from '../model/mlp';
import { decodeCheckpoint, encodeCheckpoint, type TrainingCheckpoint } from '../model/train-loop';
import { ObjectNotFoundError, type ObjectStore } from '../storage/object-store';
import type { MlflowClient } from '../tracking/mlflow-client';

/** Where an MLP training run keeps its latest epoch checkpoint, so a retried activity resumes it. */
export function checkpointKey(runId: string): string {
  return `checkpoints/train/${runId}/latest.ckpt`;
}

/** The run's latest checkpoint, if it has one. */
export async function loadCheckpoint(store: ObjectStore, runId: string): Promise<TrainingCheckpoint | undefined> {
  try {
    return decodeCheckpoint(await store.get(checkpointKey(runId)));
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return undefined;
    throw error;
  }
}

export async function saveCheckpoint(store: ObjectStore, runId: string, checkpoint: TrainingCheckpoint): Promise<void> {
  await store.put(checkpointKey(runId), encodeCheckpoint(checkpoint));
}

/** Once the run's result is logged: nothing left to resume. */
export async function deleteCheckpoint(store: ObjectStore, runId: string): Promise<void> {
  await store.delete(checkpointKey(runId));
}

/** The curves logged per epoch (MLflow step = epoch). */
export function epochCurves(metrics: EpochMetrics): Record<string, number> {
  return {
    loss: metrics.loss,
    accuracy: metrics.accuracy,
    val_loss: metrics.valLoss,
    val_accuracy: metrics.valAccuracy,
  };
}

/**
 * The checkpoint is saved before its epoch's metrics are logged: when MLflow failed in between,
 * the resumed run logs those epochs now, so its curves have neither gaps nor duplicates.
 */
export async function logMissingEpochs(mlflow: MlflowClient, runId: string, history: EpochMetrics[]): Promise<void> {
  const logged = new Set((await mlflow.metricHistory(runId, 'val_loss')).map((metric) => Number(metric.step)));
  for (const metrics of history) {
    if (!logged.has(metrics.epoch)) await mlflow.logMetrics(runId, epochCurves(metrics), metrics.epoch);
  }
}
