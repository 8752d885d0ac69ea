import type { FeatureRow } from '../features/feature-store';
import type { TrainingCandidate } from '../model/candidates';
import type { ModelFamily } from '../model/family';
import type { MlpHyperparameters } from '../model/mlp';
import type { DatasetSplit } from '../model/split';
import type { Run } from '../tracking/types';

/** What selects a training's papers. */
export interface DataSelection {
  /** Default: the current embedder. */
  embedderVersion?: string;
  /** Publication window of the training papers, YYYY-MM-DD, inclusive. */
  from?: string;
  until?: string;
  /** Classes with fewer stored papers are left out of training. */
  minExamplesPerClass?: number;
}

/** The single-model training of workflows started before candidates existed (one run, an MLP). */
export interface TrainInput extends DataSelection {
  /** One MLflow run per key: a retried activity finds and resumes its run instead of starting another. */
  idempotencyKey: string;
  workflowId: string;
  workflowRunId: string;
  hyperparameters?: Partial<MlpHyperparameters>;
  /** Held-out rows written to reference_data.csv for monitoring. */
  referenceRows?: number;
}

export interface TrainResult {
  runId: string;
  experimentId: string;
  runUrl: string;
  embedderVersion: string;
  accuracy: number;
  macroF1: number;
  classes: string[];
  excludedClasses: string[];
  trainRows: number;
  validationRows: number;
  testRows: number;
  bestEpoch: number;
  epochs: number;
  backend: string;
  seconds: number;
  /** The winner's family (lsa-mlp for trainings from before candidates). */
  family?: ModelFamily;
  /** The winning candidate's name, and every candidate's scores. */
  winner?: string;
  candidates?: CandidateResult[];
}

export interface PrepareTrainingInput extends DataSelection {
  idempotencyKey: string;
  workflowId: string;
  workflowRunId: string;
  /** `family[:name=value]…`, comma-separated; default: the worker's TRAIN_CANDIDATES. */
  candidates?: string;
  /** Applied to every lsa-mlp candidate under its own settings. */
  hyperparameters?: Partial<MlpHyperparameters>;
}

/** The parent run with its split saved, and the candidates to train on it. */
export interface PreparedTraining {
  runId: string;
  experimentId: string;
  runUrl: string;
  embedderVersion: string;
  classes: string[];
  excludedClasses: string[];
  storedRows: number;
  trainRows: number;
  validationRows: number;
  testRows: number;
  candidates: TrainingCandidate[];
}

export interface TrainCandidateInput {
  prepared: PreparedTraining;
  candidate: TrainingCandidate;
  workflowId: string;
  workflowRunId: string;
  from?: string;
  until?: string;
  referenceRows?: number;
}

export interface CandidateResult {
  name: string;
  family: ModelFamily;
  runId: string;
  runUrl: string;
  validationAccuracy: number;
  validationMacroF1: number;
  /** On the test set. */
  accuracy: number;
  macroF1: number;
  perClassF1: Record<string, number>;
  bestEpoch: number;
  epochs: number;
  backend: string;
  seconds: number;
  /** The worker process's peak resident memory while it trained (the whole process, as the OS counts it). */
  peakRssBytes: number;
}

export interface ChooseCandidateInput {
  prepared: PreparedTraining;
  candidates: CandidateResult[];
  /** Candidates whose training failed, with why: listed in the comparison. */
  failed?: Array<{ name: string; error: string }>;
  startedAt: number;
}

/** Heartbeat details: where training stands (an MLP's checkpoint itself is in the object store). */
export interface TrainProgress {
  runId: string;
  epoch: number;
  maxEpochs: number;
  valAccuracy?: number;
  step?: string;
  /** The candidate being trained (trainCandidate). */
  candidate?: string;
}

/** The Temporal workflow a training runs in, recorded in its model card. */
export interface WorkflowIds {
  workflowId: string;
  workflowRunId: string;
}

/** The papers a run trains on. Fixed by the run's first attempt, so a retry resumes on the same data. */
export interface TrainingData {
  embedderVersion: string;
  storedRows: number;
  excludedClasses: string[];
  split: DatasetSplit<FeatureRow>;
}

/** One candidate's training: the run it logs to, what it trains on, and what to record about it. */
export interface CandidateTraining {
  run: Run;
  experimentName: string;
  ids: WorkflowIds;
  selection: DataSelection & { referenceRows?: number };
  data: TrainingData;
  candidate: TrainingCandidate;
}
