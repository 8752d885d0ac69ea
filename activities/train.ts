import { Context } from '@temporalio/activity';
import { parseCandidates, type TrainingCandidate } from '../lib/model/candidates';
import { RUN_ARTIFACTS, RUN_TAGS, MODEL_TRAINING_EXPERIMENT_TAGS } from '../lib/tracking/run-names';
import type { Run } from '../lib/tracking/types';
import { trainInRun, type TrainingControl } from '../lib/training/train-in-run';
import { preparedOf, trainResultOf } from '../lib/training/train-result';
import { selectTrainingData, SPLIT_SEED, trainingDataParams } from '../lib/training/training-data';
import type {
  CandidateResult,
  PreparedTraining,
  PrepareTrainingInput,
  TrainCandidateInput,
  TrainInput,
  TrainProgress,
  TrainResult,
} from '../lib/training/types';
import type { ActivityDeps } from './deps';
import { failFastOn, isPermanent } from './errors';
import { withHeartbeat } from './heartbeat';

/** What training runs say started them, in MLflow's UI. */
const SOURCE_TAGS = { [RUN_TAGS.sourceName]: 'arxiv-mlops trainWorkflow', [RUN_TAGS.sourceType]: 'JOB' };

/** The running activity's heartbeat, cancellation and logger, as a training takes them. */
function activityControl(): TrainingControl {
  const context = Context.current();
  return {
    heartbeat: (details) => context.heartbeat(details),
    signal: context.cancellationSignal,
    log: (message, attrs) => context.log.info(message, attrs),
  };
}

