import type { AppConfig } from '../../lib/config/config';
import { MlflowClient } from '../../lib/tracking/mlflow-client';
import { resolveServingRun } from '../../lib/tracking/resolve';
import { EMBEDDER_VERSION_PARAM, RUN_ARTIFACTS } from '../../lib/tracking/training-run';
import { runMetric, runParam } from '../../lib/tracking/types';
import type { Reporter } from '../output';

/** Which training run monitoring and inference use right now, and why. */
export async function servingModelCommand(config: AppConfig, reporter: Reporter): Promise<number> {
  const client = new MlflowClient(config.mlflow.url);
  const serving = await resolveServingRun(client, {
    latestTrainingRunId: config.tracking.latestTrainingRunId,
    modelName: config.tracking.modelName,
    alias: config.tracking.alias,
  });
  const { run } = serving;
  const why =
    serving.source === 'LATEST_TRAINING_RUN_ID'
      ? 'pinned by LATEST_TRAINING_RUN_ID'
      : `alias "${config.tracking.alias}" of ${serving.modelName}${serving.modelVersion ? ` (version ${serving.modelVersion})` : ''}`;
  const data = {
    runId: serving.runId,
    source: serving.source,
    modelName: serving.modelName,
    modelVersion: serving.modelVersion ?? null,
    embedderVersion: runParam(run, EMBEDDER_VERSION_PARAM) ?? null,
    accuracy: runMetric(run, 'test_accuracy') ?? null,
    macroF1: runMetric(run, 'test_macro_f1') ?? null,
    referenceData: `${run.info.artifact_uri}/${RUN_ARTIFACTS.referenceData}`,
    mlflowUi: client.runUrl(run),
  };
  reporter.summary(
    'Serving model',
    [
      ['run', data.runId],
      ['chosen by', why],
      ['embedder', data.embedderVersion ?? '-'],
      ['test accuracy', data.accuracy === null ? '-' : `${(data.accuracy * 100).toFixed(2)}%`],
      ['test macro-F1', data.macroF1 === null ? '-' : `${(data.macroF1 * 100).toFixed(2)}%`],
      ['reference data', data.referenceData],
      ['MLflow UI', data.mlflowUi],
    ],
    data,
  );
  return 0;
}
