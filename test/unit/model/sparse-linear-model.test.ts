import {
  deserializeSparseLinear,
  serializeSparseLinear,
  SparseLinearFormatError,
} from '../../../lib/model/sparse-linear-file';
import {
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

  it('gives probabilities that sum to 1 and rank the classes as the margins do', () => {
    for (const paper of split.test.slice(0, 200)) {
      const probabilities = trained.model.predictProba(doc(paper));
      expect(probabilities.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 10);
      const top = probabilities.indexOf(Math.max(...probabilities));
      expect(top).toBe(trained.model.predict(doc(paper)));
    }
    expect(trained.model.state.temperature).toBeGreaterThan(0);
  });

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
