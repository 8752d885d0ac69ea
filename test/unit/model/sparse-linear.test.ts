import {
  deserializeSparseLinear,
  serializeSparseLinear,
  SparseLinearFormatError,
} from '../../../lib/model/sparse-linear-file';
import { paperText, type PaperRecord } from '../../../lib/arxiv/record';
import { fitTfidf, TfidfVectorizer } from '../../../lib/embedding/tfidf';
import { LabelEncoder } from '../../../lib/model/label-encoder';
import { evaluate } from '../../../lib/model/metrics';
import { trainSparseLinear } from '../../../lib/model/sparse-linear';
import { DEFAULT_SPARSE_LINEAR_CONFIG, type SparseLinearConfig } from '../../../lib/model/sparse-linear-config';
import { fitTemperature, softmax } from '../../../lib/model/softmax-temperature';
import { fitBinarySvm } from '../../../lib/model/svm-solver';
import { stratifiedSplit } from '../../../lib/model/split';
import { type TermWeights } from '../../../lib/model/term-weights';
import { samplePapers } from '../embedding/sample-corpus';

const CONFIG: SparseLinearConfig = {
  ...DEFAULT_SPARSE_LINEAR_CONFIG,
  tfidf: { ...DEFAULT_SPARSE_LINEAR_CONFIG.tfidf, minDf: 2 },
};

/** Every byte of a model's weights: offsets, values and classes. */
const weightBytes = ({ offsets, values, classOf }: TermWeights) =>
  Buffer.concat([offsets, values, classOf].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)));

const doc = (paper: PaperRecord) => ({ text: paperText(paper), title: paper.title });

/** The bundled sample's six largest primary categories, split 80/20 as the pipeline splits. */
async function sampleSplit(): Promise<{ train: PaperRecord[]; test: PaperRecord[]; encoder: LabelEncoder }> {
  const papers = await samplePapers(5_000);
  const counts = new Map<string, number>();
  for (const paper of papers) counts.set(paper.primaryCategory, (counts.get(paper.primaryCategory) ?? 0) + 1);
  const top = new Set(
    [...counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([label]) => label),
  );
  const kept = papers.filter((paper) => top.has(paper.primaryCategory));
  const { train, test } = stratifiedSplit(
    kept,
    (p) => p.primaryCategory,
    (p) => p.id,
    { test: 0.2, validation: 0 },
    42,
  );
  return { train, test, encoder: LabelEncoder.fromLabels(kept.map((p) => p.primaryCategory)) };
}

