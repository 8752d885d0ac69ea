import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { isHeldOut, type EmbedderHoldout } from '../lib/embedding/holdout';
import { currentEmbedder, embedderKey, embedderManifest } from '../lib/embedding/registry';
import { readRawBatch } from '../lib/storage/raw-batch';
import { inputExample, mlModelFile } from '../lib/tracking/mlmodel';
import type { FeatureRow } from '../lib/features/feature-store';
import { TrainingDataError, trainClassifier, type Example, type TrainedClassifier } from '../lib/model/classifier';
import { confusionMatrixSvg } from '../lib/model/confusion-svg';
import { DEFAULT_HYPERPARAMETERS, type EpochMetrics, type MlpHyperparameters } from '../lib/model/mlp';
import { chooseReferenceRows, referenceDataCsv, type ReferenceRow } from '../lib/model/reference-data';
import { stratifiedSplit, type DatasetSplit } from '../lib/model/split';
import { loadTf } from '../lib/model/tfjs';
import { decodeCheckpoint, encodeCheckpoint, type TrainingCheckpoint } from '../lib/model/train-loop';
import { ObjectNotFoundError } from '../lib/storage/object-store';
import { RUN_ARTIFACTS, RUN_TAGS, EMBEDDER_VERSION_PARAM, MODEL_TRAINING_EXPERIMENT_TAGS, type SplitArtifact, type TestPredictions } from '../lib/tracking/training-run';
import { MlflowError } from '../lib/tracking/mlflow-client';
import { runParam, type Run } from '../lib/tracking/types';
import type { ActivityDeps } from './deps';
import { failFastOn, isPermanent } from './errors';

export interface TrainInput {
  /** One MLflow run per key: a retried activity finds and resumes its run instead of starting another. */
  idempotencyKey: string;
  workflowId: string;
  workflowRunId: string;
  /** Default: the current embedder. */
  embedderVersion?: string;
  /** Publication window of the training papers, YYYY-MM-DD, inclusive. */
  from?: string;
  until?: string;
  hyperparameters?: Partial<MlpHyperparameters>;
  /** Classes with fewer stored papers are left out of training. */
  minExamplesPerClass?: number;
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
}

/** Heartbeat details: where training stands (the checkpoint itself is in the object store). */
export interface TrainProgress {
  runId: string;
  epoch: number;
  maxEpochs: number;
  valAccuracy?: number;
}

const SPLIT_FRACTIONS = { test: 0.2, validation: 0.1 };
const DEFAULT_MIN_EXAMPLES = 20;
const DEFAULT_REFERENCE_ROWS = 2_000;
const HEARTBEAT_EVERY_MS = 10_000;

function checkpointKey(runId: string): string {
  return `checkpoints/train/${runId}/latest.ckpt`;
}

function dayBound(day: string | undefined, endOfDay: boolean): Date | undefined {
  if (!day) return undefined;
  return new Date(`${day}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z`);
}

/** The papers a run trains on. Fixed by the run's first attempt, so a retry resumes on the same data. */
interface TrainingData {
  embedderVersion: string;
  storedRows: number;
  excludedClasses: string[];
  split: DatasetSplit<FeatureRow>;
}

function asExamples(rows: FeatureRow[]): Example[] {
  return rows.map((row) => ({ id: row.arxivId, label: row.primaryCategory, vector: row.vector }));
}

function splitArtifact(split: DatasetSplit<FeatureRow>, seed: number): SplitArtifact {
  return {
    seed,
    train: split.train.map((row) => row.arxivId),
    validation: split.validation.map((row) => row.arxivId),
    test: split.test.map((row) => ({ id: row.arxivId, label: row.primaryCategory })),
  };
}

/** The curves logged per epoch (MLflow step = epoch). */
function epochCurves(metrics: EpochMetrics): Record<string, number> {
  return { loss: metrics.loss, accuracy: metrics.accuracy, val_loss: metrics.valLoss, val_accuracy: metrics.valAccuracy };
}

