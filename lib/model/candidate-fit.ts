import { TrainingDataError, trainClassifier } from './classifier';
import {
  argmaxRows,
  mlpModel,
  sparseLinearModel,
  type CategoryModel,
  type ModelFamily,
  type PaperInput,
} from './family';
import { LabelEncoder } from './label-encoder';
import { evaluate, type Evaluation } from './metrics';
import { DEFAULT_HYPERPARAMETERS, type MlpHyperparameters } from './mlp';
import { trainSparseLinear } from './sparse-linear';
import { DEFAULT_SPARSE_LINEAR_CONFIG, type SparseLinearConfig } from './sparse-linear-config';
import { serializeSparseLinear } from './sparse-linear-file';
import type { TrainingHooks } from './train-loop';
import type { TrainingCandidate } from './candidates';

/** A labelled paper as the families read it. */
export interface LabeledPaper extends PaperInput {
  id: string;
  label: string;
}

export interface CandidateData {
  train: readonly LabeledPaper[];
  validation: readonly LabeledPaper[];
  test: readonly LabeledPaper[];
}

/** A file of the model, under the run's `model/` directory. */
export interface ModelFile {
  name: string;
  body: Buffer | string;
  contentType: string;
}

/** How the fit went, for the run's metrics and the comparison. */
export interface FitFacts {
  /** MLP: the epoch whose weights were kept; sparse: 0. */
  bestEpoch: number;
  /** MLP: epochs run; sparse: the most solver passes any class needed. */
  epochs: number;
  stoppedEarly: boolean;
  backend: string;
  /** Family-specific figures for the run's metrics (seconds per stage, vocabulary size, temperature). */
  metrics: Record<string, number>;
}

export interface FittedCandidate {
  family: ModelFamily;
  model: CategoryModel;
  encoder: LabelEncoder;
  validation: Evaluation;
  test: Evaluation;
  testPredictions: string[];
  facts: FitFacts;
  modelFiles(): Promise<ModelFile[]>;
  dispose(): void;
}

export interface CandidateHooks {
  /** MLP only: checkpoints and per-epoch callbacks. */
  mlp?: TrainingHooks;
  /** Called between stages (sparse: between classes); may throw to stop. */
  onStep?: (step: string) => void | Promise<void>;
}

function predictedLabels(model: CategoryModel, encoder: LabelEncoder, papers: readonly LabeledPaper[]): string[] {
  return Array.from(argmaxRows(model.probabilities(papers), model.classes), (code) => encoder.decode(code));
}

function evaluateOn(encoder: LabelEncoder, papers: readonly LabeledPaper[], predicted: readonly string[]): Evaluation {
  return evaluate(
    papers.map((paper) => encoder.encode(paper.label)),
    predicted.map((label) => encoder.encode(label)),
    encoder.classes,
  );
}

export function mlpSettings(candidate: TrainingCandidate): MlpHyperparameters {
  return { ...DEFAULT_HYPERPARAMETERS, ...(candidate.hyperparameters as Partial<MlpHyperparameters>) };
}

export function sparseSettings(candidate: TrainingCandidate): SparseLinearConfig {
  const { minDf, maxFeatures, ...solver } = candidate.hyperparameters as Record<string, number | boolean>;
  const tfidf = {
    ...DEFAULT_SPARSE_LINEAR_CONFIG.tfidf,
    ...(minDf !== undefined ? { minDf: Number(minDf) } : {}),
    ...(maxFeatures !== undefined ? { maxFeatures: Number(maxFeatures) } : {}),
  };
  return { ...DEFAULT_SPARSE_LINEAR_CONFIG, ...(solver as Partial<SparseLinearConfig>), tfidf };
}

async function fitLsaMlp(data: CandidateData, hp: MlpHyperparameters, hooks: CandidateHooks): Promise<FittedCandidate> {
  const asExample = (paper: LabeledPaper) => {
    if (!paper.vector)
      throw new TrainingDataError(`paper ${paper.id} has no LSA vector: the lsa-mlp family trains on stored features`);
    return { id: paper.id, label: paper.label, vector: paper.vector };
  };
  const trained = await trainClassifier(
    { train: data.train.map(asExample), validation: data.validation.map(asExample), test: data.test.map(asExample) },
    hp,
    hooks.mlp ?? {},
  );
  const model = mlpModel(trained.model);
  const validationPredictions = predictedLabels(model, trained.encoder, data.validation);
  return {
    family: 'lsa-mlp',
    model,
    encoder: trained.encoder,
    validation: evaluateOn(trained.encoder, data.validation, validationPredictions),
    test: trained.evaluation,
    testPredictions: trained.testPredictions,
    facts: {
      bestEpoch: trained.outcome.bestEpoch,
      epochs: trained.outcome.history.length,
      stoppedEarly: trained.outcome.stoppedEarly,
      backend: trained.backend,
      metrics: {},
    },
    async modelFiles() {
      const { modelJson, weights } = await trained.model.toArtifacts();
      return [
        { name: 'model.json', body: modelJson, contentType: 'application/json' },
        { name: 'weights.bin', body: weights, contentType: 'application/octet-stream' },
      ];
    },
    dispose: () => model.dispose(),
  };
}

