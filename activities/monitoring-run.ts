import { resolveServingRun } from '../lib/tracking/resolve';
import { MODEL_TRAINING_EXPERIMENT_TAGS, RUN_METRICS, RUN_PARAMS, RUN_TAGS } from '../lib/tracking/run-names';
import { runMetric, runParam, type Run } from '../lib/tracking/types';
import type { QualityBaseline } from '../lib/monitoring/quality';
import type { MonitorDriftResult, MonitoringRunHandle, MonitorReference } from '../lib/monitoring/monitoring-run';
import type { ActivityDeps } from './deps';
import { failFastOn } from './errors';

function baselineOf(run: Run): QualityBaseline {
  const recall: Record<string, number> = {};
  for (const metric of run.data.metrics ?? [])
    if (metric.key.startsWith(RUN_METRICS.testRecallOf))
      recall[metric.key.slice(RUN_METRICS.testRecallOf.length)] = metric.value;
  return {
    accuracy: runMetric(run, RUN_METRICS.testAccuracy) ?? Number.NaN,
    macroF1: runMetric(run, RUN_METRICS.testMacroF1) ?? Number.NaN,
    recall,
  };
}

/**
 * The monitoring workflow's I/O around its analysis: which training run it compares with, its own
 * MLflow run, and what it logs there and keeps in MongoDB once the analysis is done.
 */
export function createMonitoringRunActivities(deps: ActivityDeps) {
  const { mlflow } = deps;
  const { modelName } = deps.config.tracking;

  /** The serving run (LATEST_TRAINING_RUN_ID, else the alias), or the run asked for. */
  async function resolveMonitorReference(input: { runId?: string }): Promise<MonitorReference> {
    return failFastOn(async () => {
      const serving = input.runId
        ? {
            run: await mlflow.getRun(input.runId),
            source: 'pinned' as const,
            modelVersion: (await mlflow.modelVersionsOfRun(modelName, input.runId).catch(() => []))[0]?.version,
          }
        : await resolveServingRun(mlflow, deps.config.tracking);
      const { run } = serving;
      const embedderVersion = runParam(run, RUN_PARAMS.embedderVersion);
      if (!embedderVersion)
        throw Object.assign(
          new Error(
            `run ${run.info.run_id} is not a training run of this project (no ${RUN_PARAMS.embedderVersion} param)`,
          ),
          { permanent: true },
        );
      return {
        runId: run.info.run_id,
        source: serving.source,
        modelName,
        modelVersion: serving.modelVersion ?? null,
        embedderVersion,
        baseline: baselineOf(run),
        runUrl: mlflow.runUrl(run),
      };
    });
  }

  /** The MLflow run of this monitoring workflow (one per workflow, found again when retried). */
  async function startMonitoringRun(input: {
    workflowId: string;
    reference: MonitorReference;
    window: string;
  }): Promise<MonitoringRunHandle> {
    return failFastOn(async () => {
      const experiment = await mlflow.ensureExperiment(
        deps.config.monitoring.experiment,
        MODEL_TRAINING_EXPERIMENT_TAGS,
      );
      const run = await mlflow.findOrCreateRun(experiment.experiment_id, input.workflowId, {
        runName: `monitor-${input.workflowId}`,
        tags: {
          [RUN_TAGS.workflowId]: input.workflowId,
          [RUN_TAGS.servingRunId]: input.reference.runId,
          [RUN_TAGS.servingModelVersion]: input.reference.modelVersion ?? 'none',
          [RUN_TAGS.sourceName]: 'arxiv-mlops monitorWorkflow',
          [RUN_TAGS.sourceType]: 'JOB',
          [RUN_TAGS.note]: `Drift of ${input.window} against training run ${input.reference.runId}.`,
        },
      });
      return { runId: run.info.run_id, runUrl: mlflow.runUrl(run), experimentId: run.info.experiment_id };
    });
  }

  /** Logs the verdicts and the report to the monitoring run, and keeps the summary in MongoDB. */
  async function finishMonitoringRun(input: {
    workflowId: string;
    reference: MonitorReference;
    monitoringRun: MonitoringRunHandle;
    result: MonitorDriftResult;
    at: string;
  }): Promise<void> {
    return failFastOn(async () => {
      const { result, monitoringRun, reference } = input;
      const run = await mlflow.getRun(monitoringRun.runId);
      const { summary } = result;
      if ((run.data.params ?? []).length === 0) {
        await mlflow.logParams(monitoringRun.runId, {
          window: result.window.slice(0, 500),
          reference_run_id: reference.runId,
          reference_model_version: reference.modelVersion ?? 'none',
          embedder_version: reference.embedderVersion,
          drift_share_threshold: summary?.driftShareThreshold ?? 'n/a',
        });
      }
      const metrics: Record<string, number> = { current_rows: result.currentRows, reembedded_rows: result.reembedded };
      if (summary) {
        Object.assign(metrics, {
          drift: summary.drift ? 1 : 0,
          dataset_drift: summary.datasetDrift ? 1 : 0,
          drift_share: summary.driftShare,
          drifted_columns: summary.driftedColumns.length,
          columns: summary.numberOfColumns,
          quality_alert: summary.qualityAlert ? 1 : 0,
        });
        if (summary.embeddingDrift) metrics.embedding_drift_score = summary.embeddingDrift.score;
        if (summary.predictionDrift) metrics.prediction_drift_score = summary.predictionDrift.score;
        if (summary.quality) {
          metrics.current_accuracy = summary.quality.accuracy;
          metrics.current_macro_f1 = summary.quality.macroF1;
          if (summary.quality.macroF1Drop !== null) metrics.macro_f1_drop = summary.quality.macroF1Drop;
        }
      }
      await mlflow.logMetrics(monitoringRun.runId, metrics);
      if (result.reportKey && result.summaryKey) {
        await mlflow.uploadArtifact(run, 'drift_report.html', await deps.store.get(result.reportKey), 'text/html');
        await mlflow.uploadArtifact(
          run,
          'drift_report.json',
          await deps.store.get(result.summaryKey),
          'application/json',
        );
      }
      await mlflow.setTags(monitoringRun.runId, {
        [RUN_TAGS.drift]: String(summary?.drift ?? false),
        [RUN_TAGS.qualityAlert]: String(summary?.qualityAlert ?? false),
        [RUN_TAGS.insufficientData]: String(result.insufficientData),
      });
      await mlflow.updateRun(monitoringRun.runId, 'FINISHED');
      await deps.reports.save({
        _id: input.workflowId,
        at: new Date(input.at),
        servingRunId: reference.runId,
        modelName: reference.modelName,
        modelVersion: reference.modelVersion,
        window: result.window,
        drift: summary?.drift ?? false,
        qualityAlert: summary?.qualityAlert ?? false,
        reasons:
          summary?.reasons ?? (result.insufficientData ? [`only ${result.currentRows} papers in the window`] : []),
        datasetDrift: summary?.datasetDrift ?? false,
        driftShare: summary?.driftShare ?? 0,
        numberOfColumns: summary?.numberOfColumns ?? 0,
        driftedColumns: summary?.driftedColumns ?? [],
        embeddingDrift: summary?.embeddingDrift ?? null,
        predictionDrift: summary?.predictionDrift ?? null,
        quality: summary?.quality ?? null,
        rows: summary?.rows ?? { reference: 0, current: result.currentRows },
        reportUrl: result.reportUrl ?? '',
        summaryUrl: result.summaryKey ? deps.store.locate(result.summaryKey) : '',
        mlflowRunId: monitoringRun.runId,
      });
    });
  }

  return { resolveMonitorReference, startMonitoringRun, finishMonitoringRun };
}
