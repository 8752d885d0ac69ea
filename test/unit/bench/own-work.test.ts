import type { Tensor } from '@tensorflow/tfjs';
import { measureOwnWork, type OwnWorkMeasurement } from '../../../bench/measure-own-work';
import { paperText, type PaperRecord } from '../../../lib/arxiv/record';
import { weightedRowSum } from '../../../lib/embedding/linalg';
import { fitLsaEmbedder, type LsaEmbedder } from '../../../lib/embedding/lsa-embedder';
import { TfidfVectorizer } from '../../../lib/embedding/tfidf';
import { trainClassifier, type Example } from '../../../lib/model/classifier';
import { mlpModel, sparseLinearModel } from '../../../lib/model/family';
import { LabelEncoder } from '../../../lib/model/label-encoder';
import { DEFAULT_HYPERPARAMETERS, type MlpClassifier } from '../../../lib/model/mlp';
import { trainSparseLinear } from '../../../lib/model/sparse-linear';
import { DEFAULT_SPARSE_LINEAR_CONFIG } from '../../../lib/model/sparse-linear-config';
import type { SparseLinearModel } from '../../../lib/model/sparse-linear-model';
import { stratifiedSplit } from '../../../lib/model/split';
import { weightOf } from '../../../lib/model/term-weights';
import { loadTf } from '../../../lib/model/tfjs';
import { textPredictor, type TextPredictor } from '../../../lib/tracking/serving-model';
import { sameBits } from '../embedding/bits';
import { plainVectorize } from '../embedding/plain-tfidf';
import { samplePapers, SMALL_CONFIG } from '../embedding/sample-corpus';

/** The embedding the plain way: tf-idf, linalg.ts's weightedRowSum (no WebAssembly), L2-normalized. */
function plainEmbedding(embedder: LsaEmbedder, vectorizer: TfidfVectorizer, text: string): Float32Array {
  const { indices, values } = vectorizer.vectorize(text);
  const sum = weightedRowSum(indices, values, embedder.state.components, embedder.dimensions);
  const norm = sum.reduce((total, value) => total + value * value, 0);
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return Float32Array.from(sum, (value) => value * scale);
}

/** tfidf-linear's probabilities the plain way: term strings, a weight looked up per class and term, the calibrated softmax. */
function plainSparseProbabilities(model: SparseLinearModel, paper: PaperRecord): Float64Array {
  const { state } = model;
  const text = plainVectorize(state.tfidf, paperText(paper));
  const title = plainVectorize(state.titleTfidf!, paper.title);
  const margins = Float64Array.from(state.bias, (bias, k) => {
    let margin = bias;
    text.indices.forEach((term, p) => (margin += weightOf(state.weights, k, term) * text.values[p]!));
    title.indices.forEach(
      (term, p) =>
        (margin +=
          weightOf(state.weights, k, term + state.tfidf.terms.length) * title.values[p]! * state.config.titleWeight),
    );
    return margin;
  });
  const max = Math.max(...margins);
  const exponentials = margins.map((margin) => Math.exp((margin - max) / state.temperature));
  const sum = exponentials.reduce((total, e) => total + e, 0);
  return exponentials.map((e) => e / sum);
}

function expectClose(ours: ArrayLike<number>, reference: ArrayLike<number>): void {
  expect(ours.length).toBe(reference.length);
  for (let c = 0; c < ours.length; c += 1) expect(Math.abs(ours[c]! - reference[c]!)).toBeLessThan(1e-6);
}

/** The measurement's probabilities are predict's, exactly, and its vectors those of the plain projection, bit for bit. */
function expectPredictsAsServing(
  predictor: TextPredictor,
  figures: OwnWorkMeasurement,
  served: readonly PaperRecord[],
  plainVector: (text: string) => Float32Array,
): void {
  expect(figures.outputs.classified).toHaveLength(served.length);
  expect(figures.outputs.predicted).toHaveLength(served.length);
  served.forEach((paper, i) => {
    const [prediction] = predictor.predict([paper]);
    expect(figures.outputs.predicted[i]).toEqual(prediction!.probabilities);
    expect(figures.outputs.classified[i]).toEqual(prediction!.probabilities);
    expect(sameBits(prediction!.vector, plainVector(paperText(paper)))).toBe(true);
  });
  for (const stage of ['embed', 'classify', 'total'] as const) {
    expect(figures.perPaperUs[stage]).toBeGreaterThan(0);
    expect(figures.meanUs[stage]).toBeGreaterThan(0);
    expect(figures.p90Us[stage]).toBeGreaterThanOrEqual(figures.perPaperUs[stage]);
  }
}

