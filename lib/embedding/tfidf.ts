import type { CsrMatrix } from './linalg';
import { termsOf, tokenize } from './tokenize';

export interface TfidfConfig {
  ngramMax: 1 | 2;
  /** Terms in fewer documents than this are dropped. */
  minDf: number;
  /** Terms in more than this share of documents are dropped. */
  maxDfRatio: number;
  /** Keep at most this many terms, the most frequent by document frequency. */
  maxFeatures: number;
  /** tf → 1 + ln(tf). */
  sublinearTf: boolean;
}

/** The fitted state: the vocabulary (sorted) and its smoothed idf weights. */
export interface TfidfState {
  config: TfidfConfig;
  terms: string[];
  idf: Float64Array;
  documents: number;
}

export interface SparseVector {
  indices: Int32Array;
  values: Float64Array;
}

/**
 * Maps text to L2-normalized tf-idf weights over a fixed vocabulary. Terms are looked up by
 * numeric token ids (a bigram is a pair of ids) so that no string is built per bigram.
 */
export class TfidfVectorizer {
  private readonly tokenIds = new Map<string, number>();
  private readonly termIndex = new Map<number, number>();

  constructor(readonly state: TfidfState) {
    const tokenId = (token: string): number => {
      let id = this.tokenIds.get(token);
      if (id === undefined) {
        id = this.tokenIds.size;
        this.tokenIds.set(token, id);
      }
      return id;
    };
    const pieces = state.terms.map((term) => term.split(' '));
    for (const parts of pieces) for (const part of parts) tokenId(part);
    const base = this.tokenIds.size + 1;
    pieces.forEach((parts, index) => {
      const key = parts.length === 1 ? tokenId(parts[0]!) : (tokenId(parts[0]!) + 1) * base + tokenId(parts[1]!);
      this.termIndex.set(key, index);
    });
  }

  get dimensions(): number {
    return this.state.terms.length;
  }

  private termCounts(text: string): Map<number, number> {
    const counts = new Map<number, number>();
    const base = this.tokenIds.size + 1;
    let previous = -1;
    for (const token of tokenize(text)) {
      const id = this.tokenIds.get(token);
      if (id === undefined) {
        previous = -1;
        continue;
      }
      const unigram = this.termIndex.get(id);
      if (unigram !== undefined) counts.set(unigram, (counts.get(unigram) ?? 0) + 1);
      if (this.state.config.ngramMax === 2 && previous >= 0) {
        const bigram = this.termIndex.get((previous + 1) * base + id);
        if (bigram !== undefined) counts.set(bigram, (counts.get(bigram) ?? 0) + 1);
      }
      previous = id;
    }
    return counts;
  }

  vectorize(text: string): SparseVector {
    const counts = this.termCounts(text);
    const indices = new Int32Array(counts.size);
    const values = new Float64Array(counts.size);
    let position = 0;
    let norm = 0;
    for (const [index, count] of counts) {
      const tf = this.state.config.sublinearTf ? 1 + Math.log(count) : count;
      const weight = tf * this.state.idf[index]!;
      indices[position] = index;
      values[position] = weight;
      norm += weight * weight;
      position += 1;
    }
    if (norm > 0) {
      const scale = 1 / Math.sqrt(norm);
      for (let i = 0; i < values.length; i += 1) values[i]! *= scale;
    }
    return { indices, values };
  }

  /** The corpus as a sparse matrix, one row per text. */
  matrix(texts: readonly string[]): CsrMatrix {
    const rows = texts.map((text) => this.vectorize(text));
    const nnz = rows.reduce((sum, row) => sum + row.indices.length, 0);
    const indptr = new Int32Array(texts.length + 1);
    const indices = new Int32Array(nnz);
    const values = new Float64Array(nnz);
    let offset = 0;
    rows.forEach((row, i) => {
      indices.set(row.indices, offset);
      values.set(row.values, offset);
      offset += row.indices.length;
      indptr[i + 1] = offset;
    });
    return { rows: texts.length, cols: this.dimensions, indptr, indices, values };
  }
}

/** Chooses the vocabulary and idf weights from a corpus (scikit-learn's TfidfVectorizer semantics, smooth idf). */
export function fitTfidf(texts: readonly string[], config: TfidfConfig): TfidfState {
  const documentFrequency = new Map<string, number>();
  for (const text of texts) {
    for (const term of new Set(termsOf(tokenize(text), config.ngramMax))) {
      documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
    }
  }
  const maxDf = config.maxDfRatio * texts.length;
  const kept = [...documentFrequency.entries()]
    .filter(([, df]) => df >= config.minDf && df <= maxDf)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, config.maxFeatures)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const n = texts.length;
  return {
    config,
    terms: kept.map(([term]) => term),
    idf: Float64Array.from(kept, ([, df]) => Math.log((1 + n) / (1 + df)) + 1),
    documents: n,
  };
}
