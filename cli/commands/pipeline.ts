import type { Client } from '@temporalio/client';
import type { AppConfig } from '../../lib/config/config';
import {
  pipelineProgressQuery,
  pipelineWorkflow,
  PIPELINE_DEFAULTS,
  type PipelineInput,
  type PipelineSummary,
} from '../../workflows';
import type { Reporter } from '../output';
import { resultWithProgress, startWorkflowRun } from '../temporal';
import { ingestInput, type IngestOptions } from './ingest';
import { monitorInput } from './monitor';
import { parseReference, type MonitorOptions } from './monitor-options';

export interface PipelineOptions extends IngestOptions, MonitorOptions {
  minNewPapers?: number;
  epochs?: number;
}

export function pipelineInput(config: AppConfig, options: PipelineOptions): PipelineInput {
  const { taskQueues, ...ingest } = ingestInput(config, options);
  const {
    taskQueues: _queues,
    window: _window,
    ...monitor
  } = monitorInput(config, parseReference(options.reference), { by: 'ingested' }, options);
  return {
    taskQueues,
    ingest,
    minNewPapers: options.minNewPapers ?? PIPELINE_DEFAULTS.minNewPapers,
    train: options.epochs ? { hyperparameters: { maxEpochs: options.epochs } } : {},
    monitor,
  };
}

/** Runs the pipeline workflow (ingest → train when needed → monitor → retrain on drift), showing its stage. */
export async function runPipeline(
  client: Client,
  config: AppConfig,
  input: PipelineInput,
  reporter: Reporter,
): Promise<{ summary: PipelineSummary; uiLink: string | undefined }> {
  const { handle, uiLink } = await startWorkflowRun(client, config, reporter, 'pipeline', pipelineWorkflow, input);
  let last = '';
  const summary = await resultWithProgress<PipelineSummary>(handle, async () => {
    const { phase } = await handle.query(pipelineProgressQuery);
    if (phase !== last && !reporter.json) reporter.note(`  pipeline: ${phase}…`);
    last = phase;
  });
  return { summary, uiLink };
}

export function reportPipeline(
  reporter: Reporter,
  { summary, uiLink }: { summary: PipelineSummary; uiLink: string | undefined },
): void {
  const { monitor } = summary;
  reporter.summary(
    'Pipeline finished',
    [
      ['workflow', `${summary.workflowId} (run ${summary.runId})`],
      [
        'ingested',
        `${summary.ingest.embedded} papers embedded of ${summary.ingest.extracted} extracted (${summary.ingest.rejected} rejected)`,
      ],
      [
        'training',
        `${summary.training.train ? 'trained' : 'skipped'}: ${summary.training.reason}${summary.train ? ` → v${summary.train.modelVersion}, ${summary.train.promoted ? 'promoted' : 'not promoted'}` : ''}`,
      ],
      [
        'monitoring',
        monitor.insufficientData
          ? `${monitor.window}: too few papers to compare`
          : `${monitor.drift ? 'DRIFT' : 'no drift'}${monitor.qualityAlert ? ', quality alert' : ''} (${monitor.currentRows} papers)`,
      ],
      [
        'retraining',
        `${monitor.retrain.decision}: ${monitor.retrain.detail}${monitor.retrain.promoted === null ? '' : monitor.retrain.promoted ? ' — promoted' : ' — not promoted'}`,
      ],
      ['report', monitor.reportUrl ?? undefined],
      ['MLflow UI', monitor.mlflowRunUrl],
      ['Temporal UI', uiLink],
      ['seconds', summary.seconds.toFixed(1)],
    ],
    { ...summary, temporalUi: uiLink, reportPath: monitor.reportUrl, retrainWorkflowId: monitor.retrain.workflowId },
  );
}
