import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { paperText } from '../lib/arxiv/record';
import { isHeldOut, type EmbedderHoldout } from '../lib/embedding/holdout';
import { currentEmbedder, embedderKey, embedderManifest } from '../lib/embedding/registry';
import type { FeatureRow } from '../lib/features/feature-store';
import { candidateSettings, fitCandidate, type FittedCandidate, type LabeledPaper } from '../lib/model/candidate-fit';
import { chooseWinner, parseCandidates, type TrainingCandidate } from '../lib/model/candidates';
import { candidatesChartSvg, candidatesCsv } from '../lib/model/candidates-report';
import { TrainingDataError } from '../lib/model/classifier';
import { confusionMatrixSvg } from '../lib/model/confusion-svg';
import { argmaxRows, type ModelFamily } from '../lib/model/family';
import type { EpochMetrics, MlpHyperparameters } from '../lib/model/mlp';
import { chooseReferenceRows, referenceDataCsv, type ReferenceRow } from '../lib/model/reference-data';
import { stratifiedSplit, type DatasetSplit } from '../lib/model/split';
import { decodeCheckpoint, encodeCheckpoint, type TrainingCheckpoint } from '../lib/model/train-loop';
import { ObjectNotFoundError } from '../lib/storage/object-store';
import { readRawBatch } from '../lib/storage/raw-batch';
import { inputExample, mlModelFile } from '../lib/tracking/mlmodel';
import { MlflowError } from '../lib/tracking/mlflow-client';
import {
  RUN_ARTIFACTS,
  RUN_TAGS,
  EMBEDDER_VERSION_PARAM,
  MODEL_FAMILY_PARAM,
  MODEL_TRAINING_EXPERIMENT_TAGS,
  type SplitArtifact,
  type TestPredictions,
} from '../lib/tracking/training-run';
import { runParam, runTag, type Run } from '../lib/tracking/types';
import type { ActivityDeps } from './deps';
import { failFastOn, isPermanent } from './errors';

