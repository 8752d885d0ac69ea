import { defineQuery, executeChild, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { IoActivities } from '../activities';
import type { WindowSpec } from '../lib/monitoring/current-window';
import { ingestWorkflow, type IngestInput, type IngestSummary } from './ingest';
import type { TaskQueues, TrainWorkflowInput } from './types';
import { monitorWorkflow, type MonitorSummary, type MonitorWorkflowInput } from './monitor';
import { retryPolicy } from './retry';
import { trainWorkflow, type TrainSummary } from './train';

export interface PipelineInput {
  taskQueues: TaskQueues;
  ingest: Omit<IngestInput, 'taskQueues'>;
  /** Train only when this many papers arrived since the champion's data (or there is no champion). */
  minNewPapers?: number;
  train?: Omit<TrainWorkflowInput, 'taskQueues'>;
  /** Default: the papers this pipeline run ingested. */
  monitor?: Omit<MonitorWorkflowInput, 'taskQueues' | 'window'> & { window?: WindowSpec };
}

export type PipelinePhase = 'ingesting' | 'deciding' | 'training' | 'monitoring' | 'done';

export interface PipelineProgress {
  phase: PipelinePhase;
  ingest?: IngestSummary;
  training?: { train: boolean; reason: string };
  train?: TrainSummary;
  monitor?: MonitorSummary;
}

export interface PipelineSummary {
  workflowId: string;
  runId: string;
  ingest: IngestSummary;
  training: { train: boolean; reason: string };
  train: TrainSummary | null;
  monitor: MonitorSummary;
  seconds: number;
}

export const pipelineProgressQuery = defineQuery<PipelineProgress>('progress');

export const PIPELINE_DEFAULTS = { minNewPapers: 500 } as const;

/**
 * The CT/CM pipeline: ingest → train (when there is no champion or enough new papers) →
 * monitor the new papers against the serving model → retrain on drift (inside the monitor).
 * Each stage is a child workflow, visible and retried on its own.
 */
export async function pipelineWorkflow(input: PipelineInput): Promise<PipelineSummary> {
  const info = workflowInfo();
  const startedAt = new Date(info.startTime).toISOString();
  const io = proxyActivities<IoActivities>({
    taskQueue: input.taskQueues.io,
    startToCloseTimeout: '5m',
    retry: retryPolicy(10),
  });
  const progress: PipelineProgress = { phase: 'ingesting' };
  setHandler(pipelineProgressQuery, () => progress);
  const child = (stage: string) => ({ workflowId: `${info.workflowId}-${stage}`, taskQueue: input.taskQueues.io });

  const ingest = await executeChild(ingestWorkflow, {
    ...child('ingest'),
    args: [{ ...input.ingest, taskQueues: input.taskQueues }],
  });
  progress.ingest = ingest;

  progress.phase = 'deciding';
  const training = await io.trainingNeeded({ minNewPapers: input.minNewPapers ?? PIPELINE_DEFAULTS.minNewPapers });
  progress.training = training;
  let train: TrainSummary | null = null;
  if (training.train) {
    progress.phase = 'training';
    train = await executeChild(trainWorkflow, {
      ...child('train'),
      args: [{ ...input.train, taskQueues: input.taskQueues }],
    });
    progress.train = train;
  }

  progress.phase = 'monitoring';
  const { window, ...monitorSettings } = input.monitor ?? {};
  const monitor = await executeChild(monitorWorkflow, {
    ...child('monitor'),
    args: [{ ...monitorSettings, window: window ?? { by: 'ingested', from: startedAt }, taskQueues: input.taskQueues }],
  });
  progress.monitor = monitor;
  progress.phase = 'done';
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    ingest,
    training,
    train,
    monitor,
    seconds: (Date.now() - new Date(startedAt).getTime()) / 1000,
  };
}
