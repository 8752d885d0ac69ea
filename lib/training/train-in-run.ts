import type { FeatureRow } from '../features/feature-store';
import { candidateSettings, fitCandidate, type LabeledPaper } from '../model/candidate-fit';
import type { EpochMetrics } from '../model/mlp';
import type { TrainingCheckpoint } from '../model/train-loop';
import type { ObjectStore } from '../storage/object-store';
import type { MlflowClient } from '../tracking/mlflow-client';
import { RUN_PARAMS, RUN_TAGS } from '../tracking/run-names';
import { deleteCheckpoint, epochCurves, loadCheckpoint, logMissingEpochs, saveCheckpoint } from './checkpoints';
import { paperTexts, type PaperWords } from './paper-texts';
import { classesOf, trainingDataParams } from './training-data';
import { logResults } from './training-results';
import type { CandidateResult, CandidateTraining, TrainProgress } from './types';

/** How a training reports progress to whoever runs it (a Temporal activity), and learns it is cancelled. */
export interface TrainingControl {
  /** Called with a copy of the progress after every epoch or step. */
  heartbeat(details: TrainProgress): void;
  /** Aborted when the training should stop: it then throws the signal's reason between epochs or steps. */
  signal: AbortSignal;
  log(message: string, attrs: Record<string, unknown>): void;
}

/** The papers of the split as the candidate's family reads them (with their text, for families that read it). */
function labeledPapers(training: CandidateTraining, texts: Map<string, PaperWords> | undefined) {
  const { split } = training.data;
  const asPaper = (row: FeatureRow): LabeledPaper => ({
    id: row.arxivId,
    label: row.primaryCategory,
    vector: row.vector,
    ...texts?.get(row.arxivId),
  });
  return {
    train: split.train.map(asPaper),
    validation: split.validation.map(asPaper),
    test: split.test.map(asPaper),
  };
}

/**
 * Trains one candidate in its run on its data and logs everything needed to reproduce, trace and
 * serve it: parameters, curves, validation and test metrics, the model of its family, the label
 * encoder, reference data for monitoring, the confusion matrix, the split and a model card.
 * `progress` is updated as training goes (the caller may heartbeat it meanwhile too).
 */
export async function trainInRun(
  { mlflow, store }: { mlflow: MlflowClient; store: ObjectStore },
  training: CandidateTraining,
  progress: TrainProgress,
  control: TrainingControl,
): Promise<CandidateResult> {
  const { run, selection, data, candidate } = training;
  const started = Date.now();
  const runId = run.info.run_id;
  const { split } = data;
  const classes = classesOf(data);
  let texts: Map<string, PaperWords> | undefined;
  if (candidate.family === 'tfidf-linear') {
    texts = await paperTexts(store, [...split.train, ...split.validation, ...split.test], (done, total) => {
      progress.step = `reading raw text: batch ${done + 1}/${total}`;
    });
  }
  const candidateData = labeledPapers(training, texts);

  // Before training, so the run shows what it trains while it trains (a resumed run has them already).
  if ((run.data.params ?? []).length === 0) {
    await mlflow.logParams(runId, {
      ...candidateSettings(candidate),
      ...trainingDataParams(selection, data, classes),
      [RUN_PARAMS.modelFamily]: candidate.family,
      candidate: candidate.name,
    });
  }
  const resumeFrom = candidate.family === 'lsa-mlp' ? await loadCheckpoint(store, runId) : undefined;
  if (resumeFrom) {
    control.log('resuming training from checkpoint', { runId, epoch: resumeFrom.epoch });
    await logMissingEpochs(mlflow, runId, resumeFrom.history);
  }
  let peakRss = process.memoryUsage.rss();
  const notePeak = () => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  };
  const maxEpochs = Number(candidate.hyperparameters.maxEpochs ?? 0);
  const fitted = await fitCandidate(candidate, candidateData, {
    mlp: {
      resumeFrom,
      onEpoch: async (metrics: EpochMetrics, checkpoint: TrainingCheckpoint) => {
        notePeak();
        await saveCheckpoint(store, runId, checkpoint);
        await mlflow.logMetrics(runId, epochCurves(metrics), metrics.epoch);
        Object.assign(progress, {
          epoch: metrics.epoch,
          maxEpochs,
          valAccuracy: metrics.valAccuracy,
          step: `epoch ${metrics.epoch}`,
        });
        control.heartbeat({ ...progress });
        // Cancelled (workflow cancelled, or timed out): stop between epochs; the checkpoint lets a retry resume.
        if (control.signal.aborted) throw control.signal.reason;
      },
    },
    onStep: async (step) => {
      notePeak();
      progress.step = step;
      control.heartbeat({ ...progress });
      // Lets the heartbeat out (the solver runs synchronously within a class) and stops a cancelled training.
      await new Promise((resolve) => setImmediate(resolve));
      if (control.signal.aborted) throw control.signal.reason;
    },
  });
  notePeak();
  try {
    await mlflow.setTags(runId, { [RUN_TAGS.backend]: fitted.facts.backend });
    await logResults({ mlflow, store }, training, fitted, texts, peakRss);
  } finally {
    fitted.dispose();
  }
  const result: CandidateResult = {
    name: candidate.name,
    family: fitted.family,
    runId,
    runUrl: mlflow.runUrl(run),
    validationAccuracy: fitted.validation.accuracy,
    validationMacroF1: fitted.validation.macroF1,
    accuracy: fitted.test.accuracy,
    macroF1: fitted.test.macroF1,
    perClassF1: Object.fromEntries(fitted.test.perClass.map((metrics) => [metrics.label, metrics.f1])),
    bestEpoch: fitted.facts.bestEpoch,
    epochs: fitted.facts.epochs,
    backend: fitted.facts.backend,
    seconds: (Date.now() - started) / 1000,
    peakRssBytes: peakRss,
  };
  await deleteCheckpoint(store, runId);
  return result;
}
