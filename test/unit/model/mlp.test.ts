import type { Tensor } from '@tensorflow/tfjs';
import { balancedClassWeights } from '../../../lib/model/class-weights';
import { MlpClassifier, type MlpHyperparameters } from '../../../lib/model/mlp';
import { loadTf, type Tf } from '../../../lib/model/tfjs';
import { BLOB_DIMENSIONS, blobMatrix } from './blobs';

const HP: MlpHyperparameters = {
  hiddenUnits: 16,
  dropout: 0.2,
  l2: 0,
  learningRate: 0.01,
  batchSize: 32,
  maxEpochs: 5,
  patience: 2,
  seed: 11,
  balanced: false,
  balancePower: 1,
};
const TRAIN = blobMatrix(120, 1);

let tf: Tf;
let backend: string;

beforeAll(async () => {
  ({ tf, backend } = await loadTf());
});

async function trained(hp: MlpHyperparameters = HP, epochs = 2): Promise<MlpClassifier> {
  const model = MlpClassifier.build(tf, BLOB_DIMENSIONS, 3, hp);
  for (let epoch = 1; epoch <= epochs; epoch += 1) await model.trainEpoch(TRAIN, hp, epoch);
  return model;
}

describe('loadTf', () => {
  it('runs TensorFlow.js on the WebAssembly backend when tfjs-node is not installed', () => {
    expect(backend).toBe('wasm');
  });
});

