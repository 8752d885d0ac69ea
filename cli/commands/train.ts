import type { Client } from '@temporalio/client';
import type { TrainProgress } from '../../activities';
import { checkDayWindow } from '../../lib/arxiv/source-spec';
import type { AppConfig } from '../../lib/config/config';
import type { MlpHyperparameters } from '../../lib/model/mlp';
import { trainWorkflow, type TrainSummary, type TrainWorkflowInput } from '../../workflows';
import type { Reporter } from '../output';
import { ProgressBoard } from '../progress';
import { pendingActivityDetails, resultWithProgress, startWorkflowRun } from '../temporal';

export interface TrainOptions {
  embedderVersion?: string;
  from?: string;
  until?: string;
  epochs?: number;
  minExamples?: number;
}

export function trainInput(config: AppConfig, options: TrainOptions): TrainWorkflowInput {
  checkDayWindow({ from: options.from, until: options.until });
  const hyperparameters: Partial<MlpHyperparameters> = {};
  if (options.epochs !== undefined) hyperparameters.maxEpochs = options.epochs;
  return {
    taskQueues: config.temporal.taskQueues,
    embedderVersion: options.embedderVersion,
    from: options.from,
    until: options.until,
    hyperparameters,
    minExamplesPerClass: options.minExamples,
  };
}

export interface TrainRun {
  summary: TrainSummary;
  uiLink: string | undefined;
  mlflowRunUrl: string;
}

/** Starts the training workflow, shows the epochs as they pass, and returns its summary. */
export async function runTrain(client: Client, config: AppConfig, input: TrainWorkflowInput, reporter: Reporter, inProcessWorker = false): Promise<TrainRun> {
  const { handle, uiLink } = await startWorkflowRun(client, config, reporter, 'train', trainWorkflow, input, { inProcessWorker });
  const board = new ProgressBoard(!reporter.json);
  try {
    const summary = await resultWithProgress<TrainSummary>(handle, async () => {
      const training = (await pendingActivityDetails(handle)).get('trainModel') as TrainProgress | undefined;
      if (training && training.maxEpochs > 0) {
        const note = training.valAccuracy === undefined ? '' : `val accuracy ${(training.valAccuracy * 100).toFixed(1)}%`;
        board.update('train', training.epoch, training.maxEpochs, 'epochs', note);
      }
    });
    board.update('train', summary.epochs, summary.epochs, 'epochs', `best epoch ${summary.bestEpoch}`);
    return { summary, uiLink, mlflowRunUrl: summary.runUrl };
  } finally {
    board.stop();
  }
}

const percent = (value: number) => `${(value * 100).toFixed(2)}%`;

export function reportTrain(reporter: Reporter, { summary, uiLink, mlflowRunUrl }: TrainRun): void {
  reporter.summary(
    'Training finished',
    [
      ['workflow', `${summary.workflowId} (run ${summary.workflowRunId})`],
      ['MLflow run', summary.runId],
      ['model', `${summary.modelName} v${summary.modelVersion}`],
      ['promoted', `${summary.promoted ? 'yes' : 'no'} — ${summary.promotionReason}`],
      ['accuracy', percent(summary.accuracy)],
      ['macro-F1', percent(summary.macroF1)],
      ['classes', `${summary.classes.length} (${summary.classes.join(', ')})`],
      ['rows', `${summary.trainRows} train / ${summary.validationRows} validation / ${summary.testRows} test`],
      ['epochs', `${summary.epochs} (best ${summary.bestEpoch})`],
      ['embedder', summary.embedderVersion],
      ['TF.js backend', summary.backend],
      ['seconds', summary.seconds.toFixed(1)],
      ['MLflow UI', mlflowRunUrl],
      ['Temporal UI', uiLink],
    ],
    { ...summary, mlflowUi: mlflowRunUrl, temporalUi: uiLink },
  );
}
