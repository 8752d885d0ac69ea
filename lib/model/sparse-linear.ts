/*
 * Training the sparse linear family (see sparse-linear-config.ts): the vocabulary, one SVM per
 * class (here or on solver threads), the softmax temperature, then the refit on every paper.
 */
import { availableParallelism } from 'node:os';
import type { CsrMatrix } from '../embedding/linalg';
import { fitTfidf } from '../embedding/tfidf';
import { DEFAULT_SPARSE_LINEAR_CONFIG, type SparseLinearConfig, type SparseLinearState } from './sparse-linear-config';
import { MissingTitleError, SparseLinearModel, type SparseDocument } from './sparse-linear-model';
import { argmax, fitTemperature } from './softmax-temperature';
import { fitBinarySvm, type ClassFit } from './svm-solver';
import { shared, solveClassesInThreads } from './svm-threads';
import { keepLargest, margins, nonzeroWeights, termMajor, type ClassWeights } from './term-weights';

export interface SparseLinearTraining {
  model: SparseLinearModel;
  classFits: ClassFit[];
  /**
   * The class codes predicted for the calibration papers by the model trained without them (the
   * figures that choose between candidates; with refit, the returned model has seen them).
   */
  calibrationPredictions: Int32Array;
  /** Papers the returned model was trained on. */
  trainedPapers: number;
  seconds: { vocabulary: number; matrix: number; solver: number; calibration: number; refit: number };
}

/** From this many rows × classes on, the solver runs on every core (below, threads cost more than they save). */
export const THREADS_FROM = 100_000;

export interface SparseTrainingSet {
  texts: readonly string[];
  /** Needed when titleWeight > 0. */
  titles?: readonly string[];
  labels: readonly number[];
}

/** The sets' papers, one after the other. */
function* documentsOf(...sets: Array<SparseTrainingSet | undefined>): Generator<SparseDocument> {
  for (const set of sets)
    if (set) for (let i = 0; i < set.texts.length; i += 1) yield { text: set.texts[i]!, title: set.titles?.[i] };
}

/**
 * Fits the vocabulary on the training texts, one SVM per class, then the softmax temperature on the
 * calibration papers (held out from training; without them, on the training papers). The weights
 * are kept as float32, as they are stored, so a reloaded model predicts exactly as this one.
 */
