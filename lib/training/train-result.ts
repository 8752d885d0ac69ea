import type { TrainingCandidate } from '../model/candidates';
import type { Run } from '../tracking/types';
import { classesOf } from './training-data';
import type { CandidateResult, PreparedTraining, TrainingData, TrainResult } from './types';

/** The prepared training of `run` (the parent run, or a single-model training's own run) on `data`. */
export function preparedOf(
  run: Run,
  runUrl: string,
  data: TrainingData,
  candidates: TrainingCandidate[],
): PreparedTraining {
  const { split } = data;
  return {
    runId: run.info.run_id,
    experimentId: run.info.experiment_id,
    runUrl,
    embedderVersion: data.embedderVersion,
    classes: classesOf(data),
    excludedClasses: data.excludedClasses,
    storedRows: data.storedRows,
    trainRows: split.train.length,
    validationRows: split.validation.length,
    testRows: split.test.length,
    candidates,
  };
}

/** A training's result: its data, and the winner's scores (with every candidate's, when there were candidates). */
export function trainResultOf(
  prepared: Omit<PreparedTraining, 'candidates'>,
  winner: CandidateResult,
  seconds: number,
  candidates?: CandidateResult[],
): TrainResult {
  return {
    runId: prepared.runId,
    experimentId: prepared.experimentId,
    runUrl: prepared.runUrl,
    embedderVersion: prepared.embedderVersion,
    accuracy: winner.accuracy,
    macroF1: winner.macroF1,
    classes: prepared.classes,
    excludedClasses: prepared.excludedClasses,
    trainRows: prepared.trainRows,
    validationRows: prepared.validationRows,
    testRows: prepared.testRows,
    bestEpoch: winner.bestEpoch,
    epochs: winner.epochs,
    backend: winner.backend,
    seconds,
    family: winner.family,
    ...(candidates ? { winner: winner.name, candidates } : {}),
  };
}
