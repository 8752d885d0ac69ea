import type { Client } from '@temporalio/client';
import type { TrainProgress } from '../../activities';
import { checkDayWindow } from '../../lib/arxiv/source-spec';
import type { AppConfig } from '../../lib/config/config';
import { parseCandidates } from '../../lib/model/candidates';
import type { MlpHyperparameters } from '../../lib/model/mlp';
import { trainWorkflow, type TrainSummary, type TrainWorkflowInput } from '../../workflows';
import type { Reporter } from '../output';
import { ProgressBoard } from '../progress';
import { pendingActivityDetailsList, resultWithProgress, startWorkflowRun } from '../temporal';

export interface TrainOptions {
  embedderVersion?: string;
  from?: string;
  until?: string;
  epochs?: number;
  minExamples?: number;
  candidates?: string;
}

export function trainInput(config: AppConfig, options: TrainOptions): TrainWorkflowInput {
  checkDayWindow({ from: options.from, until: options.until });
  const hyperparameters: Partial<MlpHyperparameters> = {};
  if (options.epochs !== undefined) hyperparameters.maxEpochs = options.epochs;
  // Checked here, so a typo is a usage error now and not a failed workflow later.
  if (options.candidates !== undefined) parseCandidates(options.candidates);
  return {
    candidates: options.candidates,
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
export async function runTrain(
  client: Client,
  config: AppConfig,
  input: TrainWorkflowInput,
  reporter: Reporter,
  inProcessWorker = false,
): Promise<TrainRun> {
  const { handle, uiLink } = await startWorkflowRun(client, config, reporter, 'train', trainWorkflow, input, {
    inProcessWorker,
  });
  const board = new ProgressBoard(!reporter.json);
  try {
    const summary = await resultWithProgress<TrainSummary>(handle, async () => {
      for (const [type, details] of await pendingActivityDetailsList(handle)) {
        if (type !== 'trainModel' && type !== 'trainCandidate') continue;
        const training = details as TrainProgress;
        const label = training.candidate ?? 'train';
        const classes = /^class (\d+)\/(\d+)$/.exec(training.step ?? '');
        if (training.maxEpochs > 0) {
          const note =
            training.valAccuracy === undefined ? '' : `val accuracy ${(training.valAccuracy * 100).toFixed(1)}%`;
          board.update(label, training.epoch, training.maxEpochs, 'epochs', note);
        } else if (classes) {
          board.update(label, Number(classes[1]) - 1, Number(classes[2]), 'classes', 'one linear SVM per class');
        }
      }
    });
    for (const candidate of summary.candidates ?? []) {
      board.update(
        candidate.name,
        1,
        1,
        'done',
        `validation macro-F1 ${(candidate.validationMacroF1 * 100).toFixed(2)}%${candidate.name === summary.winner ? ' (winner)' : ''}`,
      );
    }
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
      [
        'model family',
        summary.family ? `${summary.family}${summary.winner ? ` (winner: ${summary.winner})` : ''}` : undefined,
      ],
      ...(summary.candidates ?? []).map((candidate): [string, string] => [
        `  ${candidate.name}`,
        `validation macro-F1 ${percent(candidate.validationMacroF1)}, test accuracy ${percent(candidate.accuracy)}, macro-F1 ${percent(candidate.macroF1)}, ${candidate.seconds.toFixed(1)} s, peak RSS ${(candidate.peakRssBytes / 2 ** 30).toFixed(2)} GB`,
      ]),
      ...(summary.failedCandidates ?? []).map((failed): [string, string] => [
        `  ${failed.name}`,
        `failed: ${failed.error}`,
      ]),
      [
        'epochs',
        summary.family === 'lsa-mlp' || !summary.family ? `${summary.epochs} (best ${summary.bestEpoch})` : undefined,
      ],
      ['embedder', summary.embedderVersion],
      ['backend', summary.backend],
      ['seconds', summary.seconds.toFixed(1)],
      ['MLflow UI', mlflowRunUrl],
      ['Temporal UI', uiLink],
    ],
    { ...summary, mlflowUi: mlflowRunUrl, temporalUi: uiLink },
  );
}
