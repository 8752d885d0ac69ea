import { paperText, type PaperRecord } from '../../../lib/arxiv/record';
import { evaluate } from '../../../lib/model/metrics';
import { trainSparseLinear } from '../../../lib/model/sparse-linear';
import {
  CONFIG,
  doc,
  trainedOnSample,
  weightBytes,
  type SampleSplit,
  type TrainedSparseLinear,
} from './sparse-linear-fixtures';

describe('the sparse linear family (tf-idf → one linear SVM per class)', () => {
  let split: SampleSplit;
  let trained: TrainedSparseLinear;

  beforeAll(async () => {
    ({ split, trained } = await trainedOnSample());
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
});
