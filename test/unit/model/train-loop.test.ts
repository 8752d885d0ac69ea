import type {
  EpochMetrics,
  LabeledMatrix,
  MlpClassifier,
  MlpHyperparameters,
  WeightValues,
} from '../../../lib/model/mlp';
import {
  decodeCheckpoint,
  encodeCheckpoint,
  trainWithEarlyStopping,
  type TrainingCheckpoint,
} from '../../../lib/model/train-loop';

const HP: MlpHyperparameters = {
  hiddenUnits: 4,
  dropout: 0,
  l2: 0,
  learningRate: 0.01,
  batchSize: 8,
  maxEpochs: 10,
  patience: 2,
  seed: 1,
  balanced: false,
  balancePower: 1,
};
const NO_DATA: LabeledMatrix = { rows: 0, dimensions: 1, x: new Float32Array(0), y: new Int32Array(0) };

/**
 * A stand-in for MlpClassifier whose weights are [epoch] after each epoch and whose validation
 * loss follows a script, so the loop's bookkeeping can be checked exactly.
 */
class ScriptedModel {
  weights: WeightValues = [Float32Array.of(0)];
  optimizer: WeightValues = [Float32Array.of(0)];
  readonly trainedEpochs: number[] = [];
  restoredOptimizer: WeightValues | undefined;

  constructor(private readonly valLosses: number[]) {}

  async trainEpoch(
    _train: LabeledMatrix,
    _hp: MlpHyperparameters,
    epoch: number,
  ): Promise<{ loss: number; accuracy: number }> {
    this.trainedEpochs.push(epoch);
    this.weights = [Float32Array.of(epoch)];
    this.optimizer = [Float32Array.of(epoch * 10)];
    return { loss: 1 / epoch, accuracy: epoch / 100 };
  }

  measure(): { loss: number; accuracy: number } {
    const epoch = this.weights[0]![0]!;
    return { loss: this.valLosses[epoch - 1]!, accuracy: 0.5 };
  }

  getWeights(): WeightValues {
    return this.weights.map((array) => Float32Array.from(array));
  }

  setWeights(values: WeightValues): void {
    this.weights = values.map((array) => Float32Array.from(array));
  }

  async getOptimizerWeights(): Promise<WeightValues> {
    return this.optimizer;
  }

  async setOptimizerWeights(values: WeightValues): Promise<void> {
    this.restoredOptimizer = values;
  }

  asClassifier(): MlpClassifier {
    return this as unknown as MlpClassifier; // structurally enough for trainWithEarlyStopping
  }
}

async function train(model: ScriptedModel, hp: Partial<MlpHyperparameters> = {}, resumeFrom?: TrainingCheckpoint) {
  const checkpoints: TrainingCheckpoint[] = [];
  const outcome = await trainWithEarlyStopping(
    model.asClassifier(),
    NO_DATA,
    NO_DATA,
    { ...HP, ...hp },
    {
      resumeFrom,
      onEpoch: async (_metrics: EpochMetrics, checkpoint: TrainingCheckpoint) => {
        checkpoints.push(checkpoint);
      },
    },
  );
  return { outcome, checkpoints };
}