describe('measureOwnWork on models trained on a few hundred papers of the sample', () => {
  const OPTIONS = { warmUpCalls: 20, calls: 120 };
  let served: PaperRecord[];
  let embedder: LsaEmbedder;
  let plainVector: (text: string) => Float32Array;
  let split: { train: PaperRecord[]; validation: PaperRecord[]; test: PaperRecord[] };
  let encoder: LabelEncoder;

  beforeAll(async () => {
    const papers = await samplePapers(1_500);
    const counts = new Map<string, number>();
    for (const paper of papers) counts.set(paper.primaryCategory, (counts.get(paper.primaryCategory) ?? 0) + 1);
    const top = new Set(
      [...counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
        .map(([label]) => label),
    );
    const kept = papers.filter((paper) => top.has(paper.primaryCategory)).slice(0, 450);
    split = stratifiedSplit(
      kept,
      (p) => p.primaryCategory,
      (p) => p.id,
      { test: 0.15, validation: 0.15 },
      42,
    );
    served = split.test.slice(0, 50);
    // 45 dimensions: five blocks of eight, then a tail of five.
    embedder = fitLsaEmbedder(split.train.map(paperText), { ...SMALL_CONFIG, dimensions: 45 });
    const vectorizer = new TfidfVectorizer(embedder.state.tfidf);
    plainVector = (text) => plainEmbedding(embedder, vectorizer, text);
    encoder = LabelEncoder.fromLabels(split.train.map((paper) => paper.primaryCategory));
  }, 60_000);

  it('lsa-mlp: predict’s probabilities, within 1e-6 of TF.js’s forward pass on the plain projection', async () => {
    const asExample = (paper: PaperRecord): Example => ({
      id: paper.id,
      label: paper.primaryCategory,
      vector: embedder.embed(paperText(paper)),
    });
    // 30 hidden units: not a multiple of the kernel's 4, so its padding is used.
    const trained = await trainClassifier(
      {
        train: split.train.map(asExample),
        validation: split.validation.map(asExample),
        test: split.test.map(asExample),
      },
      { ...DEFAULT_HYPERPARAMETERS, hiddenUnits: 30, maxEpochs: 4 },
    );
    const mlp: MlpClassifier = trained.model;
    const predictor = textPredictor(
      {
        runId: 'test',
        family: 'lsa-mlp',
        model: mlpModel(mlp),
        encoder: trained.encoder,
        embedderVersion: embedder.version,
      },
      embedder,
    );
    try {
      expect(embedder.dimensions).toBe(45);
      const figures = measureOwnWork(predictor, served, OPTIONS);
      expect(figures.family).toBe('lsa-mlp');
      expectPredictsAsServing(predictor, figures, served, plainVector);
      const { tf } = await loadTf();
      served.forEach((paper, i) => {
        const vector = plainVector(paperText(paper));
        const tfjs = tf.tidy(
          () => (mlp.model.predict(tf.tensor2d(vector, [1, vector.length])) as Tensor).dataSync() as Float32Array,
        );
        expectClose(figures.outputs.predicted[i]!, tfjs);
      });
    } finally {
      predictor.dispose();
    }
  }, 60_000);

  it('tfidf-linear: predict’s probabilities, within 1e-6 of the plain margins and softmax', async () => {
    const labelled = (papers: readonly PaperRecord[]) => ({
      texts: papers.map(paperText),
      titles: papers.map((paper) => paper.title),
      labels: papers.map((paper) => encoder.encode(paper.primaryCategory)),
    });
    const { model } = await trainSparseLinear(
      labelled(split.train),
      encoder.size,
      DEFAULT_SPARSE_LINEAR_CONFIG,
      labelled(split.validation),
      () => undefined,
      1,
    );
    const predictor = textPredictor(
      {
        runId: 'test',
        family: 'tfidf-linear',
        model: sparseLinearModel(model),
        encoder,
        embedderVersion: embedder.version,
      },
      embedder,
    );
    try {
      const figures = measureOwnWork(predictor, served, OPTIONS);
      expect(figures.family).toBe('tfidf-linear');
      expectPredictsAsServing(predictor, figures, served, plainVector);
      served.forEach((paper, i) => expectClose(figures.outputs.predicted[i]!, plainSparseProbabilities(model, paper)));
    } finally {
      predictor.dispose();
    }
  }, 60_000);
});
