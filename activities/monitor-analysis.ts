import { Context } from '@temporalio/activity';
import { workflowUiLink } from '../lib/config/links';
import { parseCsv, type DataDriftOptions, type EmbeddingDriftMethod } from '../lib/drift';
import { loadEmbedder } from '../lib/embedding/registry';
import type { DriftSignal } from '../lib/monitoring/analysis';
import { buildDriftReport } from '../lib/monitoring/build-report';
import { currentWindowTable, describeWindow, windowBounds, type WindowSpec } from '../lib/monitoring/current-window';
import { scorePredictions } from '../lib/monitoring/score-predictions';
import { scoreWindow } from '../lib/monitoring/score-window';
import type { ReportLink } from '../lib/monitoring/summary';
import { RUN_ARTIFACTS } from '../lib/tracking/run-names';
import { loadPredictor } from '../lib/tracking/serving-model';
import type { ActivityDeps } from './deps';
import { failFastOn } from './errors';
import { withHeartbeat } from './heartbeat';
import type { MonitorDriftResult, MonitoringRunHandle, MonitorReference } from '../lib/monitoring/monitoring-run';

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

const DEFAULT_MAX_ROWS = 20_000;
const DEFAULT_MIN_ROWS = 30;

function reportKeys(windowEnd: string, workflowId: string): { html: string; json: string } {
  const base = `reports/monitoring/dt=${windowEnd.slice(0, 10)}/${workflowId.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  return { html: `${base}.html`, json: `${base}.json` };
}

/** The monitoring workflow's CPU work: scoring the window and comparing it with the reference. */
export function createMonitorAnalysisActivities(deps: ActivityDeps) {
  const { mlflow } = deps;

  /** The reference data of the serving run, and the current window scored by its model. */
  async function referenceAndWindow(input: MonitorDriftInput, beat: (step: string) => void) {
    const end = new Date(input.windowEnd);
    beat('downloading the reference data');
    const run = await mlflow.getRun(input.reference.runId);
    const reference = parseCsv(
      (await mlflow.downloadArtifact(run, RUN_ARTIFACTS.referenceData)).toString('utf8'),
      RUN_ARTIFACTS.referenceData,
    );
    const predictor = await loadPredictor(mlflow, run, (version) => loadEmbedder(deps.store, version));
    try {
      const bounds = windowBounds(input.window, end);
      const limits = { maxRows: input.maxRows ?? DEFAULT_MAX_ROWS, onProgress: beat };
      const { by } = input.window;
      const scored =
        by === 'predicted'
          ? await scorePredictions(deps.mongo.db, predictor, bounds, limits)
          : await scoreWindow({ features: deps.features, store: deps.store }, predictor, { by, ...bounds }, limits);
      return { reference, scored, dimensions: predictor.dimensions, label: describeWindow(input.window, end) };
    } finally {
      predictor.dispose();
    }
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
      return withHeartbeat(
        () => ({ step: 'working' }),
        async () => {
          const { reference, scored, dimensions, label } = await referenceAndWindow(input, beat);
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
          const { reference: ref } = input;
          const temporalUrl = workflowUiLink(deps.config, input.workflowId, input.workflowRunId);
          const links: ReportLink[] = [
            { label: 'MLflow: training run', url: ref.runUrl },
            { label: 'MLflow: this monitoring run', url: input.monitoringRun.runUrl },
            ...(temporalUrl ? [{ label: 'Temporal: this workflow', url: temporalUrl }] : []),
          ];
          const version = ref.modelVersion ? ` v${ref.modelVersion}` : '';
          const { html, summary } = buildDriftReport(
            reference,
            currentWindowTable(scored.papers, dimensions),
            {
              drift: input.drift,
              embeddingMethod: input.embeddingMethod,
              alertOn: input.alertOn,
              qualityBaseline: ref.baseline,
              maxMacroF1Drop: input.maxMacroF1Drop ?? deps.config.monitoring.maxMacroF1Drop,
            },
            {
              title: `Drift report: ${ref.modelName}${version}`,
              reference: `training run ${ref.runId}${ref.modelVersion ? ` (${ref.modelName} v${ref.modelVersion})` : ''}: ${reference.rows} held-out papers`,
              current: `${label}: ${scored.papers.length} papers${scored.found > scored.papers.length ? ` (a fixed sample of ${scored.found})` : ''}`,
              links,
            },
          );
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
        },
      );
    });
  }

  return { monitorDrift };
}
