import { trainClassifier } from '../../../lib/model/classifier';
import { MlpClassifier, type LabeledMatrix, type MlpHyperparameters, type WeightValues } from '../../../lib/model/mlp';
import { loadTf, type Tf } from '../../../lib/model/tfjs';
import {
  decodeCheckpoint,
  encodeCheckpoint,
  trainWithEarlyStopping,
  type TrainingCheckpoint,
  type TrainingHooks,
} from '../../../lib/model/train-loop';
import { BLOB_CLASSES, BLOB_DIMENSIONS, blobExamples, blobMatrix } from './blobs';

const HP: MlpHyperparameters = {
  hiddenUnits: 16,
  dropout: 0.2,
  l2: 0,
  learningRate: 0.01,
  batchSize: 32,
  maxEpochs: 8,
  patience: 100,
  seed: 7,
  balanced: false,
  balancePower: 1,
};
const TRAIN = blobMatrix(300, 1);
const VALIDATION = blobMatrix(90, 2);

let tf: Tf;

beforeAll(async () => {
  ({ tf } = await loadTf());
});

async function run(hp: MlpHyperparameters, train: LabeledMatrix, validation: LabeledMatrix, hooks: TrainingHooks = {}) {
  const model = MlpClassifier.build(tf, BLOB_DIMENSIONS, BLOB_CLASSES.length, hp);
  const outcome = await trainWithEarlyStopping(model, train, validation, hp, hooks);
  return { model, outcome };
}

const bits = (weights: WeightValues) =>
  weights.map((array) => Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64'));
const largestDifference = (a: WeightValues, b: WeightValues) =>
  Math.max(...a.map((array, i) => Math.max(...Array.from(array, (value, j) => Math.abs(value - b[i]![j]!)))));

describe('trainClassifier', () => {
  it('learns three Gaussian blobs: test accuracy above 0.9, predictions as labels', async () => {
    const split = {
      train: blobExamples(300, 11, 'train'),
      validation: blobExamples(60, 12, 'validation'),
      test: blobExamples(90, 13, 'test'),
    };
    const trained = await trainClassifier(split, { ...HP, maxEpochs: 10, patience: 3 });
    expect(trained.backend).toBe('wasm');
    expect(trained.encoder.classes).toEqual(BLOB_CLASSES);
    expect(trained.evaluation.accuracy).toBeGreaterThan(0.9);
    expect(trained.evaluation.macroF1).toBeGreaterThan(0.9);
    expect(trained.testPredictions).toHaveLength(90);
    const correct = trained.testPredictions.filter((label, i) => label === split.test[i]!.label).length;
    expect(correct / 90).toBe(trained.evaluation.accuracy);
    trained.model.dispose();
  });

  it('refuses a split with an empty part, or a single class', async () => {
    const examples = blobExamples(30, 1, 'x');
    await expect(trainClassifier({ train: examples, validation: [], test: examples }, HP)).rejects.toThrow(
      'not enough data to train: 30 train, 0 validation, 30 test rows',
    );
    const oneClass = examples.filter((example) => example.label === 'cs.LG');
    await expect(trainClassifier({ train: oneClass, validation: oneClass, test: oneClass }, HP)).rejects.toThrow(
      'training needs at least two classes, found 1',
    );
  });

  it('frees the model’s tensors when training fails (a cancelled attempt)', async () => {
    const split = {
      train: blobExamples(60, 1, 'train'),
      validation: blobExamples(15, 2, 'validation'),
      test: blobExamples(15, 3, 'test'),
    };
    const before = tf.memory().numTensors;
    const cancelled = new Error('cancelled');
    await expect(
      trainClassifier(split, HP, {
        onEpoch: async () => {
          throw cancelled;
        },
      }),
    ).rejects.toBe(cancelled);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('trainWithEarlyStopping on a real MLP', () => {
  it('gives bit-identical weights when trained twice with the same seed, different ones with another seed', async () => {
    const first = await run(HP, TRAIN, VALIDATION);
    const second = await run(HP, TRAIN, VALIDATION);
    const other = await run({ ...HP, seed: 8 }, TRAIN, VALIDATION);
    expect(bits(second.model.getWeights())).toEqual(bits(first.model.getWeights()));
    expect(second.outcome.history).toEqual(first.outcome.history);
    expect(bits(other.model.getWeights())).not.toEqual(bits(first.model.getWeights()));
    for (const { model } of [first, second, other]) model.dispose();
  });

  it('stops once validation loss has not improved for `patience` epochs and restores the best epoch’s weights', async () => {
    // Every fourth validation label is wrong: loss falls while the model learns, then rises as it grows confident.
    const noisyValidation = blobMatrix(90, 2, { flipEvery: 4 });
    const hp: MlpHyperparameters = {
      ...HP,
      hiddenUnits: 32,
      dropout: 0.1,
      learningRate: 0.001,
      maxEpochs: 30,
      patience: 2,
      seed: 5,
    };
    const { model, outcome } = await run(hp, TRAIN, noisyValidation);
    const { bestEpoch, history } = outcome;
    expect(outcome.stoppedEarly).toBe(true);
    expect(bestEpoch).toBeGreaterThan(2);
    expect(history).toHaveLength(bestEpoch + hp.patience);
    const best = history[bestEpoch - 1]!.valLoss;
    expect(Math.min(...history.map((epoch) => epoch.valLoss))).toBe(best);
    expect(model.measure(noisyValidation).loss).toBe(best);
    model.dispose();
  });

  it('resumed from the checkpoint of epoch k, continues at k+1 and ends where the uninterrupted run ends', async () => {
    const checkpoints: Buffer[] = [];
    const uninterrupted = await run(HP, TRAIN, VALIDATION, {
      onEpoch: async (_metrics, checkpoint: TrainingCheckpoint) => {
        checkpoints.push(encodeCheckpoint(checkpoint));
      },
    });
    const k = 4;
    const resumedEpochs: number[] = [];
    const resumed = await run(HP, TRAIN, VALIDATION, {
      resumeFrom: decodeCheckpoint(checkpoints[k - 1]!),
      onEpoch: async (metrics) => {
        resumedEpochs.push(metrics.epoch);
      },
    });
    expect(resumedEpochs).toEqual([5, 6, 7, 8]);
    expect(resumed.outcome.history.slice(0, k)).toEqual(uninterrupted.outcome.history.slice(0, k));
    expect(resumed.outcome.bestEpoch).toBe(uninterrupted.outcome.bestEpoch);
    // Not bit-exact: restoring Adam recomputes beta^t with pow() where training multiplied step by
    // step (measured difference ~1e-7). Without the optimizer state it is ~1e-1.
    expect(largestDifference(resumed.model.getWeights(), uninterrupted.model.getWeights())).toBeLessThan(1e-5);
    resumed.outcome.history
      .slice(k)
      .forEach((epoch, i) => expect(epoch.valLoss).toBeCloseTo(uninterrupted.outcome.history[k + i]!.valLoss, 5));
    expect(resumed.model.measure(VALIDATION).accuracy).toBeGreaterThan(0.9);
    resumed.model.dispose();
    uninterrupted.model.dispose();
  });
});
