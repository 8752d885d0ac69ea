import type { SparseVector, TfidfState } from '../../../lib/embedding/tfidf';
import { tokenize } from '../../../lib/embedding/tokenize';

/**
 * The vectorizer the slow, obvious way: token strings, each term found in a Map of the vocabulary,
 * terms in order of first occurrence (each token's unigram, then the bigram it ends), the same
 * arithmetic.
 */
export function plainVectorize(state: TfidfState, text: string): SparseVector {
  let termIndex = termIndexes.get(state);
  if (!termIndex) {
    termIndex = new Map(state.terms.map((term, index) => [term, index]));
    termIndexes.set(state, termIndex);
  }
  const counts = new Map<number, number>();
  const tokens = tokenize(text);
  tokens.forEach((token, i) => {
    const grams = [token, ...(state.config.ngramMax === 2 && i > 0 ? [`${tokens[i - 1]} ${token}`] : [])];
    for (const gram of grams) {
      const index = termIndex.get(gram);
      if (index !== undefined) counts.set(index, (counts.get(index) ?? 0) + 1);
    }
  });
  const indices = Int32Array.from(counts.keys());
  const values = Float64Array.from(
    counts,
    ([index, count]) => (state.config.sublinearTf ? 1 + Math.log(count) : count) * state.idf[index]!,
  );
  const norm = values.reduce((sum, value) => sum + value * value, 0);
  if (norm > 0) values.forEach((value, p) => (values[p] = value * (1 / Math.sqrt(norm))));
  return { indices, values };
}

const termIndexes = new WeakMap<TfidfState, Map<string, number>>();
