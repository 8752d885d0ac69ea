import type { AppConfig } from '../../lib/config/config';
import { mlflowClientFor } from '../../lib/tracking/mlflow-client';
import { resolveServingRun } from '../../lib/tracking/resolve';
import { connectMongo } from '../../lib/features/mongo';
import { RetrainLedger } from '../../lib/monitoring/retrain-ledger';
import { RUN_ARTIFACTS, RUN_METRICS, RUN_PARAMS, RUN_TAGS } from '../../lib/tracking/run-names';
import { runMetric, runParam, runTag } from '../../lib/tracking/types';
import type { Reporter } from '../output';

/** Which training run monitoring and inference use right now, and why. */
export async function servingModelCommand(config: AppConfig, reporter: Reporter): Promise<number> {
  const client = mlflowClientFor(config);
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
    embedderVersion: runParam(run, RUN_PARAMS.embedderVersion) ?? null,
    accuracy: runMetric(run, RUN_METRICS.testAccuracy) ?? null,
    macroF1: runMetric(run, RUN_METRICS.testMacroF1) ?? null,
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

/**
 * `mlops model rollback [--to VERSION]`: moves the alias back — to the given version, or to the
 * version that held it before (the newest earlier version whose run was promoted) — and records
 * the move in the decision ledger.
 */
export async function rollbackCommand(
  options: { to?: string; reason?: string },
  config: AppConfig,
  reporter: Reporter,
): Promise<number> {
  const client = mlflowClientFor(config);
  const { modelName, alias } = config.tracking;
  const current = await client.getVersionByAlias(modelName, alias);
  let target = options.to;
  if (!target) {
    if (!current) throw new Error(`no version of ${modelName} carries the alias "${alias}": give --to VERSION`);
    const candidates: string[] = [];
    for (let version = Number(current.version) - 1; version >= 1; version -= 1) candidates.push(String(version));
    for (const version of candidates) {
      const modelVersion = await client.getModelVersion(modelName, version).catch(() => undefined);
      if (!modelVersion?.run_id) continue;
      const run = await client.getRun(modelVersion.run_id);
      if (runTag(run, RUN_TAGS.decision) === 'promoted') {
        target = version;
        break;
      }
    }
    if (!target)
      throw new Error(`no version before v${current.version} of ${modelName} was ever the champion: give --to VERSION`);
  }
  const version = await client.getModelVersion(modelName, target).catch(() => undefined);
  if (!version) throw new Error(`${modelName} has no version ${target}`);
  await client.setAlias(modelName, alias, target);
  const at = new Date();
  const reason = options.reason ?? 'manual rollback';
  const mongo = await connectMongo(config.mongo.endpoint.url, config.mongo.database);
  try {
    await new RetrainLedger(mongo.db).recordRollback({
      _id: `rollback-${at.toISOString()}`,
      at,
      modelName,
      alias,
      fromVersion: current?.version ?? null,
      toVersion: target,
      reason,
    });
  } finally {
    await mongo.close();
  }
  const data = {
    modelName,
    alias,
    fromVersion: current?.version ?? null,
    toVersion: target,
    runId: version.run_id ?? null,
    reason,
    modelUi: client.modelUrl(modelName, target),
  };
  reporter.summary(
    'Alias moved back',
    [
      ['model', `${modelName}@${alias}`],
      ['from', data.fromVersion ? `v${data.fromVersion}` : 'none'],
      ['to', `v${target} (run ${data.runId ?? '-'})`],
      ['recorded', 'in `mlops retrain history`'],
      ['MLflow UI', data.modelUi],
    ],
    data,
  );
  return 0;
}
