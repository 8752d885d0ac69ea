import type { RetrainDecision } from '../activities';
import type { MlpHyperparameters } from '../lib/model/mlp';

/** The task queues a workflow puts its activities on: I/O and CPU workers scale apart. */
export interface TaskQueues {
  io: string;
  cpu: string;
}

export interface RetrainSettings {
  /** Default true: drift or a quality alert starts a retraining (within the cooldown and cap). */
  enabled?: boolean;
  cooldownHours?: number;
  dailyCap?: number;
  /** How the retraining trains (hyper-parameters, window); it always faces the promotion rule. */
  training?: Omit<TrainWorkflowInput, 'taskQueues'>;
}

export interface RetrainReport {
  decision: RetrainDecision['decision'];
  detail: string;
  workflowId: string | null;
  promoted: boolean | null;
  modelVersion: string | null;
  trainingRunId: string | null;
  reason: string | null;
}

export interface TrainWorkflowInput {
  taskQueues: TaskQueues;
  embedderVersion?: string;
  from?: string;
  until?: string;
  /** Applied to every lsa-mlp candidate (under the candidate's own settings). */
  hyperparameters?: Partial<MlpHyperparameters>;
  /** The models to try, `family[:name=value]…` comma-separated (default: the worker's TRAIN_CANDIDATES). */
  candidates?: string;
  minExamplesPerClass?: number;
  heartbeatTimeoutSeconds?: number;
}
