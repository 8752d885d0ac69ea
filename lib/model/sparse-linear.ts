import { availableParallelism } from 'node:os';
import { CsrBuilder, seededRandom, type CsrMatrix } from '../embedding/linalg';
import { shared, solveClassesInThreads } from './svm-threads';
import { fitTfidf, TfidfVectorizer, type TfidfConfig, type TfidfState } from '../embedding/tfidf';
import type { TokenSpans } from '../embedding/tokenize';
import { keepLargest, margins, nonzeroWeights, termMajor, type ClassWeights, type TermWeights } from './term-weights';

/**
 * The sparse linear family: tf-idf (uni+bigrams, sublinear tf) straight into one linear SVM per
 * class (squared hinge, L2, one-vs-rest — what scikit-learn's LinearSVC fits), trained by dual
 * coordinate descent on the sparse rows. Margins become probabilities through a softmax whose
 * temperature is fitted on held-out papers, so top-k and the monitor's prediction column work
 * as with the MLP.
 */
export interface SparseLinearConfig {
  tfidf: TfidfConfig;
  /**
   * The title's own tf-idf block (same n-grams), beside the whole text's, scaled by this (0: none).
   * Words of the title say more of the category than words of the abstract: on the 10 × 2,000
   * benchmark split, 0.5 adds about 0.6 points of accuracy.
   */
  titleWeight: number;
  /** Inverse regularization strength (LinearSVC's C). */
  c: number;
  /** Each paper's C is multiplied by (n / (classes · n_class))^balancePower: small classes weigh more. */
  balanced: boolean;
  /** 1: small classes weigh as much as large ones; below 1, part of the way (0.5 halves the gap on a log scale). */
  balancePower: number;
  /**
   * After calibrating on validation, train again on training + validation papers (same vocabulary
   * and settings, each class's solver warm-started from its first solution) and keep that model
   * with the temperature found on validation: 14% more papers to learn from, as the peer gets.
   * Validation figures stay those of the model trained without them.
   */
  refit: boolean;
  /** At most this many passes over the papers per class. */
  maxEpochs: number;
  /**
   * At most this many passes per class in the refit, which starts from the first solution: the
   * last passes to the tolerance cost as much as the first fit and barely move the test figures.
   */
  refitMaxEpochs: number;
  /** Stop a class when the projected gradient's spread falls below this (liblinear's ε). */
  tolerance: number;
  seed: number;
  /**
   * At most this many non-zero weights (over all classes and terms): beyond it, those of smallest
   * magnitude are dropped. Bounds the model file and the server's memory (6 bytes a weight) as the
   * classes and the corpus grow.
   */
  maxWeights: number;
  /**
   * Terms outside the vocabulary (in a training paper: mostly terms no other paper has) still
   * count in each paper's norm, and in the solver their part of it becomes that paper's own slack
   * (a term in one training row only adds its squared value to that row's diagonal in the dual):
   * what the whole vocabulary's once-seen terms do to training, without their columns.
   */
  unknownTermsAsSlack: boolean;
}

export const DEFAULT_SPARSE_LINEAR_CONFIG: SparseLinearConfig = {
  tfidf: { ngramMax: 2, minDf: 1, maxDfRatio: 1, maxFeatures: 1_500_000, sublinearTf: true },
  titleWeight: 0.5,
  c: 0.5,
  // Measured on bench:train's all100 split (46 classes, 98,584 training papers): class weights to
  // the power 0.3 and the refit take accuracy from 73.88% to 74.43% and macro-F1 from 37.4% to 44.7%.
  balanced: true,
  balancePower: 0.3,
  refit: true,
  maxEpochs: 60,
  refitMaxEpochs: 60,
  tolerance: 0.1,
  seed: 42,
  maxWeights: 25_000_000,
  unknownTermsAsSlack: true,
};

export interface SparseLinearState {
  config: SparseLinearConfig;
  tfidf: TfidfState;
  /** The title block's vocabulary, when titleWeight > 0; its features follow the text's. */
  titleTfidf?: TfidfState;
  classes: number;
  /** The non-zero weights, term by term (text terms, then title terms). */
  weights: TermWeights;
  bias: Float32Array;
  /** Margins are divided by it before the softmax. */
  temperature: number;
}

