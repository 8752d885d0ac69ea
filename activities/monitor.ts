import { Context } from '@temporalio/activity';
import { workflowUiLink } from '../lib/config/links';
import { parseCsv, type DataDriftOptions, type EmbeddingDriftMethod } from '../lib/drift';
import { analyze, type DriftSignal } from '../lib/monitoring/analysis';
import { monitorMapping } from '../lib/monitoring/columns';
import { currentWindowTable, describeWindow, windowBounds, type WindowSpec } from '../lib/monitoring/current-window';
import type { QualityBaseline } from '../lib/monitoring/quality';
import { renderReport } from '../lib/monitoring/report-html';
import type { RetrainDecisionKind, RetrainOutcome } from '../lib/monitoring/retrain-ledger';
import { scorePredictions } from '../lib/monitoring/score-predictions';
import { scoreWindow } from '../lib/monitoring/score-window';
import { summarize, type MonitoringSummary, type ReportLink } from '../lib/monitoring/summary';
import { currentEmbedder, loadEmbedder } from '../lib/embedding/registry';
import { resolveServingRun } from '../lib/tracking/resolve';
import { loadPredictor } from '../lib/tracking/serving-model';
import { EMBEDDER_VERSION_PARAM, MODEL_TRAINING_EXPERIMENT_TAGS, RUN_ARTIFACTS } from '../lib/tracking/training-run';
import { runMetric, runParam, type Run } from '../lib/tracking/types';
import type { ActivityDeps } from './deps';
import { failFastOn } from './errors';

/** The training run monitoring compares against: its model, reference data and test scores. */
export interface MonitorReference {
  runId: string;
  source: 'LATEST_TRAINING_RUN_ID' | 'alias' | 'pinned';
  modelName: string;
  modelVersion: string | null;
  embedderVersion: string;
  baseline: QualityBaseline;
  runUrl: string;
}

export interface MonitoringRunHandle {
  runId: string;
  runUrl: string;
  experimentId: string;
}

/** How a window is compared: the same knobs for the workflow and its analysis activity. */
export interface DriftSettings {
  /** Above this many papers, a fixed sample (default 20,000). */
  maxRows?: number;
  /** Fewer papers than this: nothing is concluded (default 30). */
  minRows?: number;
  drift?: DataDriftOptions;
  embeddingMethod?: EmbeddingDriftMethod;
  alertOn?: DriftSignal[];
  maxMacroF1Drop?: number;
}

export interface MonitorDriftInput extends DriftSettings {
  workflowId: string;
  reference: MonitorReference;
  monitoringRun: MonitoringRunHandle;
  window: WindowSpec;
  /** ISO time the window ends (the workflow's start, so a retried activity sees the same window). */
  windowEnd: string;
  workflowRunId: string;
}

export interface MonitorDriftResult {
  /** Too few papers in the window to compare: nothing was concluded. */
  insufficientData: boolean;
  window: string;
  currentRows: number;
  foundRows: number;
  reembedded: number;
  summary: MonitoringSummary | null;
  reportKey: string | null;
  summaryKey: string | null;
  reportUrl: string | null;
  reportBytes: number;
  seconds: number;
}

export interface DecideRetrainingInput {
  monitorWorkflowId: string;
  reference: MonitorReference;
  at: string;
  drift: boolean;
  qualityAlert: boolean;
  reasons: string[];
  enabled: boolean;
  cooldownHours?: number;
  dailyCap?: number;
}

export interface RetrainDecision {
  decision: RetrainDecisionKind;
  detail: string;
  retrainWorkflowId: string | null;
}

const DEFAULT_MAX_ROWS = 20_000;
const DEFAULT_MIN_ROWS = 30;
const MONITORING_TAGS = {
  idempotencyKey: 'mlops.idempotency_key',
  workflowId: 'mlops.temporal.workflow_id',
  servingRunId: 'mlops.monitor.serving_run_id',
  servingModelVersion: 'mlops.monitor.serving_model_version',
  drift: 'mlops.monitor.drift',
  qualityAlert: 'mlops.monitor.quality_alert',
} as const;

function baselineOf(run: Run): QualityBaseline {
  const recall: Record<string, number> = {};
  for (const metric of run.data.metrics ?? [])
    if (metric.key.startsWith('test_recall/')) recall[metric.key.slice('test_recall/'.length)] = metric.value;
  return {
    accuracy: runMetric(run, 'test_accuracy') ?? Number.NaN,
    macroF1: runMetric(run, 'test_macro_f1') ?? Number.NaN,
    recall,
  };
}