/** The CPU task queue's training activities: the parent run's data, each candidate's training, and the single-model training. */
export function createTrainActivities(deps: ActivityDeps) {
  const { mlflow } = deps;

  async function trainingExperiment() {
    return mlflow.ensureExperiment(deps.config.tracking.experiment, MODEL_TRAINING_EXPERIMENT_TAGS);
  }

  /** The run of this training step (found again by its key when the activity is retried). */
  async function trainingRun(
    experimentId: string,
    key: string,
    runName: string,
    tags: Record<string, string>,
  ): Promise<Run> {
    return mlflow.findOrCreateRun(experimentId, key, { runName, tags: { ...SOURCE_TAGS, ...tags } });
  }

  /** Marks the run FAILED when its training cannot succeed (bad data, refused request), then rethrows. */
  async function failingRun<T>(runId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isPermanent(error)) await mlflow.updateRun(runId, 'FAILED').catch(() => undefined);
      throw error;
    }
  }

  /** The candidates of a training: the input's list (or TRAIN_CANDIDATES), the workflow's MLP settings under each MLP's own. */
  function candidatesOf(input: PrepareTrainingInput): TrainingCandidate[] {
    return parseCandidates(input.candidates ?? deps.config.tracking.trainCandidates).map((candidate) =>
      candidate.family === 'lsa-mlp' && input.hyperparameters
        ? { ...candidate, hyperparameters: { ...input.hyperparameters, ...candidate.hyperparameters } }
        : candidate,
    );
  }

  /**
   * The parent run of a training with candidates: selects and splits the papers once (split.json
   * is the parent's), logs the data's params and the candidate list. Each candidate then trains
   * in a nested run on exactly this split.
   */
  async function prepareTraining(input: PrepareTrainingInput): Promise<PreparedTraining> {
    return failFastOn(async () => {
      const candidates = candidatesOf(input);
      const experiment = await trainingExperiment();
      const run = await trainingRun(experiment.experiment_id, input.idempotencyKey, `train-${input.workflowId}`, {
        [RUN_TAGS.workflowId]: input.workflowId,
        [RUN_TAGS.workflowRunId]: input.workflowRunId,
        [RUN_TAGS.candidates]: candidates.map((candidate) => candidate.name).join(','),
      });
      if (run.info.status !== 'RUNNING' && run.info.status !== 'FINISHED')
        await mlflow.updateRun(run.info.run_id, 'RUNNING');
      const progress: TrainProgress = { runId: run.info.run_id, epoch: 0, maxEpochs: 0, step: 'selecting the papers' };
      return failingRun(run.info.run_id, () =>
        withHeartbeat(
          () => ({ ...progress }),
          async () => {
            const data = await selectTrainingData(deps, run, input, SPLIT_SEED);
            const prepared = preparedOf(run, mlflow.runUrl(run), data, candidates);
            if ((run.data.params ?? []).length === 0) {
              await mlflow.logParams(run.info.run_id, {
                ...trainingDataParams(input, data, prepared.classes),
                candidates: candidates.map((candidate) => candidate.name).join(','),
              });
            }
            return prepared;
          },
        ),
      );
    });
  }

  /**
   * Trains one candidate in its own run nested under the parent (one per parent and candidate
   * name, so a retried activity resumes it — an MLP from its last epoch checkpoint).
   */
  async function trainCandidate(input: TrainCandidateInput): Promise<CandidateResult> {
    return failFastOn(async () => {
      const experiment = await trainingExperiment();
      const { prepared, candidate } = input;
      const run = await trainingRun(experiment.experiment_id, `${prepared.runId}/${candidate.name}`, candidate.name, {
        [RUN_TAGS.parentRunId]: prepared.runId,
        [RUN_TAGS.workflowId]: input.workflowId,
        [RUN_TAGS.workflowRunId]: input.workflowRunId,
        [RUN_TAGS.candidate]: candidate.name,
      });
      if (run.info.status === 'FINISHED') {
        // The previous attempt finished but its result never reached the workflow.
        return JSON.parse(
          (await mlflow.downloadArtifact(run, RUN_ARTIFACTS.result)).toString('utf8'),
        ) as CandidateResult;
      }
      if (run.info.status !== 'RUNNING') await mlflow.updateRun(run.info.run_id, 'RUNNING');
      const progress: TrainProgress = {
        runId: run.info.run_id,
        epoch: 0,
        maxEpochs: 0,
        step: 'selecting the papers',
        candidate: candidate.name,
      };
      return failingRun(run.info.run_id, () =>
        withHeartbeat(
          () => ({ ...progress }),
          async () => {
            const parent = await mlflow.getRun(prepared.runId);
            const selection = { from: input.from, until: input.until, referenceRows: input.referenceRows };
            const data = await selectTrainingData(deps, parent, selection, SPLIT_SEED);
            const result = await trainInRun(
              deps,
              { run, experimentName: experiment.name, ids: input, selection, data, candidate },
              progress,
              activityControl(),
            );
            await mlflow.uploadArtifact(run, RUN_ARTIFACTS.result, JSON.stringify(result, null, 2), 'application/json');
            await mlflow.updateRun(run.info.run_id, 'FINISHED');
            return result;
          },
        ),
      );
    });
  }

  /**
   * The single-run training of workflows started before candidates: an MLP in the workflow's own
   * run. Kept so those workflows finish on this worker.
   */
  async function trainModel(input: TrainInput): Promise<TrainResult> {
    return failFastOn(async () => {
      const experiment = await trainingExperiment();
      const run = await trainingRun(experiment.experiment_id, input.idempotencyKey, `train-${input.workflowId}`, {
        [RUN_TAGS.workflowId]: input.workflowId,
        [RUN_TAGS.workflowRunId]: input.workflowRunId,
      });
      if (run.info.status === 'FINISHED')
        return JSON.parse((await mlflow.downloadArtifact(run, RUN_ARTIFACTS.result)).toString('utf8')) as TrainResult;
      if (run.info.status !== 'RUNNING') await mlflow.updateRun(run.info.run_id, 'RUNNING');
      const progress: TrainProgress = { runId: run.info.run_id, epoch: 0, maxEpochs: 0 };
      return failingRun(run.info.run_id, () =>
        withHeartbeat(
          () => ({ ...progress }),
          async () => {
            const started = Date.now();
            const data = await selectTrainingData(deps, run, input, input.hyperparameters?.seed ?? SPLIT_SEED);
            const candidate: TrainingCandidate = {
              name: 'lsa-mlp',
              family: 'lsa-mlp',
              hyperparameters: { ...input.hyperparameters },
            };
            const trained = await trainInRun(
              deps,
              { run, experimentName: experiment.name, ids: input, selection: input, data, candidate },
              progress,
              activityControl(),
            );
            const prepared = preparedOf(run, mlflow.runUrl(run), data, [candidate]);
            const result = trainResultOf(prepared, trained, (Date.now() - started) / 1000);
            await mlflow.uploadArtifact(run, RUN_ARTIFACTS.result, JSON.stringify(result, null, 2), 'application/json');
            await mlflow.updateRun(run.info.run_id, 'FINISHED');
            return result;
          },
        ),
      );
    });
  }

  return { trainModel, prepareTraining, trainCandidate };
}