describe('the sparse linear family (tf-idf → one linear SVM per class)', () => {
  let split: Awaited<ReturnType<typeof sampleSplit>>;
  let trained: Awaited<ReturnType<typeof trainSparseLinear>>;

  beforeAll(async () => {
    split = await sampleSplit();
    trained = await trainSparseLinear(
      {
        texts: split.train.map(paperText),
        titles: split.train.map((p) => p.title),
        labels: split.train.map((p) => split.encoder.encode(p.primaryCategory)),
      },
      split.encoder.size,
      CONFIG,
    );
  }, 60_000);

  it('classifies held-out real papers far better than the majority class', () => {
    const truth = split.test.map((p) => split.encoder.encode(p.primaryCategory));
    const predicted = split.test.map((p) => trained.model.predict(doc(p)));
    const { accuracy, macroF1 } = evaluate(truth, predicted, split.encoder.classes);
    const majority =
      Math.max(...split.encoder.classes.map((label) => split.test.filter((p) => p.primaryCategory === label).length)) /
      split.test.length;
    expect(accuracy).toBeGreaterThan(majority + 0.25);
    expect(macroF1).toBeGreaterThan(0.5);
    expect(trained.classFits.every((fit) => fit.converged)).toBe(true);
  });

  it('trains the same model on solver threads as on this thread, refit included', async () => {
    const set = (papers: PaperRecord[]) => ({
      texts: papers.map(paperText),
      titles: papers.map((p) => p.title),
      labels: papers.map((p) => split.encoder.encode(p.primaryCategory)),
    });
    const config = { ...CONFIG, balanced: true, balancePower: 0.3, refit: true };
    const steps: string[] = [];
    const threaded = await trainSparseLinear(
      set(split.train),
      split.encoder.size,
      config,
      set(split.test),
      (step) => void steps.push(step),
      2,
    );
    const inline = await trainSparseLinear(set(split.train), split.encoder.size, config, set(split.test), undefined, 1);
    expect(threaded.trainedPapers).toBe(split.train.length + split.test.length);
    expect(Array.from(threaded.calibrationPredictions)).toEqual(Array.from(inline.calibrationPredictions));
    expect(threaded.model.state.temperature).toBe(inline.model.state.temperature);
    expect(Array.from(threaded.model.state.bias)).toEqual(Array.from(inline.model.state.bias));
    expect(weightBytes(threaded.model.state.weights).equals(weightBytes(inline.model.state.weights))).toBe(true);
    expect(threaded.classFits).toEqual(inline.classFits);
    expect(steps).toContain(`refit on training + validation: class ${split.encoder.size}/${split.encoder.size}`);
  }, 120_000);

  it('records for the calibration papers what the model then predicts for them, unknown terms as slack or not', async () => {
    const set = (papers: PaperRecord[]) => ({
      texts: papers.map(paperText),
      titles: papers.map((p) => p.title),
      labels: papers.map((p) => split.encoder.encode(p.primaryCategory)),
    });
    for (const unknownTermsAsSlack of [true, false]) {
      const fitted = await trainSparseLinear(
        set(split.train),
        split.encoder.size,
        { ...CONFIG, refit: false, unknownTermsAsSlack },
        set(split.test),
      );
      expect(Array.from(fitted.calibrationPredictions)).toEqual(split.test.map((p) => fitted.model.predict(doc(p))));
    }
  }, 60_000);

  it('with unknown terms as slack, trains a different solution but reads a paper as without it', async () => {
    const set = {
      texts: split.train.map(paperText),
      titles: split.train.map((p) => p.title),
      labels: split.train.map((p) => split.encoder.encode(p.primaryCategory)),
    };
    const plain = await trainSparseLinear(set, split.encoder.size, { ...CONFIG, unknownTermsAsSlack: false });
    expect(trained.model.state.config.unknownTermsAsSlack).toBe(true);
    expect(weightBytes(plain.model.state.weights).equals(weightBytes(trained.model.state.weights))).toBe(false);
    for (const paper of split.test.slice(0, 50)) {
      const a = plain.model.vectorize(doc(paper));
      const b = trained.model.vectorize(doc(paper));
      expect(Array.from(b.indices)).toEqual(Array.from(a.indices));
      expect(Array.from(b.values)).toEqual(Array.from(a.values));
    }
  }, 60_000);

  it('gives probabilities that sum to 1 and rank the classes as the margins do', () => {
    for (const paper of split.test.slice(0, 200)) {
      const probabilities = trained.model.predictProba(doc(paper));
      expect(probabilities.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 10);
      const top = probabilities.indexOf(Math.max(...probabilities));
      expect(top).toBe(trained.model.predict(doc(paper)));
    }
    expect(trained.model.state.temperature).toBeGreaterThan(0);
  });

  it('trains the same model twice from the same seed', async () => {
    const again = await trainSparseLinear(
      {
        texts: split.train.map(paperText),
        titles: split.train.map((p) => p.title),
        labels: split.train.map((p) => split.encoder.encode(p.primaryCategory)),
      },
      split.encoder.size,
      CONFIG,
    );
    expect(weightBytes(again.model.state.weights).equals(weightBytes(trained.model.state.weights))).toBe(true);
    expect(again.model.state.temperature).toBe(trained.model.state.temperature);
  });

  it('keeps at most maxWeights weights, the largest, and still classifies', async () => {
    const set = {
      texts: split.train.map(paperText),
      titles: split.train.map((p) => p.title),
      labels: split.train.map((p) => split.encoder.encode(p.primaryCategory)),
    };
    const all = trained.model.state.weights.values.length;
    const budget = Math.floor(all / 4);
    const small = await trainSparseLinear(set, split.encoder.size, { ...CONFIG, maxWeights: budget });
    const kept = small.model.state.weights.values;
    expect(kept.length).toBe(budget);
    // Same solutions, a quarter of their weights: the smallest kept is no smaller than any dropped.
    const magnitudes = Float32Array.from(trained.model.state.weights.values, Math.abs).sort();
    let smallestKept = Number.POSITIVE_INFINITY;
    for (const w of kept) smallestKept = Math.min(smallestKept, Math.abs(w));
    expect(smallestKept).toBe(magnitudes[all - budget]);
    const truth = split.test.map((p) => split.encoder.encode(p.primaryCategory));
    const full = evaluate(
      truth,
      split.test.map((p) => trained.model.predict(doc(p))),
      split.encoder.classes,
    );
    const pruned = evaluate(
      truth,
      split.test.map((p) => small.model.predict(doc(p))),
      split.encoder.classes,
    );
    expect(pruned.accuracy).toBeGreaterThan(full.accuracy - 0.05);
  }, 60_000);

  it('reads the first file format (dense weights) into the same model', () => {
    const { state } = trained.model;
    const features = trained.model.features;
    const dense = new Float32Array(state.classes * features);
    for (let t = 0; t < features; t += 1) {
      for (let q = state.weights.offsets[t]!; q < state.weights.offsets[t + 1]!; q += 1)
        dense[state.weights.classOf[q]! * features + t] = state.weights.values[q]!;
    }
    const current = serializeSparseLinear(trained.model);
    const headerLength = current.readUInt32LE(22);
    const header = JSON.parse(current.subarray(26, 26 + headerLength).toString('utf8')) as Record<string, unknown>;
    delete header.nonzeroWeights;
    const headerBytes = Buffer.from(JSON.stringify(header));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(headerBytes.length);
    const weightsAt = current.length - state.weights.values.length * 6 - (features + 1) * 4;
    const body = current.subarray(26 + headerLength, weightsAt);
    const v1 = Buffer.concat([
      Buffer.from('ARXIV-SPARSE-LINEAR-1\n'),
      length,
      headerBytes,
      body,
      Buffer.from(dense.buffer),
    ]);
    const reloaded = deserializeSparseLinear(v1);
    expect(weightBytes(reloaded.state.weights).equals(weightBytes(state.weights))).toBe(true);
    for (const paper of split.test.slice(0, 50))
      expect(reloaded.predictProba(doc(paper))).toEqual(trained.model.predictProba(doc(paper)));
  });

  it('round-trips through its file: the same numbers, the same probabilities', () => {
    const bytes = serializeSparseLinear(trained.model);
    const reloaded = deserializeSparseLinear(bytes);
    expect(reloaded.state.tfidf.terms).toEqual(trained.model.state.tfidf.terms);
    expect(weightBytes(reloaded.state.weights).equals(weightBytes(trained.model.state.weights))).toBe(true);
    for (const paper of split.test.slice(0, 100)) {
      expect(reloaded.predictProba(doc(paper))).toEqual(trained.model.predictProba(doc(paper)));
    }
    expect(() => deserializeSparseLinear(bytes.subarray(0, bytes.length - 4))).toThrow(SparseLinearFormatError);
    expect(() => deserializeSparseLinear(Buffer.from('not a model'))).toThrow(/not an arxiv-mlops sparse linear model/);
    const scrambled = Buffer.from(bytes);
    scrambled[scrambled.length - 1] = 0xff; // the last weight's class
    expect(() => deserializeSparseLinear(scrambled)).toThrow(/corrupt/);
  });
});

