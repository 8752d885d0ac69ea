import type { Client } from '@temporalio/client';
import type { TrainProgress } from '../../activities';
import type { AppConfig } from '../../lib/config/config';
import type { MlpHyperparameters } from '../../lib/model/mlp';
import { trainProgressQuery, trainWorkflow, type TrainSummary, type TrainWorkflowInput } from '../../workflows';
import type { Reporter } from '../output';
import { ProgressBoard } from '../progress';
import { newWorkflowId, pendingActivityDetails, workflowUiLink } from '../temporal';

export interface TrainOptions {
  embedderVersion?: string;
  from?: string;
  until?: string;
  epochs?: number;
  minExamples?: number;
}

export function trainInput(config: AppConfig, options: TrainOptions): TrainWorkflowInput {
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
export async function runTrain(client: Client, config: AppConfig, input: TrainWorkflowInput, reporter: Reporter): Promise<TrainRun> {
  const workflowId = newWorkflowId('train');
  const handle = await client.workflow.start(trainWorkflow, { taskQueue: config.temporal.taskQueues.io, workflowId, args: [input] });
  const uiLink = workflowUiLink(config, workflowId, handle.firstExecutionRunId);
  reporter.note(`training ${workflowId} started${uiLink ? ` — ${uiLink}` : ''}`);
  const board = new ProgressBoard(!reporter.json);
  let finished = false;
  const result = handle.result().finally(() => {
    finished = true;
  });
  const watch = (async () => {
    while (!finished) {
      try {
        const [progress, details] = await Promise.all([handle.query(trainProgressQuery), pendingActivityDetails(handle)]);
        const training = details.get('trainModel') as TrainProgress | undefined;
        if (training && training.maxEpochs > 0) {
          const note = training.valAccuracy === undefined ? '' : `val accuracy ${(training.valAccuracy * 100).toFixed(1)}%`;
          board.update('train', training.epoch, training.maxEpochs, 'epochs', note);
        } else if (progress.phase !== 'training') {
          board.update('train', 1, 1, 'done', progress.phase);
        }
      } catch {
        // not started yet
      }
      await Promise.race([result.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 500))]);
    }
  })();
  try {
    const summary = await result;
    await watch;
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