/** What selects a training's papers. */
interface DataSelection {
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

/** A paper's words, as the families that read text take them. */
interface PaperWords {
  text: string;
  title: string;
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

const SPLIT_FRACTIONS = { test: 0.2, validation: 0.1 };
const DEFAULT_MIN_EXAMPLES = 20;
const DEFAULT_REFERENCE_ROWS = 2_000;
const HEARTBEAT_EVERY_MS = 10_000;
const SPLIT_SEED = 42;
/** Artifacts a parent run keeps of its own, not copied from the winner. */
const PARENT_OWN_ARTIFACTS = new Set<string>([
  RUN_ARTIFACTS.split,
  RUN_ARTIFACTS.result,
  RUN_ARTIFACTS.candidates,
  RUN_ARTIFACTS.candidatesCsv,
  RUN_ARTIFACTS.candidatesChart,
]);

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
  return {
    loss: metrics.loss,
    accuracy: metrics.accuracy,
    val_loss: metrics.valLoss,
    val_accuracy: metrics.valAccuracy,
  };
}

/** Short enough for an MLflow param. */
function listParam(items: readonly string[], empty = 'none'): string {
  return items.length <= 60 ? items.join(',') || empty : `${items.length} items`;
}

export function createTrainActivities(deps: ActivityDeps) {
  const { mlflow } = deps;

  async function findOrCreateRun(
    experimentId: string,
    key: string,
    runName: string,
    tags: Record<string, string>,
  ): Promise<Run> {
    const filter = `tags.\`${RUN_TAGS.idempotencyKey}\` = '${key.replace(/'/g, "\\'")}'`;
    const [existing] = await mlflow.searchRuns([experimentId], filter, ['attributes.start_time DESC'], 1);
    if (existing) return existing;
    return mlflow.createRun(experimentId, {
      runName,
      tags: {
        [RUN_TAGS.idempotencyKey]: key,
        'mlflow.source.name': 'arxiv-mlops trainWorkflow',
        'mlflow.source.type': 'JOB',
        ...tags,
      },
    });
  }

  async function trainingExperiment() {
    return mlflow.ensureExperiment(deps.config.tracking.experiment, MODEL_TRAINING_EXPERIMENT_TAGS);
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
   * Selects the features and splits them, saving the split to `run`. A resumed run (or a
   * candidate of a parent run) reuses the embedder version and the split saved there, so new
   * ingestions or a refitted embedder cannot change a training midway.
   */
  async function trainingData(run: Run, input: DataSelection, seed: number): Promise<TrainingData> {
    const embedderVersion =
      runParam(run, EMBEDDER_VERSION_PARAM) ?? input.embedderVersion ?? (await currentEmbedder(deps.store))?.version;
    if (!embedderVersion) throw new TrainingDataError('no embedder has been fitted yet: run `mlops run ingest` first');
    const rows = await deps.features.select({
      embedderVersion,
      from: dayBound(input.from, false),
      until: dayBound(input.until, true),
    });
    const saved = await savedSplit(run);
    if (saved) {
      const byId = new Map(rows.map((row) => [row.arxivId, row]));
      const pick = (ids: string[]) =>
        ids.map((id) => byId.get(id)).filter((row): row is FeatureRow => row !== undefined);
      const split = {
        train: pick(saved.train),
        validation: pick(saved.validation),
        test: pick(saved.test.map(({ id }) => id)),
      };
      const kept = new Set([...split.train, ...split.validation, ...split.test].map((row) => row.primaryCategory));
      const excludedClasses = [...new Set(rows.map((row) => row.primaryCategory))]
        .filter((label) => !kept.has(label))
        .sort();
      return { embedderVersion, storedRows: rows.length, excludedClasses, split };
    }
    const minExamples = input.minExamplesPerClass ?? DEFAULT_MIN_EXAMPLES;
    const perClass = new Map<string, number>();
    for (const row of rows) perClass.set(row.primaryCategory, (perClass.get(row.primaryCategory) ?? 0) + 1);
    const excludedClasses = [...perClass]
      .filter(([, n]) => n < minExamples)
      .map(([label]) => label)
      .sort();
    const excluded = new Set(excludedClasses);
    const kept = rows.filter((row) => !excluded.has(row.primaryCategory));
    const split = stratifiedSplit(
      kept,
      (row) => row.primaryCategory,
      (row) => row.arxivId,
      SPLIT_FRACTIONS,
      seed,
    );
    await mlflow.uploadArtifact(
      run,
      RUN_ARTIFACTS.split,
      JSON.stringify(splitArtifact(split, seed)),
      'application/json',
    );
    return { embedderVersion, storedRows: rows.length, excludedClasses, split };
  }

  /** The params describing a training's data, logged once per run. */
  function dataParams(input: DataSelection, data: TrainingData, classes: string[]): Record<string, string | number> {
    const { split } = data;
    return {
      [EMBEDDER_VERSION_PARAM]: data.embedderVersion,
      data_from: input.from ?? 'all',
      data_until: input.until ?? 'all',
      min_examples_per_class: input.minExamplesPerClass ?? DEFAULT_MIN_EXAMPLES,
      classes: classes.length <= 60 ? classes.join(',') : `${classes.length} classes (see label_encoder.json)`,
      class_count: classes.length,
      excluded_classes: listParam(data.excludedClasses),
      stored_rows: data.storedRows,
      train_rows: split.train.length,
      validation_rows: split.validation.length,
      test_rows: split.test.length,
      split_test_fraction: SPLIT_FRACTIONS.test,
      split_validation_fraction: SPLIT_FRACTIONS.validation,
    };
  }

  /** The raw text of each paper, read from the raw batches its features name (for families that read text). */
  async function paperTexts(
    rows: readonly FeatureRow[],
    onBatch: (done: number, total: number) => void,
  ): Promise<Map<string, PaperWords>> {
    const wanted = new Set(rows.map((row) => row.arxivId));
    const texts = new Map<string, PaperWords>();
    const batches = [...new Set(rows.map((row) => row.lineage.rawKey))];
    for (const [index, key] of batches.entries()) {
      onBatch(index, batches.length);
      let records;
      try {
        records = await readRawBatch(deps.store, key);
      } catch (error) {
        if (error instanceof ObjectNotFoundError)
          throw new TrainingDataError(
            `raw batch ${key} is gone: the text of its papers cannot be read to train a family that reads text`,
          );
        throw error;
      }
      for (const record of records)
        if (wanted.has(record.id)) texts.set(record.id, { text: paperText(record), title: record.title });
    }
    const missing = rows.filter((row) => !texts.has(row.arxivId));
    if (missing.length > 0)
      throw new TrainingDataError(
        `${missing.length} papers (${missing[0]!.arxivId}…) are not in the raw batches their features name: their text cannot be read`,
      );
    return texts;
  }

  /**
   * Trains one candidate in `run` on `data` and logs everything needed to reproduce, trace and
   * serve it: parameters, curves, validation and test metrics, the model of its family, the label
   * encoder, reference data for monitoring, the confusion matrix, the split and a model card.
   */
  async function trainInRun(
    run: Run,
    experimentName: string,
    ids: { workflowId: string; workflowRunId: string },
    selection: DataSelection & { referenceRows?: number },
    data: TrainingData,
    candidate: TrainingCandidate,
    progress: TrainProgress,
  ): Promise<CandidateResult> {
    const context = Context.current();
    const started = Date.now();
    const runId = run.info.run_id;
    const { split } = data;
    const classes = [...new Set(split.train.map((row) => row.primaryCategory))].sort();
    let texts: Map<string, PaperWords> | undefined;
    if (candidate.family === 'tfidf-linear') {
      texts = await paperTexts([...split.train, ...split.validation, ...split.test], (done, total) => {
        progress.step = `reading raw text: batch ${done + 1}/${total}`;
      });
    }
    const asPaper = (row: FeatureRow): LabeledPaper => ({
      id: row.arxivId,
      label: row.primaryCategory,
      vector: row.vector,
      ...texts?.get(row.arxivId),
    });
    const candidateData = {
      train: split.train.map(asPaper),
      validation: split.validation.map(asPaper),
      test: split.test.map(asPaper),
    };

    // Before training, so the run shows what it trains while it trains (a resumed run has them already).
    if ((run.data.params ?? []).length === 0) {
      await mlflow.logParams(runId, {
        ...candidateSettings(candidate),
        ...dataParams(selection, data, classes),
        [MODEL_FAMILY_PARAM]: candidate.family,
        candidate: candidate.name,
      });
    }
    const resumeFrom = candidate.family === 'lsa-mlp' ? await loadCheckpoint(runId) : undefined;
    if (resumeFrom) {
      context.log.info('resuming training from checkpoint', { runId, epoch: resumeFrom.epoch });
      await logMissingEpochs(runId, resumeFrom.history);
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
          await deps.store.put(checkpointKey(runId), encodeCheckpoint(checkpoint));
          await mlflow.logMetrics(runId, epochCurves(metrics), metrics.epoch);
          Object.assign(progress, {
            epoch: metrics.epoch,
            maxEpochs,
            valAccuracy: metrics.valAccuracy,
            step: `epoch ${metrics.epoch}`,
          });
          context.heartbeat({ ...progress });
          // Cancelled (workflow cancelled, or timed out): stop between epochs; the checkpoint lets a retry resume.
          if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
        },
      },
      onStep: async (step) => {
        notePeak();
        progress.step = step;
        context.heartbeat({ ...progress });
        // Lets the heartbeat out (the solver runs synchronously within a class) and stops a cancelled training.
        await new Promise((resolve) => setImmediate(resolve));
        if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
      },
    });
    notePeak();
    try {
      await mlflow.setTags(runId, { [RUN_TAGS.backend]: fitted.facts.backend });
      await logResults(run, experimentName, ids, selection, data, fitted, texts, peakRss, candidate);
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
    await deps.store.delete(checkpointKey(runId));
    return result;
  }

