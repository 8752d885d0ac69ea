import { paperText } from '../../../lib/arxiv/record';
import { fitTfidf, TfidfVectorizer, type TfidfConfig, type TfidfState } from '../../../lib/embedding/tfidf';
import { TokenSpans } from '../../../lib/embedding/tokenize';
import { sameBits } from './bits';
import { plainVectorize } from './plain-tfidf';
import { samplePapers } from './sample-corpus';

const UNIGRAMS: TfidfConfig = { ngramMax: 1, minDf: 1, maxDfRatio: 1, maxFeatures: 1_000, sublinearTf: true };

// 4 documents; "a" is a one-letter word and never a term.
const CORPUS = ['The cat sat.', 'the cat ran', 'The dog sat', 'a bird flew'];

/** scikit-learn's smooth idf: ln((1 + n) / (1 + df)) + 1. */
const smoothIdf = (documents: number, df: number): number => Math.log((1 + documents) / (1 + df)) + 1;

function norm(values: Float64Array): number {
  return Math.sqrt(values.reduce((sum, value) => sum + value * value, 0));
}

function weightsByTerm(state: TfidfState, text: string): Record<string, number> {
  const { indices, values } = new TfidfVectorizer(state).vectorize(text);
  return Object.fromEntries(Array.from(indices, (index, p) => [state.terms[index]!, values[p]!]));
}

describe('fitTfidf', () => {
  it('keeps every term with the default thresholds, in sorted order', () => {
    const state = fitTfidf(CORPUS, UNIGRAMS);
    expect(state.terms).toEqual(['bird', 'cat', 'dog', 'flew', 'ran', 'sat', 'the']);
    expect(state.documents).toBe(4);
  });

  it('computes smooth idf weights from document frequencies', () => {
    const state = fitTfidf([...CORPUS, 'the the the cat'], UNIGRAMS);
    const idf = Object.fromEntries(state.terms.map((term, i) => [term, state.idf[i]!]));
    // n = 5: "the" is in 4 documents, "cat" in 3, "sat" in 2, "bird" in 1.
    expect(idf.the).toBeCloseTo(Math.log(6 / 5) + 1, 15);
    expect(idf.cat).toBeCloseTo(Math.log(6 / 4) + 1, 15);
    expect(idf.sat).toBeCloseTo(Math.log(6 / 3) + 1, 15);
    expect(idf.bird).toBeCloseTo(Math.log(6 / 2) + 1, 15);
  });

  it('drops terms in fewer than minDf documents', () => {
    expect(fitTfidf(CORPUS, { ...UNIGRAMS, minDf: 2 }).terms).toEqual(['cat', 'sat', 'the']);
  });

  it('drops terms in more than maxDfRatio of the documents, keeping those exactly at the limit', () => {
    // "the" is in 3 of 4 documents: 0.75.
    expect(fitTfidf(CORPUS, { ...UNIGRAMS, minDf: 2, maxDfRatio: 0.74 }).terms).toEqual(['cat', 'sat']);
    expect(fitTfidf(CORPUS, { ...UNIGRAMS, minDf: 2, maxDfRatio: 0.75 }).terms).toEqual(['cat', 'sat', 'the']);
  });

  it('keeps the maxFeatures terms with the highest document frequency, ties broken by term', () => {
    // df: the 3, cat 2, sat 2, the rest 1.
    expect(fitTfidf(CORPUS, { ...UNIGRAMS, maxFeatures: 2 }).terms).toEqual(['cat', 'the']);
    expect(fitTfidf(CORPUS, { ...UNIGRAMS, maxFeatures: 3 }).terms).toEqual(['cat', 'sat', 'the']);
  });

  it('ranks maxFeatures by document frequency, not by total count', () => {
    const corpus = ['dog dog dog dog dog', 'cat mouse', 'cat mouse'];
    expect(fitTfidf(corpus, { ...UNIGRAMS, maxFeatures: 2 }).terms).toEqual(['cat', 'mouse']);
  });

  it('counts bigrams as terms of their own when ngramMax is 2', () => {
    const state = fitTfidf(CORPUS, { ...UNIGRAMS, ngramMax: 2, minDf: 2 });
    expect(state.terms).toEqual(['cat', 'sat', 'the', 'the cat']);
    expect(state.idf[3]).toBeCloseTo(smoothIdf(4, 2), 15);
  });
});