describe('the binary SVM solver', () => {
  it('reaches the optimum: primal and dual objectives meet', async () => {
    const sample = await samplePapers(1_500);
    const counts = new Map<string, number>();
    for (const paper of sample) counts.set(paper.primaryCategory, (counts.get(paper.primaryCategory) ?? 0) + 1);
    const [largest] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    const papers = sample.map((p) => ({ text: paperText(p), positive: p.primaryCategory === largest }));
    const x = new TfidfVectorizer(
      fitTfidf(
        papers.map((p) => p.text),
        { ...CONFIG.tfidf, minDf: 2 },
      ),
    ).matrix(papers.map((p) => p.text));
    const c = 0.5;
    const { weights, bias } = fitBinarySvm(
      x,
      (row) => papers[row]!.positive,
      () => c,
      { maxEpochs: 1_000, tolerance: 1e-4, seed: 1 },
    );
    const sign = (i: number) => (papers[i]!.positive ? 1 : -1);
    const margin = (i: number) => {
      let sum = bias;
      for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p += 1) sum += weights[x.indices[p]!]! * x.values[p]!;
      return sum;
    };
    let squaredNorm = bias * bias;
    for (const w of weights) squaredNorm += w * w;
    let hinge = 0;
    for (let i = 0; i < x.rows; i += 1) hinge += Math.max(0, 1 - sign(i) * margin(i)) ** 2;
    const primal = 0.5 * squaredNorm + c * hinge;
    // A dual point from the primal one (αᵢ = 2C·max(0, 1 − yᵢ·marginᵢ)); by weak duality
    // dual(α) ≤ optimum ≤ primal(w), so a small gap means both are at the optimum.
    const alphas = Array.from({ length: x.rows }, (_, i) => 2 * c * Math.max(0, 1 - sign(i) * margin(i)));
    const dualWeights = new Float64Array(x.cols);
    let dualBias = 0;
    let dual = 0;
    alphas.forEach((alpha, i) => {
      for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p += 1)
        dualWeights[x.indices[p]!]! += alpha * sign(i) * x.values[p]!;
      dualBias += alpha * sign(i);
      dual += alpha - (alpha * alpha) / (4 * c);
    });
    let dualNorm = dualBias * dualBias;
    for (const w of dualWeights) dualNorm += w * w;
    dual -= 0.5 * dualNorm;
    expect(papers.filter((p) => p.positive).length).toBeGreaterThan(100);
    expect(dual).toBeLessThanOrEqual(primal + 1e-9);
    expect(Math.abs(primal - dual) / primal).toBeLessThan(1e-3);
  });

  it('warm-started from the solution on part of the rows, reaches the same optimum on all of them in fewer passes', async () => {
    const sample = await samplePapers(1_500);
    const label = sample[0]!.primaryCategory;
    const texts = sample.map(paperText);
    const x = new TfidfVectorizer(fitTfidf(texts, { ...CONFIG.tfidf, minDf: 2 })).matrix(texts);
    const positive = (row: number) => sample[row]!.primaryCategory === label;
    const options = { maxEpochs: 1_000, tolerance: 1e-3, seed: 1 };
    const part = { ...x, rows: 1_200, indptr: x.indptr.subarray(0, 1_201) };
    const first = fitBinarySvm(part, positive, () => 0.5, options);
    const initialAlpha = new Float64Array(x.rows);
    initialAlpha.set(first.alpha);
    const cold = fitBinarySvm(x, positive, () => 0.5, options);
    const warm = fitBinarySvm(x, positive, () => 0.5, { ...options, initialAlpha });
    expect(warm.fit.converged).toBe(true);
    expect(warm.fit.epochs).toBeLessThan(cold.fit.epochs);
    let largest = 0;
    cold.weights.forEach((w, j) => (largest = Math.max(largest, Math.abs(w - warm.weights[j]!))));
    expect(largest).toBeLessThan(0.02);
    expect(warm.bias).toBeCloseTo(cold.bias, 1);
  });

  it("solves with the columns only one row has as that row's slack, to the same optimum as with them", async () => {
    const sample = await samplePapers(1_500);
    const label = sample[0]!.primaryCategory;
    const texts = sample.map(paperText);
    const full = new TfidfVectorizer(fitTfidf(texts, { ...CONFIG.tfidf, minDf: 1 })).matrix(texts);
    const rowsOf = new Int32Array(full.cols);
    for (const column of full.indices) rowsOf[column]! += 1;
    // The same rows without their once-seen columns; their squared values become the row's slack.
    const slack = new Float64Array(full.rows);
    const indptr = new Int32Array(full.rows + 1);
    const indices: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < full.rows; i += 1) {
      for (let p = full.indptr[i]!; p < full.indptr[i + 1]!; p += 1) {
        if (rowsOf[full.indices[p]!] === 1) slack[i]! += full.values[p]! ** 2;
        else {
          indices.push(full.indices[p]!);
          values.push(full.values[p]!);
        }
      }
      indptr[i + 1] = indices.length;
    }
    const reduced = {
      rows: full.rows,
      cols: full.cols,
      indptr,
      indices: Int32Array.from(indices),
      values: Float64Array.from(values),
    };
    expect(indices.length).toBeLessThan(full.indices.length * 0.8);
    const positive = (row: number) => sample[row]!.primaryCategory === label;
    const options = { maxEpochs: 1_000, tolerance: 1e-5, seed: 1 };
    const withColumns = fitBinarySvm(full, positive, () => 0.5, options);
    const withSlack = fitBinarySvm(reduced, positive, () => 0.5, { ...options, slack });
    expect(withSlack.fit.converged).toBe(true);
    let largest = 0;
    withColumns.weights.forEach((w, j) => {
      if (rowsOf[j]! > 1) largest = Math.max(largest, Math.abs(w - withSlack.weights[j]!));
    });
    expect(largest).toBeLessThan(1e-3);
    expect(withSlack.bias).toBeCloseTo(withColumns.bias, 3);
    let alphaGap = 0;
    withColumns.alpha.forEach((a, i) => (alphaGap = Math.max(alphaGap, Math.abs(a - withSlack.alpha[i]!))));
    expect(alphaGap).toBeLessThan(1e-3);
  });
});

describe('the softmax temperature', () => {
  it('is the one with the lowest held-out log loss', () => {
    const margins = [
      [2, 0.5, -1],
      [0.2, 1.5, -0.3],
      [1.1, 1.0, 0.9],
      [-0.5, -0.2, 0.8],
      [0.9, 1.2, -1.4],
      [1.4, -0.1, 0.3],
    ].map((m) => Float64Array.from(m));
    const labels = [0, 1, 2, 2, 0, 0];
    const loss = (t: number) => margins.reduce((sum, m, i) => sum - Math.log(softmax(m, t)[labels[i]!]!), 0);
    const t = fitTemperature(margins, labels);
    expect(loss(t)).toBeLessThanOrEqual(loss(t * 1.05));
    expect(loss(t)).toBeLessThanOrEqual(loss(t / 1.05));
    expect(softmax(Float64Array.from([1, 2, 3]), t).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
});
