import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../../lib/config/config';
import { parseCsv, type EmbeddingDriftMethod, type Table } from '../../lib/drift';
import { buildDriftReport } from '../../lib/monitoring/build-report';
import type { WindowSpec } from '../../lib/monitoring/current-window';
import type { MonitoringSummary } from '../../lib/monitoring/summary';
import { mlflowClientFor } from '../../lib/tracking/mlflow-client';
import { resolveServingRun } from '../../lib/tracking/resolve';
import { RUN_ARTIFACTS } from '../../lib/tracking/run-names';
import { monitorProgressQuery, monitorWorkflow, type MonitorSummary, type MonitorWorkflowInput } from '../../workflows';
import type { Reporter } from '../output';
import { resultWithProgress, startWorkflowRun } from '../temporal';

import {
  alertOn,
  driftOptions,
  MonitorArgumentError,
  parseCurrent,
  parseReference,
  type MonitorOptions,
  type ReferenceSpec,
} from './monitor-options';

export type { MonitorOptions } from './monitor-options';

/** What `mlops run monitor` prints: the same keys for a workflow run and a local comparison of CSVs. */
export interface MonitorReport {
  drift: boolean;
  reasons: string[];
  driftShare: number;
  driftedColumns: string[];
  columns: MonitoringSummary['columns'];
  embeddingDrift: MonitoringSummary['embeddingDrift'];
  predictionDrift: MonitoringSummary['predictionDrift'];
  quality: MonitoringSummary['quality'];
  qualityAlert: boolean;
  reportPath: string | null;
  retrainWorkflowId: string | null;
  retrain: MonitorSummary['retrain'] | null;
  reference: string;
  current: string;
  rows: MonitoringSummary['rows'];
  /** A window of stored papers: how many it holds, and how many of them (a fixed sample above the row limit) were compared. */
  window?: { found: number; compared: number };
  workflowId: string | null;
  mlflowUi: string | null;
  temporalUi: string | null;
  seconds: number;
}

async function referenceTable(config: AppConfig, spec: ReferenceSpec): Promise<{ table: Table; label: string }> {
  if (spec.kind === 'file') return { table: parseCsv(readFileSync(spec.path, 'utf8'), spec.path), label: spec.path };
  const client = mlflowClientFor(config);
  const run =
    spec.kind === 'run' ? await client.getRun(spec.runId) : (await resolveServingRun(client, config.tracking)).run;
  const csv = (await client.downloadArtifact(run, RUN_ARTIFACTS.referenceData)).toString('utf8');
  return {
    table: parseCsv(csv, `${RUN_ARTIFACTS.referenceData} of run ${run.info.run_id}`),
    label: `training run ${run.info.run_id} (${RUN_ARTIFACTS.referenceData})`,
  };
}

/** Two tables compared here, without Temporal: a user's CSVs, or a run's reference data and a CSV. */
async function compareLocally(
  config: AppConfig,
  reference: ReferenceSpec,
  current: { path: string },
  options: MonitorOptions,
): Promise<MonitorReport> {
  const started = Date.now();
  const drift = driftOptions(options);
  const ref = await referenceTable(config, reference);
  const cur = parseCsv(readFileSync(current.path, 'utf8'), current.path);
  const methodName = options.embeddingMethod;
  const embeddingMethod: EmbeddingDriftMethod | undefined = methodName
    ? ({ method: methodName } as EmbeddingDriftMethod)
    : undefined;
  const { html, summary, generatedAt } = buildDriftReport(
    ref.table,
    cur,
    { drift, embeddingMethod, alertOn: alertOn(options), maxMacroF1Drop: options.maxF1Drop },
    { title: 'Drift report', reference: ref.label, current: current.path, links: [] },
  );
  const stamp = generatedAt.replace(/[-:]/g, '').replace(/\..*$/, '');
  const reportPath = resolve(options.out ?? resolve(config.dataDir, 'reports', 'monitoring', `drift-${stamp}.html`));
  mkdirSync(dirname(reportPath), { recursive: true });
  writeFileSync(reportPath, html);
  writeFileSync(reportPath.replace(/\.html?$/, '') + '.json', JSON.stringify(summary, null, 1));
  return {
    ...pick(summary),
    reportPath,
    retrainWorkflowId: null,
    retrain: null,
    workflowId: null,
    mlflowUi: null,
    temporalUi: null,
    seconds: (Date.now() - started) / 1000,
  };
}

function pick(summary: MonitoringSummary) {
  return {
    drift: summary.drift,
    reasons: summary.reasons,
    driftShare: summary.driftShare,
    driftedColumns: summary.driftedColumns,
    columns: summary.columns,
    embeddingDrift: summary.embeddingDrift,
    predictionDrift: summary.predictionDrift,
    quality: summary.quality,
    qualityAlert: summary.qualityAlert,
    reference: summary.reference,
    current: summary.current,
    rows: summary.rows,
  };
}