describe('TfidfVectorizer', () => {
  const state: TfidfState = {
    config: { ...UNIGRAMS, ngramMax: 2 },
    terms: ['cat', 'cat sat', 'deep learning', 'sat', 'the'],
    idf: Float64Array.from([1.5, 2.5, 3, 2, 1.1]),
    documents: 10,
  };

  it('weights each term by (1 + ln tf) · idf and L2-normalizes the row', () => {
    // the ×3, cat ×2, sat ×2, "cat sat" ×2; "dog" is unknown.
    const weights = weightsByTerm(state, 'The cat sat. The cat sat! the dog');
    const raw = {
      the: (1 + Math.log(3)) * 1.1,
      cat: (1 + Math.log(2)) * 1.5,
      sat: (1 + Math.log(2)) * 2,
      'cat sat': (1 + Math.log(2)) * 2.5,
    };
    const length = Math.hypot(...Object.values(raw));
    expect(Object.keys(weights).sort()).toEqual(Object.keys(raw).sort());
    for (const [term, value] of Object.entries(raw)) expect(weights[term]).toBeCloseTo(value / length, 12);
  });

  it('uses raw counts when sublinear tf is off', () => {
    const linear = { ...state, config: { ...state.config, sublinearTf: false } };
    const weights = weightsByTerm(linear, 'the the the cat');
    const length = Math.hypot(3 * 1.1, 1.5);
    expect(weights.the).toBeCloseTo((3 * 1.1) / length, 12);
    expect(weights.cat).toBeCloseTo(1.5 / length, 12);
  });

  it('returns unit-length rows', () => {
    const { values } = new TfidfVectorizer(state).vectorize('the cat sat on deep learning');
    expect(norm(values)).toBeCloseTo(1, 14);
  });

  it('does not form a bigram across an unknown token', () => {
    expect(weightsByTerm(state, 'deep zebra learning')).toEqual({});
    expect(Object.keys(weightsByTerm(state, 'cat zebra sat')).sort()).toEqual(['cat', 'sat']);
  });

  it('finds a bigram whose words are not terms on their own', () => {
    expect(Object.keys(weightsByTerm(state, 'Deep learning'))).toEqual(['deep learning']);
  });

  it('forms bigrams across punctuation and dropped one-letter words, as scikit-learn does', () => {
    expect(Object.keys(weightsByTerm(state, 'deep, a learning'))).toEqual(['deep learning']);
  });

  it('returns an empty row for text without known terms', () => {
    const row = new TfidfVectorizer(state).vectorize('zebra zebra');
    expect(row.indices).toHaveLength(0);
    expect(row.values).toHaveLength(0);
  });

  it('carries no counts over from one text to the next', () => {
    const vectorizer = new TfidfVectorizer(state);
    const alone = new TfidfVectorizer(state).vectorize('the cat');
    vectorizer.vectorize('the the the cat sat cat sat');
    expect(vectorizer.vectorize('the cat')).toEqual(alone);
  });

  it('counts the terms outside the vocabulary in the norm when asked, and says their share of it', () => {
    const vectorizer = new TfidfVectorizer(state);
    const text = 'the cat sat on the dog';
    // Unknown: the unigrams "on" and "dog"; the bigrams "the cat", "sat on", "on the", "the dog".
    const plain = vectorizer.vectorize(text);
    const withUnknown = vectorizer.vectorizeWithUnknown(text, 4);
    const knownNorm = plain.indices.reduce(
      (sum, index) => sum + ((index === 4 ? 1 + Math.log(2) : 1) * state.idf[index]!) ** 2,
      0,
    );
    const unknownNorm = 6 * 4 * 4;
    expect(withUnknown.indices).toEqual(plain.indices);
    withUnknown.values.forEach((value, p) =>
      expect(value).toBeCloseTo(plain.values[p]! * Math.sqrt(knownNorm / (knownNorm + unknownNorm)), 12),
    );
    expect(withUnknown.unknownShare).toBeCloseTo(unknownNorm / (knownNorm + unknownNorm), 12);
    expect(norm(withUnknown.values) ** 2 + withUnknown.unknownShare).toBeCloseTo(1, 12);
  });

  it('gives the plain row and no unknown share to a text whose every term is known', () => {
    const vectorizer = new TfidfVectorizer(state);
    const withUnknown = vectorizer.vectorizeWithUnknown('cat sat', 4);
    expect(withUnknown.unknownShare).toBe(0);
    expect(withUnknown.values).toEqual(vectorizer.vectorize('cat sat').values);
  });

  it('builds a CSR matrix with one row per text', () => {
    const texts = ['the cat sat', 'zebra', 'deep learning the'];
    const vectorizer = new TfidfVectorizer(state);
    const matrix = vectorizer.matrix(texts);
    expect(matrix.rows).toBe(3);
    expect(matrix.cols).toBe(5);
    texts.forEach((text, i) => {
      const row = vectorizer.vectorize(text);
      const start = matrix.indptr[i]!;
      expect(matrix.indices.subarray(start, matrix.indptr[i + 1]!)).toEqual(row.indices);
      expect(matrix.values.subarray(start, matrix.indptr[i + 1]!)).toEqual(row.values);
    });
  });
});

describe('TfidfVectorizer on real papers', () => {
  let texts: string[];
  beforeAll(async () => {
    texts = (await samplePapers(400)).map(paperText);
  });

  it.each([1, 2] as const)('gives the terms, in order, and the bits of the plain way (ngramMax %i)', (ngramMax) => {
    const state = fitTfidf(texts.slice(0, 300), {
      ngramMax,
      minDf: 2,
      maxDfRatio: 0.95,
      maxFeatures: 5_000,
      sublinearTf: true,
    });
    const vectorizer = new TfidfVectorizer(state);
    // Papers it was not fitted on, so that some tokens and bigrams are unknown.
    for (const text of texts.slice(250)) {
      const ours = vectorizer.vectorize(text);
      const plain = plainVectorize(state, text);
      expect(Array.from(ours.indices)).toEqual(Array.from(plain.indices));
      expect(sameBits(ours.values, plain.values)).toBe(true);
    }
  });

  it('writes into given arrays what vectorize returns, and reads tokens scanned for another vectorizer of the same text', () => {
    const state = fitTfidf(texts.slice(0, 300), {
      ngramMax: 2,
      minDf: 2,
      maxDfRatio: 0.95,
      maxFeatures: 5_000,
      sublinearTf: true,
    });
    const [vectorizer, another] = [new TfidfVectorizer(state), new TfidfVectorizer(state)];
    const into = { indices: new Int32Array(state.terms.length), values: new Float64Array(state.terms.length) };
    const tokens = new TokenSpans();
    for (const text of texts.slice(300)) {
      const expected = vectorizer.vectorize(text);
      const count = vectorizer.vectorizeInto(text, into);
      expect(Array.from(into.indices.subarray(0, count))).toEqual(Array.from(expected.indices));
      expect(sameBits(into.values.subarray(0, count), expected.values)).toBe(true);
      another.vectorize(text, tokens);
      expect(tokens.source).toBe(text);
      expect(vectorizer.vectorize(text, tokens)).toEqual(expected);
    }
  });
});