async function fitTfidfLinear(
  data: CandidateData,
  config: SparseLinearConfig,
  hooks: CandidateHooks,
): Promise<FittedCandidate> {
  const textOf = (paper: LabeledPaper) => {
    if (paper.text === undefined)
      throw new TrainingDataError(
        `paper ${paper.id} has no text: the tfidf-linear family trains on the raw batches' text`,
      );
    return paper.text;
  };
  const encoder = LabelEncoder.fromLabels(data.train.map((paper) => paper.label));
  if (encoder.size < 2) throw new TrainingDataError(`training needs at least two classes, found ${encoder.size}`);
  const titleOf = (paper: LabeledPaper) => {
    if (paper.title === undefined)
      throw new TrainingDataError(
        `paper ${paper.id} has no title: the tfidf-linear family reads it apart from the text`,
      );
    return paper.title;
  };
  const labelled = (papers: readonly LabeledPaper[]) => ({
    texts: papers.map(textOf),
    titles: config.titleWeight > 0 ? papers.map(titleOf) : undefined,
    labels: papers.map((paper) => encoder.encode(paper.label)),
  });
  const trained = await trainSparseLinear(
    labelled(data.train),
    encoder.size,
    config,
    labelled(data.validation),
    hooks.onStep,
  );
  // Predicted by the model trained without the validation papers, even when it was then refitted with them.
  const validation = evaluateOn(
    encoder,
    data.validation,
    Array.from(trained.calibrationPredictions, (code) => encoder.decode(code)),
  );
  const model = sparseLinearModel(trained.model);
  const testPredictions = predictedLabels(model, encoder, data.test);
  return {
    family: 'tfidf-linear',
    model,
    encoder,
    validation,
    test: evaluateOn(encoder, data.test, testPredictions),
    testPredictions,
    facts: {
      bestEpoch: 0,
      epochs: Math.max(0, ...trained.classFits.map((fit) => fit.epochs)),
      stoppedEarly: false,
      backend: 'typed-arrays',
      metrics: {
        features: trained.model.features,
        nonzero_weights: trained.model.state.weights.values.length,
        trained_papers: trained.trainedPapers,
        temperature: trained.model.state.temperature,
        converged_classes: trained.classFits.filter((fit) => fit.converged).length,
        ...Object.fromEntries(Object.entries(trained.seconds).map(([stage, seconds]) => [`seconds/${stage}`, seconds])),
      },
    },
    async modelFiles() {
      return [
        {
          name: 'sparse_linear.bin',
          body: serializeSparseLinear(trained.model),
          contentType: 'application/octet-stream',
        },
      ];
    },
    dispose: () => model.dispose(),
  };
}

/** The full settings a candidate trains with (its spec over its family's defaults), flat, for the run's params. */
export function candidateSettings(candidate: TrainingCandidate): Record<string, number | boolean> {
  if (candidate.family === 'lsa-mlp') return { ...mlpSettings(candidate) };
  const config = sparseSettings(candidate);
  return {
    c: config.c,
    titleWeight: config.titleWeight,
    balanced: config.balanced,
    balancePower: config.balancePower,
    refit: config.refit,
    refitMaxEpochs: config.refitMaxEpochs,
    unknownTermsAsSlack: config.unknownTermsAsSlack,
    maxEpochs: config.maxEpochs,
    tolerance: config.tolerance,
    seed: config.seed,
    maxWeights: config.maxWeights,
    ngramMax: config.tfidf.ngramMax,
    minDf: config.tfidf.minDf,
    maxFeatures: config.tfidf.maxFeatures,
    sublinearTf: config.tfidf.sublinearTf,
  };
}

/** Trains one candidate on the split and evaluates it on validation (for the choice) and test (for the gate). */
export async function fitCandidate(
  candidate: TrainingCandidate,
  data: CandidateData,
  hooks: CandidateHooks = {},
): Promise<FittedCandidate> {
  if (data.train.length === 0 || data.validation.length === 0 || data.test.length === 0) {
    throw new TrainingDataError(
      `not enough data to train: ${data.train.length} train, ${data.validation.length} validation, ${data.test.length} test rows`,
    );
  }
  switch (candidate.family) {
    case 'lsa-mlp':
      return fitLsaMlp(data, mlpSettings(candidate), hooks);
    case 'tfidf-linear':
      return fitTfidfLinear(data, sparseSettings(candidate), hooks);
  }
}