export async function trainSparseLinear(
  train: SparseTrainingSet,
  classes: number,
  config: SparseLinearConfig = DEFAULT_SPARSE_LINEAR_CONFIG,
  /** Papers to fit the temperature on, or the temperature itself (found on them before). */
  calibration?: SparseTrainingSet | { temperature: number },
  onStep: (step: string) => void | Promise<void> = () => undefined,
  /** Solver threads (default: the cores, once rows × classes reach THREADS_FROM; 1: this thread). */
  threads?: number,
): Promise<SparseLinearTraining> {
  if (train.texts.length !== train.labels.length)
    throw new Error(`${train.texts.length} texts but ${train.labels.length} labels`);
  if (classes < 2) throw new Error(`a classifier needs at least 2 classes, got ${classes}`);
  const withTitles = config.titleWeight > 0;
  if (withTitles && train.titles?.length !== train.texts.length)
    throw new MissingTitleError(`titleWeight ${config.titleWeight} needs the title of every training paper`);
  let started = performance.now();
  await onStep('vocabulary');
  const titleTfidf = withTitles
    ? fitTfidf(train.titles!, { ...config.tfidf, maxFeatures: Math.floor(config.tfidf.maxFeatures / 4) })
    : undefined;
  const tfidf = fitTfidf(train.texts, config.tfidf);
  const vocabularySeconds = (performance.now() - started) / 1000;
  started = performance.now();
  await onStep('tf-idf matrix');
  const featureModel = new SparseLinearModel({
    config,
    tfidf,
    titleTfidf,
    classes,
    weights: termMajor([], 0),
    bias: new Float32Array(classes),
    temperature: 1,
  });
  const solverThreads = threads ?? (train.labels.length * classes >= THREADS_FROM ? availableParallelism() : 1);
  const held = calibration && 'texts' in calibration && calibration.texts.length > 0 ? calibration : undefined;
  // One matrix, the training rows then the calibration rows, so the refit trains on it as it is;
  // the first fit reads its first rows. The threads read the one copy: it moves to shared memory.
  const { columnOf, featureOf } = featureModel.columnsByFrequency();
  const { x: all, slack } = featureModel.matrix(documentsOf(train, held), { shared: solverThreads > 1, columnOf });
  const x = firstRows(all, train.labels.length);
  const matrixSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  const features = featureModel.features;
  const bias = new Float32Array(classes);
  const classFits: ClassFit[] = [];
  const alphas: Float64Array[] = [];
  // Each class's weights as its solver ends (by column), then the largest maxWeights of them.
  const solve = async (
    matrix: CsrMatrix,
    labels: readonly number[],
    step: string,
    warm?: Float64Array[],
  ): Promise<ClassWeights[]> => {
    // The slack goes to the threads as it is, in shared memory.
    const options = {
      maxEpochs: warm ? config.refitMaxEpochs : config.maxEpochs,
      tolerance: config.tolerance,
      seed: config.seed,
      ...(config.unknownTermsAsSlack ? { slack: slack.subarray(0, matrix.rows) } : {}),
    };
    // Local, so that once the largest are kept the rest can be collected at once.
    const classWeights: ClassWeights[] = [];
    const costOf = costsOf(labels, classes, config);
    if (solverThreads > 1) {
      const problems = {
        x: matrix,
        labels: shared(Int32Array.from(labels)),
        costs: shared(Float64Array.from({ length: matrix.rows }, (_, row) => costOf(row))),
        options,
      };
      let solved = 0;
      await solveClassesInThreads(problems, classes, solverThreads, warm, async (k, fitted) => {
        classWeights[k] = nonzeroWeights(fitted.weights);
        bias[k] = fitted.bias;
        classFits[k] = fitted.fit;
        if (config.refit && !warm) alphas[k] = fitted.alpha;
        solved += 1;
        await onStep(`${step}class ${solved}/${classes}`);
      });
      return keepLargest(classWeights, config.maxWeights);
    }
    for (let k = 0; k < classes; k += 1) {
      // Awaited between classes: the caller heartbeats, and may stop a cancelled training here.
      await onStep(`${step}class ${k + 1}/${classes}`);
      const fitted = fitBinarySvm(matrix, (row) => labels[row] === k, costOf, {
        ...options,
        seed: config.seed + k,
        initialAlpha: warm?.[k],
      });
      classWeights[k] = nonzeroWeights(fitted.weights);
      bias[k] = fitted.bias;
      classFits[k] = fitted.fit;
      if (config.refit && !warm) alphas[k] = fitted.alpha;
    }
    return keepLargest(classWeights, config.maxWeights);
  };
  let firstFit: ClassWeights[] | undefined = await solve(x, train.labels, '');
  const refitting = config.refit && held !== undefined;
  const solverSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  await onStep('calibration');
  // Renumbers the solver's columns as features in place (each solution is converted once), so the
  // peak holds no second copy of 25 M indices.
  const byFeature = (fitted: ClassWeights[]) => {
    for (const { indices } of fitted) for (let p = 0; p < indices.length; p += 1) indices[p] = featureOf[indices[p]!]!;
    return termMajor(fitted, features);
  };
  const state: SparseLinearState = {
    config,
    tfidf,
    ...(titleTfidf ? { titleTfidf } : {}),
    classes,
    weights: refitting ? termMajor([], features) : byFeature(firstFit),
    bias,
    temperature: 1,
  };
  let calibrationPredictions = new Int32Array(0);
  if (calibration && 'temperature' in calibration) {
    state.temperature = calibration.temperature;
  } else {
    // The calibration papers (without them: the training papers), as the model will see them.
    const papers = held ?? train;
    const firstWeights = refitting ? byFeature(firstFit!) : state.weights;
    const scores = Array.from({ length: papers.labels.length }, (_, i) => {
      const { indices, values } = featureModel.vectorize({ text: papers.texts[i]!, title: papers.titles?.[i] });
      return margins(firstWeights, bias, indices, values);
    });
    const labels = papers.labels;
    state.temperature = fitTemperature(scores, labels);
    if (held) calibrationPredictions = Int32Array.from(scores, argmax);
  }
  const calibrationSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  let trainedPapers = train.labels.length;
  if (refitting) {
    // The same vocabulary and settings on training + calibration papers, each class's solver
    // started from its first solution (the calibration papers' duals at 0): a few passes more.
    // The first weights are dropped first: only their duals are needed.
    firstFit = undefined;
    state.weights = byFeature(
      await solve(all, [...train.labels, ...held!.labels], 'refit on training + validation: ', alphas),
    );
    trainedPapers = all.rows;
  }
  return {
    model: new SparseLinearModel(state),
    classFits,
    calibrationPredictions,
    trainedPapers,
    seconds: {
      vocabulary: vocabularySeconds,
      matrix: matrixSeconds,
      solver: solverSeconds,
      calibration: calibrationSeconds,
      refit: (performance.now() - started) / 1000,
    },
  };
}

/** Each paper's C: config.c, times its class's balanced weight (to balancePower) when balanced. */
function costsOf(labels: readonly number[], classes: number, config: SparseLinearConfig): (row: number) => number {
  if (!config.balanced) return () => config.c;
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) counts[label]! += 1;
  const weight = counts.map((count) =>
    count > 0 ? (labels.length / (classes * count)) ** (config.balancePower ?? 1) : 0,
  );
  return (row) => config.c * weight[labels[row]!]!;
}

/** The first `rows` rows of a matrix, as a view on its arrays. */
function firstRows(m: CsrMatrix, rows: number): CsrMatrix {
  return { rows, cols: m.cols, indptr: m.indptr.subarray(0, rows + 1), indices: m.indices, values: m.values };
}
