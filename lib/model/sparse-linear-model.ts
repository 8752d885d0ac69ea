import { CsrBuilder, type CsrMatrix } from '../embedding/linalg';
import { TfidfVectorizer, type TfidfState } from '../embedding/tfidf';
import type { TokenSpans } from '../embedding/tokenize';
import type { SparseLinearState } from './sparse-linear-config';
import { argmax, softmax } from './softmax-temperature';
import { shared } from './svm-threads';
import { margins } from './term-weights';

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