describe('MlpClassifier', () => {
  it('computes the same probabilities as the TF.js model’s own predict, for one row and for many', async () => {
    const model = await trained();
    for (const rows of [1, 7, TRAIN.rows]) {
      const x = TRAIN.x.subarray(0, rows * BLOB_DIMENSIONS);
      const ours = model.probabilities(x, rows);
      const layers = tf.tidy(
        () => (model.model.predict(tf.tensor2d(x, [rows, BLOB_DIMENSIONS])) as Tensor).dataSync() as Float32Array,
      );
      expect(ours).toHaveLength(layers.length);
      ours.forEach((value, i) => expect(Math.abs(value - layers[i]!)).toBeLessThan(1e-6));
    }
    model.dispose();
  });

  it('answers small batches through its WebAssembly forward pass, within 1e-6 of TF.js on any batch size', async () => {
    const model = await trained({ ...HP, hiddenUnits: 10 });
    const layers = (rows: number) =>
      tf.tidy(
        () =>
          (
            model.model.predict(
              tf.tensor2d(TRAIN.x.subarray(0, rows * BLOB_DIMENSIONS), [rows, BLOB_DIMENSIONS]),
            ) as Tensor
          ).dataSync() as Float32Array,
      );
    const big = MlpClassifier.KERNEL_ROWS + 1;
    // The big batch goes through TF.js's kernels; its first rows are also sent alone and in small batches.
    const tfjs = model.probabilities(TRAIN.x.subarray(0, big * BLOB_DIMENSIONS), big);
    for (const rows of [1, 2, MlpClassifier.KERNEL_ROWS]) {
      const ours = model.probabilities(TRAIN.x.subarray(0, rows * BLOB_DIMENSIONS), rows);
      const reference = layers(rows);
      ours.forEach((value, i) => {
        expect(Math.abs(value - reference[i]!)).toBeLessThan(1e-6);
        expect(Math.abs(value - tfjs[i]!)).toBeLessThan(1e-6);
      });
    }
    model.dispose();
  });

  it('forgets its WebAssembly forward pass when its weights change (an epoch, setWeights)', async () => {
    const model = await trained();
    const row = TRAIN.x.subarray(0, BLOB_DIMENSIONS);
    const layers = () =>
      tf.tidy(() => (model.model.predict(tf.tensor2d(row, [1, BLOB_DIMENSIONS])) as Tensor).dataSync() as Float32Array);
    const closeToLayers = () =>
      model.probabilities(row, 1).forEach((value, i) => expect(Math.abs(value - layers()[i]!)).toBeLessThan(1e-6));
    closeToLayers();
    const before = model.getWeights();
    await model.trainEpoch(TRAIN, HP, 3);
    closeToLayers();
    model.setWeights(before);
    closeToLayers();
    model.dispose();
  });

  it('predicts the most probable class of each row', async () => {
    const model = await trained();
    const probabilities = model.probabilities(TRAIN.x, TRAIN.rows);
    const predicted = model.predict(TRAIN.x, TRAIN.rows);
    expect(probabilities).toHaveLength(TRAIN.rows * 3);
    for (let r = 0; r < TRAIN.rows; r += 1) {
      const row = Array.from(probabilities.subarray(r * 3, r * 3 + 3));
      expect(row.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 5);
      expect(predicted[r]).toBe(row.indexOf(Math.max(...row)));
    }
    model.dispose();
  });

  it('saves to TF.js layers format: model.json with topology and a manifest naming weights.bin', async () => {
    const model = await trained();
    const { modelJson, weights } = await model.toArtifacts();
    const parsed = JSON.parse(modelJson) as {
      format: string;
      generatedBy: string;
      modelTopology: { class_name: string; config: { layers: Array<{ class_name: string }> } };
      weightsManifest: Array<{ paths: string[]; weights: Array<{ name: string; shape: number[]; dtype: string }> }>;
    };
    expect(parsed.format).toBe('layers-model');
    expect(parsed.generatedBy).toMatch(/^TensorFlow\.js tfjs-layers v\d+\.\d+\.\d+$/);
    expect(parsed.modelTopology.class_name).toBe('Sequential');
    expect(parsed.modelTopology.config.layers.map((layer) => layer.class_name)).toEqual(['Dense', 'Dropout', 'Dense']);
    expect(parsed.weightsManifest).toHaveLength(1);
    expect(parsed.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    const specs = parsed.weightsManifest[0]!.weights;
    expect(specs.map((spec) => [spec.shape, spec.dtype])).toEqual([
      [[BLOB_DIMENSIONS, 16], 'float32'],
      [[16], 'float32'],
      [[16, 3], 'float32'],
      [[3], 'float32'],
    ]);
    expect(weights.length).toBe(specs.reduce((bytes, spec) => bytes + 4 * spec.shape.reduce((a, b) => a * b, 1), 0));
    model.dispose();
  });

  it('loads from its artifacts with identical weights and predictions', async () => {
    const model = await trained();
    const { modelJson, weights } = await model.toArtifacts();
    // A Buffer that is a view into a larger pool, as one read from a socket or file may be.
    const pooled = Buffer.concat([Buffer.alloc(3), weights]).subarray(3);
    const loaded = await MlpClassifier.fromArtifacts(tf, modelJson, pooled);
    expect(loaded.inputDimensions).toBe(BLOB_DIMENSIONS);
    expect(loaded.classes).toBe(3);
    expect(loaded.getWeights()).toEqual(model.getWeights());
    expect(loaded.probabilities(TRAIN.x, TRAIN.rows)).toEqual(model.probabilities(TRAIN.x, TRAIN.rows));
    expect(loaded.predict(TRAIN.x, TRAIN.rows)).toEqual(model.predict(TRAIN.x, TRAIN.rows));
    loaded.dispose();
    model.dispose();
  });

  it('copies weights out and back in exactly, and refuses arrays that do not fit the model', async () => {
    const model = await trained();
    const other = MlpClassifier.build(tf, BLOB_DIMENSIONS, 3, { ...HP, seed: 99 });
    other.setWeights(model.getWeights());
    expect(other.getWeights()).toEqual(model.getWeights());
    expect(() => other.setWeights(model.getWeights().slice(1))).toThrow('checkpoint has 3 weight arrays, the model 4');
    other.dispose();
    model.dispose();
  });

  it('draws a fresh dropout mask for every batch, the same ones again for the same seed and epoch', async () => {
    const hp = { ...HP, dropout: 0.5, batchSize: 4, hiddenUnits: 8 };
    const rows = { ...TRAIN, rows: 8, x: TRAIN.x.subarray(0, 8 * BLOB_DIMENSIONS), y: TRAIN.y.subarray(0, 8) };
    const masksOf = async (model: MlpClassifier, epoch: number): Promise<string[]> => {
      const dropout = model.model.layers[1]!;
      const call = dropout.call.bind(dropout);
      const masks: string[] = [];
      dropout.call = (inputs, kwargs) => {
        const output = call(inputs, kwargs) as Tensor;
        masks.push(Array.from(output.dataSync(), (value) => (value === 0 ? '0' : '1')).join(''));
        return output;
      };
      // Positive weights and inputs: every hidden unit is active, so a zero is a dropped unit.
      model.setWeights(model.getWeights().map((array, i) => array.map(() => (i < 2 ? 0.1 : 0))));
      const positive = { ...rows, x: rows.x.map(Math.abs) };
      try {
        await model.trainEpoch(positive, hp, epoch);
      } finally {
        dropout.call = call;
      }
      return masks;
    };
    const model = MlpClassifier.build(tf, BLOB_DIMENSIONS, 3, hp);
    const masks = await masksOf(model, 1);
    expect(masks).toHaveLength(2);
    for (const mask of masks) expect(mask).toMatch(/^(?=.*0)(?=.*1)[01]{32}$/);
    expect(masks[1]).not.toBe(masks[0]);
    expect(await masksOf(model, 2)).not.toEqual(masks);
    const twin = MlpClassifier.build(tf, BLOB_DIMENSIONS, 3, hp);
    expect(await masksOf(twin, 1)).toEqual(masks);
    expect(model.model.layers[1]!.getConfig().seed).toBe(hp.seed + 1);
    twin.dispose();
    model.dispose();
  });

  it('exposes Adam’s state (step count, then first and second moments) and restores it into a fresh model', async () => {
    const fresh = MlpClassifier.build(tf, BLOB_DIMENSIONS, 3, HP);
    expect(await fresh.getOptimizerWeights()).toEqual([Float32Array.of(0)]);
    const model = await trained(HP, 2);
    const state = await model.getOptimizerWeights();
    expect(state).toHaveLength(1 + 2 * 4);
    expect(state[0]).toEqual(Float32Array.of(2 * Math.ceil(TRAIN.rows / HP.batchSize)));
    expect(state.slice(1).map((array) => array.length)).toEqual([8 * 16, 16, 16 * 3, 3, 8 * 16, 16, 16 * 3, 3]);
    await fresh.setOptimizerWeights(state);
    expect(await fresh.getOptimizerWeights()).toEqual(state);
    const tensors = tf.memory().numTensors;
    await fresh.setOptimizerWeights(state);
    expect(tf.memory().numTensors).toBe(tensors);
    await expect(fresh.setOptimizerWeights(state.slice(0, 3))).rejects.toThrow(
      'checkpoint has 3 optimizer arrays; expected 1 or 9 for this model',
    );
    fresh.dispose();
    model.dispose();
  });

  it('frees every tensor it allocated when disposed, the optimizer’s included', async () => {
    const before = tf.memory().numTensors;
    const model = await trained();
    await model.getOptimizerWeights();
    model.measure(TRAIN);
    model.predict(TRAIN.x, TRAIN.rows);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('balancedClassWeights', () => {
  const labels = Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1, 2]);
  it('weighs each present class by n / (classes · n_class), as scikit-learn does', () => {
    expect(balancedClassWeights(labels, 4)).toEqual({ 0: 9 / 24, 1: 9 / 8, 2: 9 / 4 });
  });
  it('goes part of the way with a power below 1', () => {
    const half = balancedClassWeights(labels, 4, 0.5);
    expect(half[0]).toBeCloseTo(Math.sqrt(9 / 24), 12);
    expect(half[2]).toBeCloseTo(Math.sqrt(9 / 4), 12);
    expect(balancedClassWeights(labels, 4, 0)).toEqual({ 0: 1, 1: 1, 2: 1 });
  });
});