/** How one class's solver ended. */
export interface ClassFit {
  epochs: number;
  converged: boolean;
}

/** A paper as this family reads it: the whole text (title and abstract), and the title alone. */
export interface SparseDocument {
  text: string;
  title?: string;
  /** The text's tokens, when the caller scanned them already (the embedder did, in serving). */
  tokens?: TokenSpans;
}

export class MissingTitleError extends Error {
  override readonly name = 'MissingTitleError';
  readonly permanent = true;
}

export class SparseLinearModel {
  private readonly vectorizer: TfidfVectorizer;
  private readonly titleVectorizer: TfidfVectorizer | undefined;

  constructor(readonly state: SparseLinearState) {
    this.vectorizer = new TfidfVectorizer(state.tfidf);
    this.titleVectorizer = state.titleTfidf ? new TfidfVectorizer(state.titleTfidf) : undefined;
  }

  get features(): number {
    return this.state.tfidf.terms.length + (this.state.titleTfidf?.terms.length ?? 0);
  }

  /** The paper's feature vector: the text's tf-idf, then the title's scaled by titleWeight. */
  vectorize(document: SparseDocument): { indices: Int32Array; values: Float64Array } {
    return this.row(document, false);
  }

  /**
   * The paper's row as the solver reads it, and its slack: the squared weight of its terms outside
   * the vocabulary (with unknownTermsAsSlack: they count in its norm, as the whole vocabulary's
   * once-seen terms would; a paper to predict has no slack, and its norm is its known terms').
   */
  private row(
    document: SparseDocument,
    training: boolean,
  ): { indices: Int32Array; values: Float64Array; slack: number } {
    const withUnknown = training && this.state.config.unknownTermsAsSlack;
    const text = block(this.vectorizer, this.state.tfidf, document.text, withUnknown, document.tokens);
    if (!this.titleVectorizer) return text;
    if (document.title === undefined)
      throw new MissingTitleError('this model reads the title apart from the text, and the paper came without it');
    const title = block(this.titleVectorizer, this.state.titleTfidf!, document.title, withUnknown);
    const scale = this.state.config.titleWeight;
    const { indices, values } = concatenate(text, title, this.state.tfidf.terms.length, scale);
    return { indices, values, slack: text.slack + scale * scale * title.slack };
  }

  /** Each class's margin for one paper. */
  margins(document: SparseDocument): Float64Array {
    const { indices, values } = this.vectorize(document);
    return margins(this.state.weights, this.state.bias, indices, values);
  }

  /** Probabilities over the classes (they sum to 1; the largest is the largest margin's). */
  predictProba(document: SparseDocument): Float64Array {
    return softmax(this.margins(document), this.state.temperature);
  }

  predict(document: SparseDocument): number {
    return argmax(this.margins(document));
  }

  /**
   * The papers' rows, as the solver reads them: in shared memory when asked (for solver threads),
   * feature f in column `columnOf[f]` when given.
   */
  matrix(
    documents: Iterable<SparseDocument>,
    options: { shared?: boolean; columnOf?: Int32Array } = {},
  ): { x: CsrMatrix; slack: Float64Array } {
    const builder = new CsrBuilder(this.features);
    const { columnOf } = options;
    const slack: number[] = [];
    for (const document of documents) {
      const row = this.row(document, true);
      const { indices, values } = row;
      if (columnOf) for (let p = 0; p < indices.length; p += 1) indices[p] = columnOf[indices[p]!]!;
      builder.addRow(indices, values);
      slack.push(row.slack);
    }
    const x = builder.build(options);
    return { x, slack: options.shared ? shared(Float64Array.from(slack)) : Float64Array.from(slack) };
  }

