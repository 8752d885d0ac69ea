import { createHash } from 'node:crypto';
import { KernelProjection, projectionFits } from './kernel-projection';
import { weightedRowSum } from './linalg';
import { randomizedRightSingularVectors } from './randomized-svd';
import { fitTfidf, TfidfVectorizer, type TfidfConfig, type TfidfState } from './tfidf';
import type { TokenSpans } from './tokenize';

export interface LsaConfig {
  tfidf: TfidfConfig;
  dimensions: number;
  powerIterations: number;
  seed: number;
}

export const DEFAULT_LSA_CONFIG: LsaConfig = {
  tfidf: { ngramMax: 2, minDf: 2, maxDfRatio: 0.95, maxFeatures: 20_000, sublinearTf: true },
  dimensions: 384,
  powerIterations: 4,
  seed: 42,
};

/** What the fit saw, kept with the embedder for lineage. */
export interface FitSummary {
  documents: number;
  vocabulary: number;
  /** Share of the corpus's total variance (in tf-idf space) the kept dimensions explain. */
  explainedVariance: number;
  seconds: number;
}

export interface LsaState {
  config: LsaConfig;
  tfidf: TfidfState;
  /** vocabulary × dimensions, row-major. */
  components: Float32Array;
  fit: FitSummary;
}

/**
 * Text → dense unit vector: tf-idf (uni+bigrams, sublinear tf) projected on the top singular
 * vectors of the reference corpus (latent semantic analysis), then L2-normalized.
 */
export class LsaEmbedder {
  readonly version: string;
  private readonly vectorizer: TfidfVectorizer;
  /**
   * Made on the first embedding; null when kernel memory cannot hold the components (the plain
   * loop then sums the same doubles, slower). A # field, so that a structured clone of the
   * embedder leaves it out (a WebAssembly instance cannot be cloned).
   */
  #projection: KernelProjection | null | undefined;

  constructor(readonly state: LsaState) {
    this.vectorizer = new TfidfVectorizer(state.tfidf);
    this.version = embedderVersion(state);
  }

  get dimensions(): number {
    return this.state.config.dimensions;
  }

  /** Monitoring watches it: a rising share means the papers use words the embedder never learned. */
  outOfVocabularyShare(text: string): number {
    return this.vectorizer.outOfVocabularyShare(text);
  }

  embed(text: string): Float32Array {
    return this.project(text);
  }

  /**
   * The embedding and the out-of-vocabulary share from one pass over the text (serving needs both).
   * The text's tokens are scanned into `tokens` when given, for a model that reads them too.
   */
  embedWithCoverage(text: string, tokens?: TokenSpans): { vector: Float32Array; oovShare: number } {
    const vector = this.project(text, tokens);
    return { vector, oovShare: this.vectorizer.lastOutOfVocabularyShare };
  }

  private projection(): KernelProjection | null {
    if (this.#projection === undefined) {
      const fits = projectionFits(this.state.tfidf.terms.length, this.dimensions);
      this.#projection = fits ? new KernelProjection(this.state.components, this.dimensions) : null;
    }
    return this.#projection;
  }

  private project(text: string, tokens?: TokenSpans): Float32Array {
    const k = this.dimensions;
    const kernel = this.projection();
    let sum: Float64Array;
    if (kernel) {
      sum = kernel.project(this.vectorizer.vectorizeInto(text, kernel.terms, tokens));
    } else {
      const { indices, values } = this.vectorizer.vectorize(text, tokens);
      sum = weightedRowSum(indices, values, this.state.components, k);
    }
    let norm = 0;
    for (let c = 0; c < k; c += 1) norm += sum[c]! * sum[c]!;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    const out = new Float32Array(k);
    for (let c = 0; c < k; c += 1) out[c] = sum[c]! * scale;
    return out;
  }
}

/** `lsa-` + a hash of the configuration and of every fitted number: equal versions embed identically. */
export function embedderVersion(state: Pick<LsaState, 'config' | 'tfidf' | 'components'>): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(state.config));
  hash.update(state.tfidf.terms.join('\n'));
  hash.update(Buffer.from(state.tfidf.idf.buffer, state.tfidf.idf.byteOffset, state.tfidf.idf.byteLength));
  hash.update(Buffer.from(state.components.buffer, state.components.byteOffset, state.components.byteLength));
  return `lsa-${hash.digest('hex').slice(0, 16)}`;
}

export function fitLsaEmbedder(
  texts: readonly string[],
  config: LsaConfig = DEFAULT_LSA_CONFIG,
  onStep: (step: string) => void = () => undefined,
): LsaEmbedder {
  const started = Date.now();
  if (texts.length < 2) throw new Error(`an embedder needs at least 2 reference texts, got ${texts.length}`);
  onStep('vocabulary');
  const tfidf = fitTfidf(texts, config.tfidf);
  if (tfidf.terms.length < 2)
    throw new Error('the reference corpus yields fewer than 2 terms: it is too small or empty');
  onStep('tf-idf matrix');
  const matrix = new TfidfVectorizer(tfidf).matrix(texts);
  const { vectors, singularValues } = randomizedRightSingularVectors(matrix, {
    components: config.dimensions,
    powerIterations: config.powerIterations,
    seed: config.seed,
    onStep,
  });
  // Rows are unit vectors, so the total variance (squared Frobenius norm) is the count of non-empty rows.
  let total = 0;
  for (let i = 0; i < matrix.values.length; i += 1) total += matrix.values[i]! ** 2;
  const explained = singularValues.reduce((sum, sigma) => sum + sigma * sigma, 0);
  const components = Float32Array.from(vectors.data);
  const dimensions = vectors.cols;
  return new LsaEmbedder({
    config: { ...config, dimensions },
    tfidf,
    components,
    fit: {
      documents: texts.length,
      vocabulary: tfidf.terms.length,
      explainedVariance: total > 0 ? explained / total : 0,
      seconds: (Date.now() - started) / 1000,
    },
  });
}