  /**
   * reference_data.csv's rows: papers the embedder was not fitted on (see lib/embedding/holdout),
   * with the trained model's predictions.
   */
  function referenceRowsOf(
    data: TrainingData,
    fitted: FittedCandidate,
    texts: Map<string, PaperWords> | undefined,
    holdout: EmbedderHoldout | undefined,
    limit: number,
  ): { rows: ReferenceRow[]; embedderInSample: boolean } {
    const choice = chooseReferenceRows(data.split, holdout ? (id) => isHeldOut(id, holdout) : undefined, limit);
    const testIndex = new Map(data.split.test.map((row, i) => [row.arxivId, i]));
    const others = choice.rows.filter(({ part }) => part !== 'test').map(({ row }) => row);
    const codes =
      others.length > 0
        ? argmaxRows(
            fitted.model.probabilities(others.map((row) => ({ vector: row.vector, ...texts?.get(row.arxivId) }))),
            fitted.model.classes,
          )
        : new Int32Array(0);
    const predicted = new Map(others.map((row, i) => [row.arxivId, fitted.encoder.decode(codes[i]!)]));
    const rows = choice.rows.map(({ row, part }): ReferenceRow => ({
      arxivId: row.arxivId,
      published: row.published,
      vector: row.vector,
      label: row.primaryCategory,
      prediction: part === 'test' ? fitted.testPredictions[testIndex.get(row.arxivId)!]! : predicted.get(row.arxivId)!,
      titleChars: row.text.titleChars,
      abstractChars: row.text.abstractChars,
      abstractWords: row.text.abstractWords,
      oovShare: row.text.oovShare,
    }));
    return { rows, embedderInSample: choice.embedderInSample };
  }

