import type { PaperRecord } from '../../../lib/arxiv/record';
import { paperText } from '../../../lib/arxiv/record';
import { weightedRowSum } from '../../../lib/embedding/linalg';
import { DEFAULT_LSA_CONFIG, embedderVersion, fitLsaEmbedder, LsaEmbedder } from '../../../lib/embedding/lsa-embedder';
import { TfidfVectorizer } from '../../../lib/embedding/tfidf';
import { TokenSpans } from '../../../lib/embedding/tokenize';
import { sameBits } from './bits';
import { cosine, samplePapers, SMALL_CONFIG } from './sample-corpus';

let papers: PaperRecord[];
let texts: string[];
let embedder: LsaEmbedder;

beforeAll(async () => {
  papers = await samplePapers(300);
  texts = papers.map(paperText);
  embedder = fitLsaEmbedder(texts, SMALL_CONFIG);
});

/** The embedder's embeddings as the plain loop computes them: tf-idf, linalg.ts's weightedRowSum, then L2-normalized. */
function plainEmbeddings(of: LsaEmbedder): (text: string) => Float32Array {
  const vectorizer = new TfidfVectorizer(of.state.tfidf);
  return (text) => {
    const { indices, values } = vectorizer.vectorize(text);
    const sum = weightedRowSum(indices, values, of.state.components, of.dimensions);
    const norm = sum.reduce((total, value) => total + value * value, 0);
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    return Float32Array.from(sum, (value) => value * scale);
  };
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

describe('LsaEmbedder', () => {
  it('embeds text as a unit-length Float32Array of `dimensions` numbers', () => {
    for (const text of texts.slice(0, 20)) {
      const vector = embedder.embed(text);
      expect(vector).toBeInstanceOf(Float32Array);
      expect(vector).toHaveLength(SMALL_CONFIG.dimensions);
      expect(Math.hypot(...vector)).toBeCloseTo(1, 6);
    }
    expect(embedder.dimensions).toBe(SMALL_CONFIG.dimensions);
  });

  it('embeds text without any known term as the zero vector, not NaN', () => {
    expect(embedder.embed('zzxq qqzx')).toEqual(new Float32Array(SMALL_CONFIG.dimensions));
  });

  it('is deterministic: fitting twice on the same texts gives the same version and identical vectors', () => {
    const again = fitLsaEmbedder(texts, SMALL_CONFIG);
    expect(again.version).toBe(embedder.version);
    expect(again.state.components).toEqual(embedder.state.components);
    for (const text of texts.slice(0, 20)) expect(again.embed(text)).toEqual(embedder.embed(text));
  });

  it('embeds the same text identically however many texts came before it', () => {
    const first = embedder.embed(texts[5]!);
    for (const text of texts.slice(0, 50)) embedder.embed(text);
    expect(embedder.embed(texts[5]!)).toEqual(first);
  });

  it('embeds through its WebAssembly projection to the bits of the plain loop', () => {
    const plain = plainEmbeddings(embedder);
    for (const text of texts) expect(sameBits(embedder.embed(text), plain(text))).toBe(true);
  });

  it('embeds as well from several embedders used in turn, each with its own kernel', () => {
    const other = fitLsaEmbedder(texts.slice(100), { ...SMALL_CONFIG, dimensions: 19 });
    const [plain, otherPlain] = [plainEmbeddings(embedder), plainEmbeddings(other)];
    for (const text of texts.slice(0, 30)) {
      expect(sameBits(embedder.embed(text), plain(text))).toBe(true);
      expect(sameBits(other.embed(text), otherPlain(text))).toBe(true);
    }
  });

  it('can be structured-cloned once it has embedded (its kernel stays behind), and embeds the same from the clone', () => {
    embedder.embed(texts[0]!);
    const clone = structuredClone(embedder);
    const revived = new LsaEmbedder(clone.state);
    expect(revived.version).toBe(embedder.version);
    for (const text of texts.slice(0, 20)) expect(sameBits(revived.embed(text), embedder.embed(text))).toBe(true);
  });

  it('scans each text once for a caller that keeps its tokens, and gives them back for the next reader', () => {
    const tokens = new TokenSpans();
    const { vector, oovShare } = embedder.embedWithCoverage(texts[3]!, tokens);
    expect(tokens.source).toBe(texts[3]);
    expect(tokens.count).toBeGreaterThan(10);
    expect(sameBits(vector, embedder.embed(texts[3]!))).toBe(true);
    expect(oovShare).toBe(embedder.outOfVocabularyShare(texts[3]!));
    // Tokens of another text are not taken for this one's: they are scanned again.
    expect(sameBits(embedder.embedWithCoverage(texts[4]!, tokens).vector, embedder.embed(texts[4]!))).toBe(true);
    expect(tokens.source).toBe(texts[4]);
  });

  it('names its version after the config and the fitted state', () => {
    expect(embedder.version).toMatch(/^lsa-[0-9a-f]{16}$/);
    expect(embedderVersion(embedder.state)).toBe(embedder.version);
    expect(fitLsaEmbedder(texts, { ...SMALL_CONFIG, seed: 7 }).version).not.toBe(embedder.version);
    expect(fitLsaEmbedder(texts, { ...SMALL_CONFIG, dimensions: 16 }).version).not.toBe(embedder.version);
    expect(
      fitLsaEmbedder(texts, { ...SMALL_CONFIG, tfidf: { ...SMALL_CONFIG.tfidf, maxFeatures: 2_000 } }).version,
    ).not.toBe(embedder.version);
    expect(fitLsaEmbedder(texts.slice(1), SMALL_CONFIG).version).not.toBe(embedder.version);
  });

  it('hashes the config too: the same fitted numbers under another config are another version', () => {
    const { state } = embedder;
    expect(embedderVersion({ ...state, config: { ...state.config, powerIterations: 5 } })).not.toBe(embedder.version);
  });

  it('finds the own title nearest to an abstract for most papers of a real corpus', () => {
    const abstracts = papers.map((paper) => embedder.embed(paper.abstract));
    const titles = papers.map((paper) => embedder.embed(paper.title));
    const hits = abstracts.filter((abstract, i) => {
      const similarities = titles.map((title) => cosine(abstract, title));
      return similarities.indexOf(Math.max(...similarities)) === i;
    }).length;
    // Chance is 1 in 300; this corpus gives 84%.
    expect(hits / papers.length).toBeGreaterThan(0.6);
  });

  it('places abstracts of the same field closer together than abstracts of different fields', () => {
    const vectors = texts.map((text) => embedder.embed(text));
    const audio = papers.flatMap((paper, i) =>
      paper.primaryCategory === 'cs.SD' || paper.primaryCategory === 'eess.AS' ? [i] : [],
    );
    const retrieval = papers.flatMap((paper, i) => (paper.primaryCategory === 'cs.IR' ? [i] : []));
    expect(audio.length).toBeGreaterThan(30);
    expect(retrieval.length).toBeGreaterThan(30);
    const similarities = (from: number[], to: number[]): number[] =>
      from.flatMap((i) => to.filter((j) => j !== i).map((j) => cosine(vectors[i]!, vectors[j]!)));
    const across = mean(similarities(audio, retrieval));
    expect(mean(similarities(audio, audio))).toBeGreaterThan(across + 0.05);
    expect(mean(similarities(retrieval, retrieval))).toBeGreaterThan(across + 0.05);
  });

  it('summarizes the fit', () => {
    const { fit, tfidf } = embedder.state;
    expect(fit.documents).toBe(300);
    expect(fit.vocabulary).toBe(tfidf.terms.length);
    expect(fit.vocabulary).toBeLessThanOrEqual(SMALL_CONFIG.tfidf.maxFeatures);
    expect(fit.explainedVariance).toBeGreaterThan(0);
    expect(fit.explainedVariance).toBeLessThan(1);
    expect(embedder.state.components).toHaveLength(fit.vocabulary * SMALL_CONFIG.dimensions);
  });

  it('reports each step of the fit', () => {
    const steps: string[] = [];
    fitLsaEmbedder(texts.slice(0, 50), SMALL_CONFIG, (step) => steps.push(step));
    expect(steps[0]).toBe('vocabulary');
    expect(steps[1]).toBe('tf-idf matrix');
    expect(steps[steps.length - 1]).toBe('project');
  });

  it('caps the dimensions at what a tiny corpus supports and records the cap in its config', () => {
    const tiny = fitLsaEmbedder(texts.slice(0, 10), SMALL_CONFIG);
    expect(tiny.dimensions).toBe(10);
    expect(tiny.state.config.dimensions).toBe(10);
    expect(tiny.embed(texts[0]!)).toHaveLength(10);
  });

  it('refuses a corpus too small to fit', () => {
    expect(() => fitLsaEmbedder(['only one text'], SMALL_CONFIG)).toThrow(/at least 2 reference texts/);
    expect(() => fitLsaEmbedder(['a b', 'c d'], SMALL_CONFIG)).toThrow(/fewer than 2 terms/);
  });

  it('defaults to 384 dimensions over at most 20,000 uni- and bigrams with sublinear tf', () => {
    expect(DEFAULT_LSA_CONFIG).toEqual({
      tfidf: { ngramMax: 2, minDf: 2, maxDfRatio: 0.95, maxFeatures: 20_000, sublinearTf: true },
      dimensions: 384,
      powerIterations: 4,
      seed: 42,
    });
  });
});
