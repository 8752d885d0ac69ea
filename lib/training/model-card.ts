import { candidateSettings, type FittedCandidate } from '../model/candidate-fit';
import type { CandidateTraining } from './types';

/** model_card.json: what a run's model is, what it was trained on and how, and how it scored. */
export function modelCardOf(training: CandidateTraining, fitted: FittedCandidate, peakRss: number, createdAt: string) {
  const { run, experimentName, ids, selection, data, candidate } = training;
  const { test, validation } = fitted;
  const { split } = data;
  const kept = [...split.train, ...split.validation, ...split.test];
  return {
    model:
      fitted.family === 'tfidf-linear'
        ? 'Linear SVMs (one per class) over tf-idf of the title and abstract, softmax-calibrated, of arXiv primary categories'
        : 'MLP classifier of arXiv primary categories over LSA embeddings (TensorFlow.js layers format)',
    family: fitted.family,
    createdAt,
    mlflow: { runId: run.info.run_id, experimentId: run.info.experiment_id, experiment: experimentName },
    temporal: { workflowId: ids.workflowId, runId: ids.workflowRunId },
    embedderVersion: data.embedderVersion,
    data: {
      window: { from: selection.from ?? null, until: selection.until ?? null },
      storedRows: data.storedRows,
      trainRows: split.train.length,
      validationRows: split.validation.length,
      testRows: split.test.length,
      classes: fitted.encoder.classes,
      excludedClasses: data.excludedClasses,
      rawObjects: [...new Set(kept.map((row) => row.lineage.rawKey))].sort(),
      ingestWorkflowIds: [...new Set(kept.map((row) => row.lineage.ingestWorkflowId))].sort(),
    },
    candidate: candidate.name,
    hyperparameters: candidateSettings(candidate),
    training: {
      backend: fitted.facts.backend,
      bestEpoch: fitted.facts.bestEpoch,
      epochs: fitted.facts.epochs,
      stoppedEarly: fitted.facts.stoppedEarly,
      peakRssBytes: peakRss,
    },
    evaluation: {
      accuracy: test.accuracy,
      macroF1: test.macroF1,
      validationMacroF1: validation.macroF1,
      perClass: test.perClass,
    },
  };
}