  /** Validation and test metrics and every artifact of a finished training. */
  async function logResults(
    run: Run,
    experimentName: string,
    ids: { workflowId: string; workflowRunId: string },
    selection: DataSelection & { referenceRows?: number },
    data: TrainingData,
    fitted: FittedCandidate,
    texts: Map<string, PaperWords> | undefined,
    peakRss: number,
    candidate: TrainingCandidate,
  ): Promise<void> {
    const runId = run.info.run_id;
    const { test, validation } = fitted;
    const { split } = data;
    const finalMetrics: Record<string, number> = {
      test_accuracy: test.accuracy,
      test_macro_f1: test.macroF1,
      val_accuracy_final: validation.accuracy,
      val_macro_f1: validation.macroF1,
      best_epoch: fitted.facts.bestEpoch,
      epochs_trained: fitted.facts.epochs,
      peak_rss_mb: Math.round(peakRss / 2 ** 20),
    };
    Object.assign(finalMetrics, fitted.facts.metrics);
    for (const metrics of test.perClass) {
      finalMetrics[`test_precision/${metrics.label}`] = metrics.precision;
      finalMetrics[`test_recall/${metrics.label}`] = metrics.recall;
      finalMetrics[`test_f1/${metrics.label}`] = metrics.f1;
    }
    await mlflow.logMetrics(runId, finalMetrics);

    const manifest = await embedderManifest(deps.store, data.embedderVersion);
    const referenceRows = referenceRowsOf(
      data,
      fitted,
      texts,
      manifest?.holdout,
      selection.referenceRows ?? DEFAULT_REFERENCE_ROWS,
    );
    await mlflow.setTags(runId, { [RUN_TAGS.referenceEmbedderInSample]: String(referenceRows.embedderInSample) });
    const predictions: TestPredictions = {
      ids: split.test.map((row) => row.arxivId),
      labels: split.test.map((row) => row.primaryCategory),
      predictions: fitted.testPredictions,
    };
    const kept = [...split.train, ...split.validation, ...split.test];
    const modelCard = {
      model:
        fitted.family === 'tfidf-linear'
          ? 'Linear SVMs (one per class) over tf-idf of the title and abstract, softmax-calibrated, of arXiv primary categories'
          : 'MLP classifier of arXiv primary categories over LSA embeddings (TensorFlow.js layers format)',
      family: fitted.family,
      createdAt: new Date().toISOString(),
      mlflow: { runId, experimentId: run.info.experiment_id, experiment: experimentName },
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
    const upload = (path: string, body: Buffer | string, type: string) => mlflow.uploadArtifact(run, path, body, type);
    // Self-contained: the embedder's exact bytes beside the model, so text → category needs MLflow alone.
    const embedderBytes = await deps.store.get(embedderKey(data.embedderVersion));
    const embedderSha256 = createHash('sha256').update(embedderBytes).digest('hex');
    await upload(RUN_ARTIFACTS.embedder, embedderBytes, 'application/octet-stream');
    await upload(
      RUN_ARTIFACTS.embedderManifest,
      JSON.stringify({ ...manifest, version: data.embedderVersion, sha256: embedderSha256 }, null, 2),
      'application/json',
    );
    const [example] = kept.length > 0 ? await readRawBatch(deps.store, kept[0]!.lineage.rawKey).catch(() => []) : [];
    await upload(
      RUN_ARTIFACTS.mlModel,
      mlModelFile({
        family: fitted.family,
        runId,
        createdAt: modelCard.createdAt,
        classes: [...fitted.encoder.classes],
        embedderVersion: data.embedderVersion,
        embedderSha256,
        backend: fitted.facts.backend,
      }),
      'text/yaml',
    );
    if (example)
      await upload(RUN_ARTIFACTS.inputExample, inputExample(example.title, example.abstract), 'application/json');
    for (const file of await fitted.modelFiles())
      await upload(`${RUN_ARTIFACTS.modelDir}/${file.name}`, file.body, file.contentType);
    await upload(RUN_ARTIFACTS.labelEncoder, JSON.stringify(fitted.encoder.toJSON(), null, 2), 'application/json');
    await upload(RUN_ARTIFACTS.referenceData, referenceDataCsv(referenceRows.rows), 'text/csv');
    await upload(RUN_ARTIFACTS.testPredictions, JSON.stringify(predictions), 'application/json');
    await upload(RUN_ARTIFACTS.confusionMatrix, confusionMatrixSvg(test.labels, test.confusion), 'image/svg+xml');
    await upload(RUN_ARTIFACTS.modelCard, JSON.stringify(modelCard, null, 2), 'application/json');
  }

  /** Heartbeats every few seconds while `work` runs (data loading has no epochs to beat between). */
  async function withHeartbeats<T>(progress: TrainProgress, work: () => Promise<T>): Promise<T> {
    const context = Context.current();
    context.heartbeat({ ...progress });
    const beat = setInterval(() => context.heartbeat({ ...progress }), HEARTBEAT_EVERY_MS);
    try {
      return await work();
    } finally {
      clearInterval(beat);
    }
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

  function trainResultOf(
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

  function preparedOf(run: Run, data: TrainingData, candidates: TrainingCandidate[]): PreparedTraining {
    const { split } = data;
    return {
      runId: run.info.run_id,
      experimentId: run.info.experiment_id,
      runUrl: mlflow.runUrl(run),
      embedderVersion: data.embedderVersion,
      classes: [...new Set(split.train.map((row) => row.primaryCategory))].sort(),
      excludedClasses: data.excludedClasses,
      storedRows: data.storedRows,
      trainRows: split.train.length,
      validationRows: split.validation.length,
      testRows: split.test.length,
      candidates,
    };
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
      const run = await findOrCreateRun(experiment.experiment_id, input.idempotencyKey, `train-${input.workflowId}`, {
        [RUN_TAGS.workflowId]: input.workflowId,
        [RUN_TAGS.workflowRunId]: input.workflowRunId,
        [RUN_TAGS.candidates]: candidates.map((candidate) => candidate.name).join(','),
      });
      if (run.info.status !== 'RUNNING' && run.info.status !== 'FINISHED')
        await mlflow.updateRun(run.info.run_id, 'RUNNING');
      const progress: TrainProgress = { runId: run.info.run_id, epoch: 0, maxEpochs: 0, step: 'selecting the papers' };
      return failingRun(run.info.run_id, () =>
        withHeartbeats(progress, async () => {
          const data = await trainingData(run, input, SPLIT_SEED);
          const prepared = preparedOf(run, data, candidates);
          if ((run.data.params ?? []).length === 0) {
            await mlflow.logParams(run.info.run_id, {
              ...dataParams(input, data, prepared.classes),
              candidates: candidates.map((candidate) => candidate.name).join(','),
            });
          }
          return prepared;
        }),
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
      const run = await findOrCreateRun(
        experiment.experiment_id,
        `${prepared.runId}/${candidate.name}`,
        candidate.name,
        {
          'mlflow.parentRunId': prepared.runId,
          [RUN_TAGS.workflowId]: input.workflowId,
          [RUN_TAGS.workflowRunId]: input.workflowRunId,
          [RUN_TAGS.candidate]: candidate.name,
        },
      );
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
        withHeartbeats(progress, async () => {
          const parent = await mlflow.getRun(prepared.runId);
          const selection = { from: input.from, until: input.until, referenceRows: input.referenceRows };
          const data = await trainingData(parent, selection, SPLIT_SEED);
          const result = await trainInRun(run, experiment.name, input, selection, data, candidate, progress);
          await mlflow.uploadArtifact(run, RUN_ARTIFACTS.result, JSON.stringify(result, null, 2), 'application/json');
          await mlflow.updateRun(run.info.run_id, 'FINISHED');
          return result;
        }),
      );
    });
  }

  /** Copies every artifact of the winner's run into the parent, so serving and monitoring read the parent as any training run. */
  async function copyWinnerArtifacts(winnerRun: Run, parent: Run, folder = ''): Promise<void> {
    for (const file of await mlflow.listArtifacts(winnerRun, folder)) {
      if (file.is_dir) {
        await copyWinnerArtifacts(winnerRun, parent, file.path);
        continue;
      }
      if (PARENT_OWN_ARTIFACTS.has(file.path)) continue;
      let body = await mlflow.downloadArtifact(winnerRun, file.path);
      if (file.path === RUN_ARTIFACTS.mlModel)
        body = Buffer.from(body.toString('utf8').replace(/^run_id: .*$/m, `run_id: ${parent.info.run_id}`));
      await mlflow.uploadArtifact(parent, file.path, body);
      Context.current().heartbeat({ copying: file.path });
    }
  }

  /**
   * Picks the candidate with the best validation macro-F1, records the comparison in the parent
   * run (candidates.json / .csv, a chart, metrics), and makes the parent the winner's model: its
   * artifacts at the paths serving and monitoring read, its family and test metrics. The champion
   * gate then scores the parent.
   */
  async function chooseCandidate(input: ChooseCandidateInput): Promise<TrainResult> {
    return failFastOn(async () => {
      const { prepared, candidates } = input;
      const parent = await mlflow.getRun(prepared.runId);
      if (parent.info.status === 'FINISHED')
        return JSON.parse(
          (await mlflow.downloadArtifact(parent, RUN_ARTIFACTS.result)).toString('utf8'),
        ) as TrainResult;
      const winner = chooseWinner(candidates);
      const winnerRun = await mlflow.getRun(winner.runId);
      await copyWinnerArtifacts(winnerRun, parent);
      await mlflow.uploadArtifact(
        parent,
        RUN_ARTIFACTS.candidates,
        JSON.stringify(
          { winner: winner.name, chosenBy: 'validation macro-F1', candidates, failed: input.failed ?? [] },
          null,
          2,
        ),
        'application/json',
      );
      await mlflow.uploadArtifact(
        parent,
        RUN_ARTIFACTS.candidatesCsv,
        candidatesCsv(candidates, winner.name),
        'text/csv',
      );
      await mlflow.uploadArtifact(
        parent,
        RUN_ARTIFACTS.candidatesChart,
        candidatesChartSvg(candidates, winner.name),
        'image/svg+xml',
      );
      if (!runParam(parent, MODEL_FAMILY_PARAM))
        await mlflow.logParams(parent.info.run_id, { [MODEL_FAMILY_PARAM]: winner.family, winner: winner.name });
      const metrics: Record<string, number> = {
        test_accuracy: winner.accuracy,
        test_macro_f1: winner.macroF1,
        val_accuracy_final: winner.validationAccuracy,
        val_macro_f1: winner.validationMacroF1,
        candidates: candidates.length,
      };
      for (const [label, f1] of Object.entries(winner.perClassF1)) metrics[`test_f1/${label}`] = f1;
      for (const candidate of candidates)
        metrics[`candidate_val_macro_f1/${candidate.name.replace(/[^\w./ -]/g, '_')}`] = candidate.validationMacroF1;
      await mlflow.logMetrics(parent.info.run_id, metrics);
      await mlflow.setTags(parent.info.run_id, {
        [RUN_TAGS.winner]: winner.name,
        [RUN_TAGS.referenceEmbedderInSample]: runTag(winnerRun, RUN_TAGS.referenceEmbedderInSample) ?? 'false',
        'mlflow.note.content': `Candidates ${candidates.map((c) => `${c.name} (validation macro-F1 ${c.validationMacroF1.toFixed(4)})`).join(', ')}; the winner, ${winner.name}, is this run's model.`,
      });
      const result = trainResultOf(prepared, winner, (Date.now() - input.startedAt) / 1000, candidates);
      await mlflow.uploadArtifact(parent, RUN_ARTIFACTS.result, JSON.stringify(result, null, 2), 'application/json');
      await mlflow.updateRun(parent.info.run_id, 'FINISHED');
      return result;
    });
  }

  /**
   * The single-run training of workflows started before candidates: an MLP in the workflow's own
   * run. Kept so those workflows finish on this worker.
   */
  async function trainModel(input: TrainInput): Promise<TrainResult> {
    return failFastOn(async () => {
      const experiment = await trainingExperiment();
      const run = await findOrCreateRun(experiment.experiment_id, input.idempotencyKey, `train-${input.workflowId}`, {
        [RUN_TAGS.workflowId]: input.workflowId,
        [RUN_TAGS.workflowRunId]: input.workflowRunId,
      });
      if (run.info.status === 'FINISHED')
        return JSON.parse((await mlflow.downloadArtifact(run, RUN_ARTIFACTS.result)).toString('utf8')) as TrainResult;
      if (run.info.status !== 'RUNNING') await mlflow.updateRun(run.info.run_id, 'RUNNING');
      const progress: TrainProgress = { runId: run.info.run_id, epoch: 0, maxEpochs: 0 };
      return failingRun(run.info.run_id, () =>
        withHeartbeats(progress, async () => {
          const started = Date.now();
          const data = await trainingData(run, input, input.hyperparameters?.seed ?? SPLIT_SEED);
          const candidate: TrainingCandidate = {
            name: 'lsa-mlp',
            family: 'lsa-mlp',
            hyperparameters: { ...input.hyperparameters },
          };
          const trained = await trainInRun(run, experiment.name, input, input, data, candidate, progress);
          const result = trainResultOf(preparedOf(run, data, [candidate]), trained, (Date.now() - started) / 1000);
          await mlflow.uploadArtifact(run, RUN_ARTIFACTS.result, JSON.stringify(result, null, 2), 'application/json');
          await mlflow.updateRun(run.info.run_id, 'FINISHED');
          return result;
        }),
      );
    });
  }

  return { trainModel, prepareTraining, trainCandidate, chooseCandidate };
}