export function createTrainActivities(deps: ActivityDeps) {
  const { mlflow } = deps;

  async function findOrCreateRun(experimentId: string, input: TrainInput): Promise<Run> {
    const filter = `tags.\`${RUN_TAGS.idempotencyKey}\` = '${input.idempotencyKey.replace(/'/g, "\\'")}'`;
    const [existing] = await mlflow.searchRuns([experimentId], filter, ['attributes.start_time DESC'], 1);
    if (existing) return existing;
    return mlflow.createRun(experimentId, {
      runName: `train-${input.workflowId}`,
      tags: {
        [RUN_TAGS.idempotencyKey]: input.idempotencyKey,
        [RUN_TAGS.workflowId]: input.workflowId,
        [RUN_TAGS.workflowRunId]: input.workflowRunId,
        'mlflow.source.name': 'arxiv-mlops trainWorkflow',
        'mlflow.source.type': 'JOB',
      },
    });
  }

  async function loadCheckpoint(runId: string): Promise<TrainingCheckpoint | undefined> {
    try {
      return decodeCheckpoint(await deps.store.get(checkpointKey(runId)));
    } catch (error) {
      if (error instanceof ObjectNotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * The checkpoint is saved before its epoch's metrics are logged: when MLflow failed in between,
   * the resumed run logs those epochs now, so its curves have neither gaps nor duplicates.
   */
  async function logMissingEpochs(runId: string, history: EpochMetrics[]): Promise<void> {
    const logged = new Set((await mlflow.metricHistory(runId, 'val_loss')).map((metric) => Number(metric.step)));
    for (const metrics of history) {
      if (!logged.has(metrics.epoch)) await mlflow.logMetrics(runId, epochCurves(metrics), metrics.epoch);
    }
  }

  async function savedSplit(run: Run): Promise<SplitArtifact | undefined> {
    try {
      return JSON.parse((await mlflow.downloadArtifact(run, RUN_ARTIFACTS.split)).toString('utf8')) as SplitArtifact;
    } catch (error) {
      if (error instanceof MlflowError && error.notFound) return undefined;
      throw error;
    }
  }

  /**
   * Selects the features and splits them. A resumed run reuses the embedder version it logged and
   * the split it saved, so new ingestions or a refitted embedder cannot change a training midway.
   */
  async function trainingData(run: Run, input: TrainInput, seed: number): Promise<TrainingData> {
    const embedderVersion =
      runParam(run, EMBEDDER_VERSION_PARAM) ?? input.embedderVersion ?? (await currentEmbedder(deps.store))?.version;
    if (!embedderVersion) throw new TrainingDataError('no embedder has been fitted yet: run `mlops run ingest` first');
    const rows = await deps.features.select({ embedderVersion, from: dayBound(input.from, false), until: dayBound(input.until, true) });
    const saved = await savedSplit(run);
    if (saved) {
      const byId = new Map(rows.map((row) => [row.arxivId, row]));
      const pick = (ids: string[]) => ids.map((id) => byId.get(id)).filter((row): row is FeatureRow => row !== undefined);
      const split = { train: pick(saved.train), validation: pick(saved.validation), test: pick(saved.test.map(({ id }) => id)) };
      const kept = new Set([...split.train, ...split.validation, ...split.test].map((row) => row.primaryCategory));
      const excludedClasses = [...new Set(rows.map((row) => row.primaryCategory))].filter((label) => !kept.has(label)).sort();
      return { embedderVersion, storedRows: rows.length, excludedClasses, split };
    }
    const minExamples = input.minExamplesPerClass ?? DEFAULT_MIN_EXAMPLES;
    const perClass = new Map<string, number>();
    for (const row of rows) perClass.set(row.primaryCategory, (perClass.get(row.primaryCategory) ?? 0) + 1);
    const excludedClasses = [...perClass].filter(([, n]) => n < minExamples).map(([label]) => label).sort();
    const excluded = new Set(excludedClasses);
    const kept = rows.filter((row) => !excluded.has(row.primaryCategory));
    const split = stratifiedSplit(kept, (row) => row.primaryCategory, (row) => row.arxivId, SPLIT_FRACTIONS, seed);
    await mlflow.uploadArtifact(run, RUN_ARTIFACTS.split, JSON.stringify(splitArtifact(split, seed)), 'application/json');
    return { embedderVersion, storedRows: rows.length, excludedClasses, split };
  }

  /**
   * Trains a classifier on the stored features and logs everything needed to reproduce and trace
   * it to MLflow: parameters, per-epoch metrics, test metrics, the TF.js model, the label encoder,
   * reference data for monitoring, the confusion matrix, the split and a model card. A run whose
   * training cannot succeed (bad data, refused request) is marked FAILED.
   */
  async function trainModel(input: TrainInput): Promise<TrainResult> {
    return failFastOn(async () => {
      const context = Context.current();
      const experiment = await mlflow.ensureExperiment(deps.config.tracking.experiment, MODEL_TRAINING_EXPERIMENT_TAGS);
      const run = await findOrCreateRun(experiment.experiment_id, input);
      if (run.info.status === 'FINISHED') {
        // The previous attempt finished but its result never reached the workflow.
        return JSON.parse((await mlflow.downloadArtifact(run, RUN_ARTIFACTS.result)).toString('utf8')) as TrainResult;
      }
      if (run.info.status !== 'RUNNING') await mlflow.updateRun(run.info.run_id, 'RUNNING');
      const progress: TrainProgress = { runId: run.info.run_id, epoch: 0, maxEpochs: 0 };
      context.heartbeat(progress);
      // Between epochs the loop heartbeats itself; this covers the long data loading before them.
      const beat = setInterval(() => context.heartbeat({ ...progress }), HEARTBEAT_EVERY_MS);
      try {
        return await trainInRun(run, experiment.name, input, progress);
      } catch (error) {
        if (isPermanent(error)) await mlflow.updateRun(run.info.run_id, 'FAILED').catch(() => undefined);
        throw error;
      } finally {
        clearInterval(beat);
      }
    });
  }

  async function trainInRun(run: Run, experimentName: string, input: TrainInput, progress: TrainProgress): Promise<TrainResult> {
    const context = Context.current();
    const started = Date.now();
    const runId = run.info.run_id;
    const hp: MlpHyperparameters = { ...DEFAULT_HYPERPARAMETERS, ...input.hyperparameters };
    const data = await trainingData(run, input, hp.seed);
    const { split } = data;
    const classes = [...new Set(split.train.map((row) => row.primaryCategory))].sort();
    const { backend } = await loadTf();
    // A resumed run already has its params (MLflow refuses to change a logged param).
    if ((run.data.params ?? []).length === 0) {
      await mlflow.logParams(runId, {
        ...hp,
        [EMBEDDER_VERSION_PARAM]: data.embedderVersion,
        data_from: input.from ?? 'all',
        data_until: input.until ?? 'all',
        min_examples_per_class: input.minExamplesPerClass ?? DEFAULT_MIN_EXAMPLES,
        classes: classes.length <= 60 ? classes.join(',') : `${classes.length} classes (see label_encoder.json)`,
        class_count: classes.length,
        excluded_classes: data.excludedClasses.length <= 60 ? data.excludedClasses.join(',') || 'none' : `${data.excludedClasses.length} classes`,
        stored_rows: data.storedRows,
        train_rows: split.train.length,
        validation_rows: split.validation.length,
        test_rows: split.test.length,
        split_test_fraction: SPLIT_FRACTIONS.test,
        split_validation_fraction: SPLIT_FRACTIONS.validation,
        tfjs_backend: backend,
      });
    }

    const resumeFrom = await loadCheckpoint(runId);
    if (resumeFrom) {
      context.log.info('resuming training from checkpoint', { runId, epoch: resumeFrom.epoch });
      await logMissingEpochs(runId, resumeFrom.history);
    }
    const trained = await trainClassifier({ train: asExamples(split.train), validation: asExamples(split.validation), test: asExamples(split.test) }, hp, {
      resumeFrom,
      onEpoch: async (metrics: EpochMetrics, checkpoint: TrainingCheckpoint) => {
        await deps.store.put(checkpointKey(runId), encodeCheckpoint(checkpoint));
        await mlflow.logMetrics(runId, epochCurves(metrics), metrics.epoch);
        Object.assign(progress, { epoch: metrics.epoch, maxEpochs: hp.maxEpochs, valAccuracy: metrics.valAccuracy });
        context.heartbeat({ ...progress });
        // Cancelled (workflow cancelled, or timed out): stop between epochs; the checkpoint lets a retry resume.
        if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
      },
    });
    try {
      await logResults(run, experimentName, input, data, trained, hp, backend);
    } finally {
      trained.model.dispose();
    }
    const result: TrainResult = {
      runId,
      experimentId: run.info.experiment_id,
      runUrl: mlflow.runUrl(run),
      embedderVersion: data.embedderVersion,
      accuracy: trained.evaluation.accuracy,
      macroF1: trained.evaluation.macroF1,
      classes,
      excludedClasses: data.excludedClasses,
      trainRows: split.train.length,
      validationRows: split.validation.length,
      testRows: split.test.length,
      bestEpoch: trained.outcome.bestEpoch,
      epochs: trained.outcome.history.length,
      backend,
      seconds: (Date.now() - started) / 1000,
    };
    await mlflow.uploadArtifact(run, RUN_ARTIFACTS.result, JSON.stringify(result, null, 2), 'application/json');
    await mlflow.updateRun(runId, 'FINISHED');
    await deps.store.delete(checkpointKey(runId));
    return result;
  }

  /**
   * reference_data.csv's rows: papers the embedder was not fitted on (see lib/embedding/holdout),
   * with the trained model's predictions.
   */
  function referenceRowsOf(data: TrainingData, trained: TrainedClassifier, holdout: EmbedderHoldout | undefined, limit: number): { rows: ReferenceRow[]; embedderInSample: boolean } {
    const choice = chooseReferenceRows(data.split, holdout ? (id) => isHeldOut(id, holdout) : undefined, limit);
    const testIndex = new Map(data.split.test.map((row, i) => [row.arxivId, i]));
    const others = choice.rows.filter(({ part }) => part !== 'test').map(({ row }) => row);
    const dimensions = trained.model.inputDimensions;
    const x = new Float32Array(others.length * dimensions);
    others.forEach((row, i) => x.set(row.vector, i * dimensions));
    const codes = others.length > 0 ? trained.model.predict(x, others.length) : new Int32Array(0);
    const predicted = new Map(others.map((row, i) => [row.arxivId, trained.encoder.decode(codes[i]!)]));
    const rows = choice.rows.map(({ row, part }): ReferenceRow => ({
      arxivId: row.arxivId,
      published: row.published,
      vector: row.vector,
      label: row.primaryCategory,
      prediction: part === 'test' ? trained.testPredictions[testIndex.get(row.arxivId)!]! : predicted.get(row.arxivId)!,
      titleChars: row.text.titleChars,
      abstractChars: row.text.abstractChars,
      abstractWords: row.text.abstractWords,
      oovShare: row.text.oovShare,
    }));
    return { rows, embedderInSample: choice.embedderInSample };
  }

  /** Test metrics and every artifact of a finished training. */
  async function logResults(
    run: Run,
    experimentName: string,
    input: TrainInput,
    data: TrainingData,
    trained: TrainedClassifier,
    hp: MlpHyperparameters,
    backend: string,
  ): Promise<void> {
    const runId = run.info.run_id;
    const { evaluation } = trained;
    const { split } = data;
    const finalMetrics: Record<string, number> = {
      test_accuracy: evaluation.accuracy,
      test_macro_f1: evaluation.macroF1,
      best_epoch: trained.outcome.bestEpoch,
      epochs_trained: trained.outcome.history.length,
    };
    for (const metrics of evaluation.perClass) {
      finalMetrics[`test_precision/${metrics.label}`] = metrics.precision;
      finalMetrics[`test_recall/${metrics.label}`] = metrics.recall;
      finalMetrics[`test_f1/${metrics.label}`] = metrics.f1;
    }
    await mlflow.logMetrics(runId, finalMetrics);

    const { modelJson, weights } = await trained.model.toArtifacts();
    const manifest = await embedderManifest(deps.store, data.embedderVersion);
    const referenceRows = referenceRowsOf(data, trained, manifest?.holdout, input.referenceRows ?? DEFAULT_REFERENCE_ROWS);
    await mlflow.setTags(runId, { [RUN_TAGS.referenceEmbedderInSample]: String(referenceRows.embedderInSample) });
    const predictions: TestPredictions = {
      ids: split.test.map((row) => row.arxivId),
      labels: split.test.map((row) => row.primaryCategory),
      predictions: trained.testPredictions,
    };
    const kept = [...split.train, ...split.validation, ...split.test];
    const modelCard = {
      model: 'MLP classifier of arXiv primary categories over LSA embeddings (TensorFlow.js layers format)',
      createdAt: new Date().toISOString(),
      mlflow: { runId, experimentId: run.info.experiment_id, experiment: experimentName },
      temporal: { workflowId: input.workflowId, runId: input.workflowRunId },
      embedderVersion: data.embedderVersion,
      data: {
        window: { from: input.from ?? null, until: input.until ?? null },
        storedRows: data.storedRows,
        trainRows: split.train.length,
        validationRows: split.validation.length,
        testRows: split.test.length,
        classes: trained.encoder.classes,
        excludedClasses: data.excludedClasses,
        rawObjects: [...new Set(kept.map((row) => row.lineage.rawKey))].sort(),
        ingestWorkflowIds: [...new Set(kept.map((row) => row.lineage.ingestWorkflowId))].sort(),
      },
      hyperparameters: hp,
      training: { backend, bestEpoch: trained.outcome.bestEpoch, epochs: trained.outcome.history.length, stoppedEarly: trained.outcome.stoppedEarly },
      evaluation: { accuracy: evaluation.accuracy, macroF1: evaluation.macroF1, perClass: evaluation.perClass },
    };
    const upload = (path: string, body: Buffer | string, type: string) => mlflow.uploadArtifact(run, path, body, type);
    // Self-contained: the embedder's exact bytes beside the model, so text → category needs MLflow alone.
    const embedderBytes = await deps.store.get(embedderKey(data.embedderVersion));
    const embedderSha256 = createHash('sha256').update(embedderBytes).digest('hex');
    await upload(RUN_ARTIFACTS.embedder, embedderBytes, 'application/octet-stream');
    await upload(RUN_ARTIFACTS.embedderManifest, JSON.stringify({ ...manifest, version: data.embedderVersion, sha256: embedderSha256 }, null, 2), 'application/json');
    const [example] = kept.length > 0 ? await readRawBatch(deps.store, kept[0]!.lineage.rawKey).catch(() => []) : [];
    await upload(RUN_ARTIFACTS.mlModel, mlModelFile({ runId, createdAt: modelCard.createdAt, classes: [...trained.encoder.classes], embedderVersion: data.embedderVersion, embedderSha256, backend }), 'text/yaml');
    if (example) await upload(RUN_ARTIFACTS.inputExample, inputExample(example.title, example.abstract), 'application/json');
    await upload(RUN_ARTIFACTS.modelJson, modelJson, 'application/json');
    await upload(RUN_ARTIFACTS.modelWeights, weights, 'application/octet-stream');
    await upload(RUN_ARTIFACTS.labelEncoder, JSON.stringify(trained.encoder.toJSON(), null, 2), 'application/json');
    await upload(RUN_ARTIFACTS.referenceData, referenceDataCsv(referenceRows.rows), 'text/csv');
    await upload(RUN_ARTIFACTS.testPredictions, JSON.stringify(predictions), 'application/json');
    await upload(RUN_ARTIFACTS.confusionMatrix, confusionMatrixSvg(evaluation.labels, evaluation.confusion), 'image/svg+xml');
    await upload(RUN_ARTIFACTS.modelCard, JSON.stringify(modelCard, null, 2), 'application/json');
  }

  return { trainModel };
}