  /**
   * Features ordered by document frequency, most frequent first (by idf, which falls as it rises):
   * the solver's weight vector is read at every term of every row, and with the frequent terms
   * side by side the part it keeps reading stays in the CPU's cache — with millions of terms in
   * alphabetical order, the solver ran three times slower.
   */
  columnsByFrequency(): { columnOf: Int32Array; featureOf: Int32Array } {
    const idf = new Float64Array(this.features);
    idf.set(this.state.tfidf.idf);
    if (this.state.titleTfidf) idf.set(this.state.titleTfidf.idf, this.state.tfidf.terms.length);
    const featureOf = Int32Array.from(idf.keys()).sort((a, b) => idf[a]! - idf[b]! || a - b);
    const columnOf = new Int32Array(this.features);
    featureOf.forEach((feature, column) => (columnOf[feature] = column));
    return { columnOf, featureOf };
  }
}

function block(
  vectorizer: TfidfVectorizer,
  tfidf: TfidfState,
  text: string,
  withUnknown: boolean,
  tokens?: TokenSpans,
): { indices: Int32Array; values: Float64Array; slack: number } {
  if (!withUnknown) {
    const { indices, values } = vectorizer.vectorize(text, tokens);
    return { indices, values, slack: 0 };
  }
  // An unknown term weighs as a term seen in one of the vocabulary's documents.
  const { indices, values, unknownShare } = vectorizer.vectorizeWithUnknown(
    text,
    Math.log((1 + tfidf.documents) / 2) + 1,
  );
  return { indices, values, slack: unknownShare };
}

function concatenate(
  a: { indices: Int32Array; values: Float64Array },
  b: { indices: Int32Array; values: Float64Array },
  offset: number,
  scale: number,
) {
  const indices = new Int32Array(a.indices.length + b.indices.length);
  const values = new Float64Array(indices.length);
  indices.set(a.indices);
  values.set(a.values);
  for (let p = 0; p < b.indices.length; p += 1) {
    indices[a.indices.length + p] = b.indices[p]! + offset;
    values[a.indices.length + p] = b.values[p]! * scale;
  }
  return { indices, values };
}

export function softmax(margins: Float64Array, temperature: number): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const m of margins) if (m > max) max = m;
  const out = new Float64Array(margins.length);
  let sum = 0;
  for (let k = 0; k < margins.length; k += 1) {
    out[k] = Math.exp((margins[k]! - max) / temperature);
    sum += out[k]!;
  }
  for (let k = 0; k < out.length; k += 1) out[k]! /= sum;
  return out;
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < values.length; k += 1) if (values[k]! > values[best]!) best = k;
  return best;
}

/**
 * One binary squared-hinge SVM, w · x + b, by dual coordinate descent with shrinking (Hsieh et al.,
 * ICML 2008): each step solves the dual exactly in one paper's α, and papers whose α stays at 0
 * with a gradient beyond the last pass's spread leave the active set (most papers, once the
 * margin is found), so later passes sweep only the support vectors. Converged on the active set,
 * one pass over every paper confirms it. The bias is the weight of a constant feature 1,
 * regularized as liblinear does. `slack` adds to a row's diagonal: the squared values of its terms
 * that no other row has, whose weights the dual keeps implicitly.
 */