function reportKeys(windowEnd: string, workflowId: string): { html: string; json: string } {
  const base = `reports/monitoring/dt=${windowEnd.slice(0, 10)}/${workflowId.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  return { html: `${base}.html`, json: `${base}.json` };
}

export function createMonitorActivities(deps: ActivityDeps) {
  const { mlflow } = deps;
  const { modelName, alias } = deps.config.tracking;

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
      const embedderVersion = runParam(run, EMBEDDER_VERSION_PARAM);
      if (!embedderVersion)
        throw Object.assign(
          new Error(
            `run ${run.info.run_id} is not a training run of this project (no ${EMBEDDER_VERSION_PARAM} param)`,
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
      const filter = `tags.\`${MONITORING_TAGS.idempotencyKey}\` = '${input.workflowId.replace(/'/g, "\\'")}'`;
      const [existing] = await mlflow.searchRuns([experiment.experiment_id], filter, [], 1);
      const run =
        existing ??
        (await mlflow.createRun(experiment.experiment_id, {
          runName: `monitor-${input.workflowId}`,
          tags: {
            [MONITORING_TAGS.idempotencyKey]: input.workflowId,
            [MONITORING_TAGS.workflowId]: input.workflowId,
            [MONITORING_TAGS.servingRunId]: input.reference.runId,
            [MONITORING_TAGS.servingModelVersion]: input.reference.modelVersion ?? 'none',
            'mlflow.source.name': 'arxiv-mlops monitorWorkflow',
            'mlflow.source.type': 'JOB',
            'mlflow.note.content': `Drift of ${input.window} against training run ${input.reference.runId}.`,
          },
        }));
      return { runId: run.info.run_id, runUrl: mlflow.runUrl(run), experimentId: run.info.experiment_id };
    });
  }

  /**
   * Compares the current window with the serving run's reference data: Evidently-parity drift per
   * column and for the embedding, predicted classes, model quality; writes the HTML report and
   * its JSON summary to the object store.
   */
  async function monitorDrift(input: MonitorDriftInput): Promise<MonitorDriftResult> {
    return failFastOn(async () => {
      const context = Context.current();
      const started = Date.now();
      const beat = (step: string) => context.heartbeat({ step });
      const timer = setInterval(() => beat('working'), 10_000);
      try {
        const end = new Date(input.windowEnd);
        const label = describeWindow(input.window, end);
        beat('downloading the reference data');
        const run = await mlflow.getRun(input.reference.runId);
        const reference = parseCsv(
          (await mlflow.downloadArtifact(run, RUN_ARTIFACTS.referenceData)).toString('utf8'),
          RUN_ARTIFACTS.referenceData,
        );
        const predictor = await loadPredictor(mlflow, run, (version) => loadEmbedder(deps.store, version));
        const dimensions = predictor.dimensions;
        let scored;
        try {
          const bounds = windowBounds(input.window, end);
          const limits = { maxRows: input.maxRows ?? DEFAULT_MAX_ROWS, onProgress: beat };
          const { by } = input.window;
          scored =
            by === 'predicted'
              ? await scorePredictions(deps.mongo.db, predictor, bounds, limits)
              : await scoreWindow({ features: deps.features, store: deps.store }, predictor, { by, ...bounds }, limits);
        } finally {
          predictor.dispose();
        }
        const result = {
          window: label,
          currentRows: scored.papers.length,
          foundRows: scored.found,
          reembedded: scored.reembedded,
        };
        if (scored.papers.length < (input.minRows ?? DEFAULT_MIN_ROWS)) {
          return {
            ...result,
            insufficientData: true,
            summary: null,
            reportKey: null,
            summaryKey: null,
            reportUrl: null,
            reportBytes: 0,
            seconds: (Date.now() - started) / 1000,
          };
        }
        beat('analyzing');
        const current = currentWindowTable(scored.papers, dimensions);
        const { mapping, embedding } = monitorMapping(reference, current);
        const analysis = analyze(reference, current, {
          mapping,
          embedding,
          drift: input.drift,
          embeddingMethod: input.embeddingMethod,
          alertOn: input.alertOn,
          qualityBaseline: input.reference.baseline,
          maxMacroF1Drop: input.maxMacroF1Drop ?? deps.config.monitoring.maxMacroF1Drop,
        });
        const generatedAt = new Date().toISOString();
        const temporalUrl = workflowUiLink(deps.config, input.workflowId, input.workflowRunId);
        const referenceLabel = `training run ${input.reference.runId}${input.reference.modelVersion ? ` (${input.reference.modelName} v${input.reference.modelVersion})` : ''}: ${reference.rows} held-out papers`;
        const currentLabel = `${label}: ${scored.papers.length} papers${scored.found > scored.papers.length ? ` (a fixed sample of ${scored.found})` : ''}`;
        const links: ReportLink[] = [
          { label: 'MLflow: training run', url: input.reference.runUrl },
          { label: 'MLflow: this monitoring run', url: input.monitoringRun.runUrl },
          ...(temporalUrl ? [{ label: 'Temporal: this workflow', url: temporalUrl }] : []),
        ];
        const html = renderReport(analysis, {
          title: `Drift report: ${input.reference.modelName}${input.reference.modelVersion ? ` v${input.reference.modelVersion}` : ''}`,
          generatedAt,
          reference: referenceLabel,
          current: currentLabel,
          links,
        });
        const summary = summarize(analysis, { reference: referenceLabel, current: currentLabel, generatedAt });
        const keys = reportKeys(input.windowEnd, input.workflowId);
        beat('storing the report');
        await deps.store.put(keys.html, Buffer.from(html), { contentType: 'text/html; charset=utf-8' });
        await deps.store.put(keys.json, Buffer.from(JSON.stringify(summary, null, 1)), {
          contentType: 'application/json',
        });
        return {
          ...result,
          insufficientData: false,
          summary,
          reportKey: keys.html,
          summaryKey: keys.json,
          reportUrl: deps.store.locate(keys.html),
          reportBytes: Buffer.byteLength(html),
          seconds: (Date.now() - started) / 1000,
        };
      } finally {
        clearInterval(timer);
      }
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
        [MONITORING_TAGS.drift]: String(summary?.drift ?? false),
        [MONITORING_TAGS.qualityAlert]: String(summary?.qualityAlert ?? false),
        'mlops.monitor.insufficient_data': String(result.insufficientData),
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

  /** Drift or a quality alert claims a retraining within the cooldown and daily cap; every decision is recorded. */
  async function decideRetraining(input: DecideRetrainingInput): Promise<RetrainDecision> {
    return failFastOn(async () => {
      let decision: RetrainDecision;
      if (!input.drift && !input.qualityAlert) {
        decision = { decision: 'no-drift', detail: 'no drift and no quality alert', retrainWorkflowId: null };
      } else {
        const claim = await deps.ledger.claim({
          monitorWorkflowId: input.monitorWorkflowId,
          modelName: input.reference.modelName,
          servingRunId: input.reference.runId,
          at: new Date(input.at),
          policy: {
            enabled: input.enabled,
            cooldownHours: input.cooldownHours ?? deps.config.monitoring.retrainCooldownHours,
            dailyCap: input.dailyCap ?? deps.config.monitoring.retrainDailyCap,
          },
        });
        decision = claim.granted
          ? {
              decision: 'retrain',
              detail: `retraining ${claim.workflowId} on ${input.reasons.join('; ') || 'a quality alert'}`,
              retrainWorkflowId: claim.workflowId,
            }
          : { decision: claim.decision, detail: claim.detail, retrainWorkflowId: null };
      }
      await deps.ledger.recordDecision({
        _id: input.monitorWorkflowId,
        at: new Date(input.at),
        modelName: input.reference.modelName,
        servingRunId: input.reference.runId,
        servingModelVersion: input.reference.modelVersion,
        drift: input.drift,
        qualityAlert: input.qualityAlert,
        reasons: input.reasons,
        decision: decision.decision,
        detail: decision.detail,
        retrainWorkflowId: decision.retrainWorkflowId,
      });
      return decision;
    });
  }

  /**
   * What became of the retraining this monitor started (promoted, kept out, or failed), which
   * also ends the drift episode; or that Temporal refused it because it was already running.
   */
  async function recordRetrainOutcome(input: {
    monitorWorkflowId: string;
    servingRunId: string;
    retrainWorkflowId: string;
    outcome?: Omit<RetrainOutcome, 'at'> & { at: string };
    alreadyRunning?: boolean;
  }): Promise<void> {
    return failFastOn(async () => {
      if (input.alreadyRunning) {
        await deps.ledger.markAlreadyRunning(
          input.monitorWorkflowId,
          `retraining ${input.retrainWorkflowId} was already running`,
        );
        return;
      }
      if (input.outcome)
        await deps.ledger.recordOutcome(input.monitorWorkflowId, { ...input.outcome, at: new Date(input.outcome.at) });
      await deps.ledger.completeEpisode(modelName, input.servingRunId, input.retrainWorkflowId);
    });
  }

  /**
   * The pipeline's rule for training: when there is no champion, when the current embedder is not
   * the champion's, or when at least `minNewPapers` papers were stored since the champion's data.
   */
  async function trainingNeeded(input: { minNewPapers: number }): Promise<{ train: boolean; reason: string }> {
    return failFastOn(async () => {
      const embedder = await currentEmbedder(deps.store);
      if (!embedder) return { train: false, reason: 'no embedder has been fitted (nothing was ingested)' };
      const version = await mlflow.getVersionByAlias(modelName, alias);
      if (!version?.run_id) return { train: true, reason: `no model carries the alias "${alias}" yet` };
      const champion = await mlflow.getRun(version.run_id);
      if (runParam(champion, EMBEDDER_VERSION_PARAM) !== embedder.version)
        return {
          train: true,
          reason: `the embedder changed (${runParam(champion, EMBEDDER_VERSION_PARAM)} → ${embedder.version})`,
        };
      const trainedOn = Number(runParam(champion, 'stored_rows') ?? 0);
      const stored = await deps.features.count({ embedderVersion: embedder.version });
      const fresh = stored - trainedOn;
      return fresh >= input.minNewPapers
        ? {
            train: true,
            reason: `${fresh} papers stored since champion v${version.version} trained (≥ ${input.minNewPapers})`,
          }
        : {
            train: false,
            reason: `only ${fresh} papers stored since champion v${version.version} trained (< ${input.minNewPapers})`,
          };
    });
  }

  return {
    resolveMonitorReference,
    startMonitoringRun,
    monitorDrift,
    finishMonitoringRun,
    decideRetraining,
    recordRetrainOutcome,
    trainingNeeded,
  };
}