export function monitorInput(
  config: AppConfig,
  reference: ReferenceSpec,
  window: WindowSpec,
  options: MonitorOptions,
): MonitorWorkflowInput {
  return {
    taskQueues: config.temporal.taskQueues,
    ...(reference.kind === 'run' ? { referenceRunId: reference.runId } : {}),
    window,
    drift: driftOptions(options),
    ...(options.embeddingMethod
      ? { embeddingMethod: { method: options.embeddingMethod } as EmbeddingDriftMethod }
      : {}),
    ...(options.alertOn !== undefined ? { alertOn: alertOn(options) } : {}),
    ...(options.maxF1Drop !== undefined ? { maxMacroF1Drop: options.maxF1Drop } : {}),
    retrain: {
      enabled: options.retrain ?? true,
      ...(options.cooldownHours !== undefined ? { cooldownHours: options.cooldownHours } : {}),
      ...(options.dailyCap !== undefined ? { dailyCap: options.dailyCap } : {}),
    },
  };
}

/** Runs the monitoring workflow, shows its phase, and returns what it found. */
export async function runMonitorWorkflow(
  client: Client,
  config: AppConfig,
  input: MonitorWorkflowInput,
  reporter: Reporter,
  inProcessWorker = false,
): Promise<MonitorReport> {
  const { handle, uiLink } = await startWorkflowRun(client, config, reporter, 'monitor', monitorWorkflow, input, {
    inProcessWorker,
  });
  let last = '';
  const result = await resultWithProgress<MonitorSummary>(handle, async () => {
    const progress = await handle.query(monitorProgressQuery);
    if (progress.phase !== last && !reporter.json)
      reporter.note(
        `  monitor: ${progress.phase}${progress.phase === 'retraining' && progress.decision?.retrainWorkflowId ? ` (${progress.decision.retrainWorkflowId})` : ''}…`,
      );
    last = progress.phase;
  });
  if (result.insufficientData || !result.summary) {
    throw new Error(
      `${result.window} holds ${result.currentRows} papers: too few to compare (ingest papers first, or widen the window)`,
    );
  }
  return {
    ...pick(result.summary),
    reportPath: result.reportUrl,
    retrainWorkflowId: result.retrain.workflowId,
    retrain: result.retrain,
    window: { found: result.foundRows, compared: result.currentRows },
    workflowId: result.workflowId,
    mlflowUi: result.mlflowRunUrl,
    temporalUi: uiLink ?? null,
    seconds: result.seconds,
  };
}

export async function runMonitor(
  config: AppConfig,
  options: MonitorOptions,
  reporter: Reporter,
  withClient: <T>(fn: (client: Client) => Promise<T>) => Promise<T>,
): Promise<MonitorReport> {
  const reference = parseReference(options.reference);
  const current = parseCurrent(options.current, options.by ?? 'ingested');
  if (current.kind === 'file') return compareLocally(config, reference, current, options);
  if (reference.kind === 'file') {
    throw new MonitorArgumentError(
      'a window of stored papers is scored by a training run: with --current window:…, use --reference serving or run:<id> (or give --current file:<csv>)',
    );
  }
  return withClient((client) =>
    runMonitorWorkflow(client, config, monitorInput(config, reference, current.window, options), reporter),
  );
}

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

export function reportMonitor(reporter: Reporter, report: MonitorReport): void {
  const drifted = report.driftedColumns.length;
  reporter.summary(
    report.drift ? 'Drift detected' : 'No drift',
    [
      ['reference', report.reference],
      ['current', report.current],
      [
        'window',
        report.window
          ? `${report.window.found} papers${report.window.compared < report.window.found ? `, a fixed sample of ${report.window.compared} compared` : ''}`
          : undefined,
      ],
      ['why', report.reasons.length ? report.reasons.join('; ') : undefined],
      ['columns drifted', `${drifted} of ${report.columns.length} (${pct(report.driftShare)})`],
      [
        'embedding',
        report.embeddingDrift
          ? `${report.embeddingDrift.drifted ? 'drift' : 'no drift'} (${report.embeddingDrift.method} ${report.embeddingDrift.score.toFixed(3)} vs ${report.embeddingDrift.threshold.toFixed(3)})`
          : undefined,
      ],
      [
        'predicted classes',
        report.predictionDrift
          ? `${report.predictionDrift.drifted ? 'drift' : 'no drift'} (${report.predictionDrift.test} ${report.predictionDrift.score.toPrecision(3)})`
          : undefined,
      ],
      [
        'model quality',
        report.quality
          ? `macro-F1 ${pct(report.quality.macroF1)}${report.quality.baselineMacroF1 === null ? '' : ` vs ${pct(report.quality.baselineMacroF1)} on the training test set`}${report.qualityAlert ? ' — QUALITY ALERT' : ''}`
          : undefined,
      ],
      [
        'retraining',
        report.retrain
          ? `${report.retrain.decision}: ${report.retrain.detail}${report.retrain.promoted === null ? '' : report.retrain.promoted ? ' — promoted' : ` — not promoted (${report.retrain.reason})`}`
          : undefined,
      ],
      ['report', report.reportPath ?? undefined],
      ['MLflow UI', report.mlflowUi ?? undefined],
      ['Temporal UI', report.temporalUi ?? undefined],
      ['seconds', report.seconds.toFixed(1)],
    ],
    report,
  );
}