export function fitBinarySvm(
  x: CsrMatrix,
  positive: (row: number) => boolean,
  costOf: (row: number) => number,
  options: { maxEpochs: number; tolerance: number; seed: number; initialAlpha?: Float64Array; slack?: Float64Array },
): { weights: Float64Array; bias: number; alpha: Float64Array; fit: ClassFit } {
  const { rows, indptr, indices, values } = x;
  const w = new Float64Array(x.cols);
  let b = 0;
  const alpha = new Float64Array(rows);
  // A warm start (the dual of a fit on some of these rows): w = Σ αᵢ yᵢ xᵢ.
  if (options.initialAlpha) {
    alpha.set(options.initialAlpha.subarray(0, rows));
    for (let i = 0; i < rows; i += 1) {
      const step = alpha[i]! * (positive(i) ? 1 : -1);
      if (step === 0) continue;
      for (let p = indptr[i]!; p < indptr[i + 1]!; p += 1) w[indices[p]!]! += step * values[p]!;
      b += step;
    }
  }
  const diagonal = new Float64Array(rows);
  const qii = new Float64Array(rows);
  const sign = new Int8Array(rows);
  for (let i = 0; i < rows; i += 1) {
    diagonal[i] = 1 / (2 * costOf(i)) + (options.slack?.[i] ?? 0);
    let squared = 1; // the bias feature
    for (let p = indptr[i]!; p < indptr[i + 1]!; p += 1) squared += values[p]! * values[p]!;
    qii[i] = squared + diagonal[i]!;
    sign[i] = positive(i) ? 1 : -1;
  }
  const active = Int32Array.from({ length: rows }, (_, i) => i);
  let activeSize = rows;
  const random = seededRandom(options.seed);
  let shrinkAbove = Number.POSITIVE_INFINITY;
  let epoch = 0;
  let converged = false;
  while (epoch < options.maxEpochs) {
    epoch += 1;
    for (let s = activeSize - 1; s > 0; s -= 1) {
      const j = Math.floor(random() * (s + 1));
      const swap = active[s]!;
      active[s] = active[j]!;
      active[j] = swap;
    }
    let maxProjected = Number.NEGATIVE_INFINITY;
    let minProjected = Number.POSITIVE_INFINITY;
    for (let s = 0; s < activeSize; s += 1) {
      const i = active[s]!;
      const y = sign[i]!;
      let dot = b;
      for (let p = indptr[i]!; p < indptr[i + 1]!; p += 1) dot += w[indices[p]!]! * values[p]!;
      const gradient = y * dot - 1 + diagonal[i]! * alpha[i]!;
      let projected = gradient;
      if (alpha[i] === 0) {
        if (gradient > shrinkAbove) {
          activeSize -= 1;
          active[s] = active[activeSize]!;
          active[activeSize] = i;
          s -= 1;
          continue;
        }
        if (gradient > 0) projected = 0;
      }
      if (projected > maxProjected) maxProjected = projected;
      if (projected < minProjected) minProjected = projected;
      if (Math.abs(projected) <= 1e-12) continue;
      const before = alpha[i]!;
      alpha[i] = Math.max(before - gradient / qii[i]!, 0);
      const step = (alpha[i]! - before) * y;
      for (let p = indptr[i]!; p < indptr[i + 1]!; p += 1) w[indices[p]!]! += step * values[p]!;
      b += step;
    }
    if (maxProjected - minProjected <= options.tolerance) {
      if (activeSize === rows) {
        converged = true;
        break;
      }
      activeSize = rows;
      shrinkAbove = Number.POSITIVE_INFINITY;
      continue;
    }
    shrinkAbove = maxProjected <= 0 ? Number.POSITIVE_INFINITY : maxProjected;
  }
  return { weights: w, bias: b, alpha, fit: { epochs: epoch, converged } };
}

/**
 * The temperature T minimizing the held-out papers' log loss of softmax(margins / T), searched on
 * log T (golden section over [1e-3, 1e3]); the ranking of classes, hence top-1, does not depend on it.
 */
export function fitTemperature(margins: readonly Float64Array[], labels: readonly number[]): number {
  if (margins.length === 0) return 1;
  const loss = (logT: number) => {
    const t = Math.exp(logT);
    let total = 0;
    margins.forEach((m, i) => {
      let max = Number.NEGATIVE_INFINITY;
      for (const v of m) if (v > max) max = v;
      let sum = 0;
      for (const v of m) sum += Math.exp((v - max) / t);
      total += Math.log(sum) - (m[labels[i]!]! - max) / t;
    });
    return total / margins.length;
  };
  const ratio = (Math.sqrt(5) - 1) / 2;
  let low = Math.log(1e-3);
  let high = Math.log(1e3);
  let a = high - ratio * (high - low);
  let b = low + ratio * (high - low);
  let fa = loss(a);
  let fb = loss(b);
  for (let step = 0; step < 60; step += 1) {
    if (fa <= fb) {
      high = b;
      b = a;
      fb = fa;
      a = high - ratio * (high - low);
      fa = loss(a);
    } else {
      low = a;
      a = b;
      fa = fb;
      b = low + ratio * (high - low);
      fb = loss(b);
    }
  }
  return Math.exp((low + high) / 2);
}

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

/**
 * Fits the vocabulary on the training texts, one SVM per class, then the softmax temperature on the
 * calibration papers (held out from training; without them, on the training papers). The weights
 * are kept as float32, as they are stored, so a reloaded model predicts exactly as this one.
 */
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
