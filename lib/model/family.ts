import type { TokenSpans } from '../embedding/tokenize';
import type { MlpClassifier } from './mlp';
import type { SparseLinearModel } from './sparse-linear-model';

/**
 * The model families a training can try. `lsa-mlp`: the feature store's LSA vector into a TF.js
 * MLP. `tfidf-linear`: the paper's text as sparse tf-idf (uni+bigrams) into one linear SVM per
 * class, probabilities by a calibrated softmax. Both answer with class probabilities in the label
 * encoder's order, so serving, top-k and monitoring do not care which family won.
 */
export const MODEL_FAMILIES = ['lsa-mlp', 'tfidf-linear'] as const;
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

/** Runs trained before families existed have no family param: they are MLPs. */
export const LEGACY_FAMILY: ModelFamily = 'lsa-mlp';

export function isModelFamily(value: string): value is ModelFamily {
  return (MODEL_FAMILIES as readonly string[]).includes(value);
}

/** A paper as the families read it: its LSA vector (lsa-mlp), its text and title (tfidf-linear). */
export interface PaperInput {
  vector?: Float32Array;
  /** Title and abstract, as `paperText` joins them. */
  text?: string;
  title?: string;
  /** The text's tokens, when the caller scanned them already (serving's embedder does). */
  tokens?: TokenSpans;
}

/** A paper came without the input its model's family reads. */
export class MissingInputError extends Error {
  override readonly name = 'MissingInputError';
  readonly permanent = true;
}

/** A trained classifier of any family. */
export interface CategoryModel {
  readonly family: ModelFamily;
  /** True when predictions need each paper's text (not only its stored vector). */
  readonly readsText: boolean;
  readonly classes: number;
  /** Row-major papers × classes; each row sums to 1. */
  probabilities(papers: readonly PaperInput[]): Float32Array;
  dispose(): void;
}

export function mlpModel(mlp: MlpClassifier): CategoryModel {
  return {
    family: 'lsa-mlp',
    readsText: false,
    classes: mlp.classes,
    probabilities(papers) {
      const dimensions = mlp.inputDimensions;
      const x = new Float32Array(papers.length * dimensions);
      papers.forEach((paper, i) => {
        if (!paper.vector)
          throw new MissingInputError(
            'the lsa-mlp family predicts from the LSA vector, and this paper came without it',
          );
        if (paper.vector.length !== dimensions)
          throw new MissingInputError(`a vector of ${paper.vector.length} dimensions for a model of ${dimensions}`);
        x.set(paper.vector, i * dimensions);
      });
      return papers.length === 0 ? new Float32Array(0) : mlp.probabilities(x, papers.length);
    },
    dispose: () => mlp.dispose(),
  };
}

export function sparseLinearModel(model: SparseLinearModel): CategoryModel {
  const k = model.state.classes;
  return {
    family: 'tfidf-linear',
    readsText: true,
    classes: k,
    probabilities(papers) {
      const out = new Float32Array(papers.length * k);
      papers.forEach((paper, i) => {
        if (paper.text === undefined)
          throw new MissingInputError('the tfidf-linear family predicts from text, and this paper came without it');
        out.set(model.predictProba({ text: paper.text, title: paper.title, tokens: paper.tokens }), i * k);
      });
      return out;
    },
    dispose: () => undefined,
  };
}

/** The most probable class of each row. */
export function argmaxRows(probabilities: Float32Array, classes: number): Int32Array {
  const rows = classes === 0 ? 0 : probabilities.length / classes;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r += 1) {
    let best = 0;
    for (let c = 1; c < classes; c += 1)
      if (probabilities[r * classes + c]! > probabilities[r * classes + best]!) best = c;
    out[r] = best;
  }
  return out;
}