describe('trainWithEarlyStopping', () => {
  it('stops after `patience` epochs without a better validation loss and keeps the best epoch’s weights', async () => {
    const model = new ScriptedModel([0.9, 0.5, 0.4, 0.45, 0.41, 0.3, 0.2]);
    const { outcome } = await train(model, { patience: 2 });
    expect(model.trainedEpochs).toEqual([1, 2, 3, 4, 5]);
    expect(outcome.bestEpoch).toBe(3);
    expect(outcome.stoppedEarly).toBe(true);
    expect(outcome.history.map((epoch) => epoch.valLoss)).toEqual([0.9, 0.5, 0.4, 0.45, 0.41]);
    expect(model.weights).toEqual([Float32Array.of(3)]);
  });

  it('does not count an equal validation loss as an improvement', async () => {
    const model = new ScriptedModel([0.5, 0.5, 0.5, 0.1]);
    const { outcome } = await train(model, { patience: 1 });
    expect(outcome.bestEpoch).toBe(1);
    expect(model.trainedEpochs).toEqual([1, 2]);
  });

  it('runs to maxEpochs while the loss keeps improving, without reporting an early stop', async () => {
    const model = new ScriptedModel([5, 4, 3, 2, 1]);
    const { outcome } = await train(model, { maxEpochs: 5, patience: 1 });
    expect(outcome).toMatchObject({ bestEpoch: 5, stoppedEarly: false });
    expect(outcome.history).toHaveLength(5);
  });

  it('records each epoch’s training and validation metrics', async () => {
    const { outcome } = await train(new ScriptedModel([0.7, 0.6]), { maxEpochs: 2 });
    expect(outcome.history).toEqual([
      { epoch: 1, loss: 1, accuracy: 0.01, valLoss: 0.7, valAccuracy: 0.5 },
      { epoch: 2, loss: 0.5, accuracy: 0.02, valLoss: 0.6, valAccuracy: 0.5 },
    ]);
  });

  it('hands a checkpoint after every epoch with the best and current weights and the optimizer state', async () => {
    const { checkpoints } = await train(new ScriptedModel([0.9, 0.5, 0.6, 0.7]), { patience: 2 });
    expect(checkpoints.map((checkpoint) => [checkpoint.epoch, checkpoint.bestEpoch, checkpoint.bestValLoss])).toEqual([
      [1, 1, 0.9],
      [2, 2, 0.5],
      [3, 2, 0.5],
      [4, 2, 0.5],
    ]);
    expect(checkpoints[3]!.bestWeights).toEqual([Float32Array.of(2)]);
    expect(checkpoints[3]!.currentWeights).toEqual([Float32Array.of(4)]);
    expect(checkpoints[3]!.optimizerWeights).toEqual([Float32Array.of(40)]);
    expect(checkpoints[3]!.history).toHaveLength(4);
  });

  it('resumes after the checkpoint’s epoch with its weights, optimizer state, history and best so far', async () => {
    const losses = [0.9, 0.5, 0.6, 0.7, 0.2, 0.3];
    const { checkpoints } = await train(new ScriptedModel(losses), { maxEpochs: 3, patience: 5 });
    const resumed = new ScriptedModel(losses);
    const { outcome } = await train(
      resumed,
      { maxEpochs: 6, patience: 5 },
      decodeCheckpoint(encodeCheckpoint(checkpoints[2]!)),
    );
    expect(resumed.trainedEpochs).toEqual([4, 5, 6]);
    expect(resumed.restoredOptimizer).toEqual([Float32Array.of(30)]);
    expect(outcome.history.map((epoch) => epoch.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(outcome.bestEpoch).toBe(5);
    expect(resumed.weights).toEqual([Float32Array.of(5)]);
  });

  it('stops at once when resumed from a checkpoint whose patience had already run out', async () => {
    const losses = [0.5, 0.6, 0.7];
    const { checkpoints } = await train(new ScriptedModel(losses), { maxEpochs: 3, patience: 2 });
    const resumed = new ScriptedModel(losses);
    const { outcome } = await train(resumed, { maxEpochs: 10, patience: 2 }, checkpoints[2]);
    expect(resumed.trainedEpochs).toEqual([]);
    expect(outcome).toMatchObject({ bestEpoch: 1, stoppedEarly: true });
    expect(resumed.weights).toEqual([Float32Array.of(1)]);
  });

  it('never takes a NaN validation loss as the best', async () => {
    const model = new ScriptedModel([Number.NaN, 0.8, Number.NaN, Number.NaN]);
    const { outcome } = await train(model, { maxEpochs: 4, patience: 5 });
    expect(outcome.bestEpoch).toBe(2);
    expect(model.weights).toEqual([Float32Array.of(2)]);
  });
});

describe('training checkpoints', () => {
  const checkpoint: TrainingCheckpoint = {
    epoch: 3,
    history: [
      { epoch: 1, loss: 0.9, accuracy: 0.5, valLoss: 0.8, valAccuracy: 0.55 },
      { epoch: 2, loss: 0.6, accuracy: 0.7, valLoss: 0.65, valAccuracy: 0.68 },
      { epoch: 3, loss: 0.5, accuracy: 0.75, valLoss: 0.7, valAccuracy: 0.66 },
    ],
    bestEpoch: 2,
    bestValLoss: 0.65,
    bestWeights: [Float32Array.of(0.1, -0.2, 3e-39, Number.MAX_VALUE), Float32Array.of(Math.PI)],
    currentWeights: [Float32Array.of(-0, 1e-7, 123456.789, Number.NaN), Float32Array.of(Math.E)],
    optimizerWeights: [
      Float32Array.of(42),
      Float32Array.of(0.01, 0.02, 0.03, 0.04),
      Float32Array.of(1),
      Float32Array.of(5, 6, 7, 8),
      Float32Array.of(2),
    ],
  };

  const bytesOf = (arrays: WeightValues) =>
    arrays.map((array) => Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('hex'));

  it('round-trips weights bit for bit, and history, epoch and best loss unchanged', () => {
    const decoded = decodeCheckpoint(encodeCheckpoint(checkpoint));
    expect(bytesOf(decoded.bestWeights)).toEqual(bytesOf(checkpoint.bestWeights));
    expect(bytesOf(decoded.currentWeights)).toEqual(bytesOf(checkpoint.currentWeights));
    expect(bytesOf(decoded.optimizerWeights!)).toEqual(bytesOf(checkpoint.optimizerWeights!));
    expect(decoded.history).toEqual(checkpoint.history);
    expect({ epoch: decoded.epoch, bestEpoch: decoded.bestEpoch, bestValLoss: decoded.bestValLoss }).toEqual({
      epoch: 3,
      bestEpoch: 2,
      bestValLoss: 0.65,
    });
    expect(Object.keys(decoded).sort()).toEqual(Object.keys(checkpoint).sort());
  });

  it('round-trips weights that are views into a larger buffer', () => {
    const backing = Float32Array.of(9, 1, 2, 3, 9);
    const decoded = decodeCheckpoint(
      encodeCheckpoint({
        ...checkpoint,
        bestWeights: [backing.subarray(1, 4)],
        currentWeights: [backing.subarray(2, 3)],
      }),
    );
    expect(decoded.bestWeights).toEqual([Float32Array.of(1, 2, 3)]);
    expect(decoded.currentWeights).toEqual([Float32Array.of(2)]);
  });

  it('keeps non-finite losses (a diverged epoch, no best epoch yet) instead of turning them into null', () => {
    const diverged: TrainingCheckpoint = {
      ...checkpoint,
      history: [{ epoch: 1, loss: Number.NaN, accuracy: 0.1, valLoss: Number.POSITIVE_INFINITY, valAccuracy: 0.1 }],
      bestEpoch: 0,
      bestValLoss: Number.POSITIVE_INFINITY,
    };
    const decoded = decodeCheckpoint(encodeCheckpoint(diverged));
    expect(decoded.bestValLoss).toBe(Number.POSITIVE_INFINITY);
    expect(decoded.history[0]!.loss).toBeNaN();
    expect(decoded.history[0]!.valLoss).toBe(Number.POSITIVE_INFINITY);
  });

  it('encodes a checkpoint without optimizer state as one with none', () => {
    const { optimizerWeights: _omitted, ...withoutOptimizer } = checkpoint;
    const decoded = decodeCheckpoint(encodeCheckpoint(withoutOptimizer));
    expect(decoded.optimizerWeights).toEqual([]);
    expect(bytesOf(decoded.currentWeights)).toEqual(bytesOf(checkpoint.currentWeights));
  });

  it('refuses bytes that are not a checkpoint', () => {
    expect(() => decodeCheckpoint(Buffer.from('{"epoch":1}'))).toThrow('not a training checkpoint');
    expect(() => decodeCheckpoint(Buffer.alloc(0))).toThrow('not a training checkpoint');
  });

  it('refuses a truncated or padded checkpoint instead of returning zero-filled weights', () => {
    const bytes = encodeCheckpoint(checkpoint);
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 4))).toThrow(/truncated or corrupt/);
    expect(() => decodeCheckpoint(Buffer.concat([bytes, Buffer.alloc(4)]))).toThrow(/truncated or corrupt/);
  });
});
