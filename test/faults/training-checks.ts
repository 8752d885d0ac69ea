import { runTag, tagEquals, type MlflowClient } from '../../lib/tracking';
import { RUN_TAGS } from '../../lib/tracking/run-names';
import type { TrainSummary } from '../../workflows';

/** What must hold after a training that survived a fault: one run per candidate, whole curves, a champion. */
export function trainingChecks(mlflow: MlflowClient, experiment: string, modelName: string) {
  /** The training's MLflow runs (by the workflow-id tag) and the epochs its curves hold. */
  async function trainingRuns(workflowId: string) {
    const found = await mlflow.getExperimentByName(experiment);
    if (!found) return [];
    return mlflow.searchRuns([found.experiment_id], tagEquals(RUN_TAGS.workflowId, workflowId));
  }

  async function invariants(summary: TrainSummary, workflowId: string): Promise<string[]> {
    const broken: string[] = [];
    // One parent run and one nested run for the one candidate, whatever was retried.
    const runs = await trainingRuns(workflowId);
    const nested = runs.filter((run) => runTag(run, RUN_TAGS.parentRunId) === summary.runId);
    if (runs.length !== 2 || nested.length !== 1)
      broken.push(`${runs.length} MLflow runs (${nested.length} nested) for one training of one candidate`);
    const candidateRunId = summary.candidates?.[0]?.runId ?? summary.runId;
    for (const key of ['loss', 'val_loss', 'accuracy', 'val_accuracy']) {
      const steps = (await mlflow.metricHistory(candidateRunId, key))
        .map((metric) => Number(metric.step))
        .sort((a, b) => a - b);
      const expected = Array.from({ length: summary.epochs }, (_, index) => index + 1);
      if (JSON.stringify(steps) !== JSON.stringify(expected))
        broken.push(`${key} logged at epochs [${steps.join(',')}], trained ${summary.epochs}`);
    }
    const champion = await mlflow.getVersionByAlias(modelName, 'champion');
    if (!champion || !(await mlflow.getModelVersion(modelName, champion.version)))
      broken.push('the champion alias names no registered version');
    return broken;
  }

  return { trainingRuns, invariants };
}
