import type { LayersModel, Optimizer, Tensor, Tensor2D } from '@tensorflow/tfjs';
import { seededRandom } from '../embedding/linalg';
import { balancedClassWeights } from './class-weights';
import { denseWeightFloats, denseWeights } from './dense-layers';
import { KernelMlpForward } from './kernel-forward';
import { layersModelArtifacts, loadLayersModelArtifacts } from './layers-artifacts';
import { readOptimizerWeights, writeOptimizerWeights } from './optimizer-state';
import { seededShuffle } from './split';
import type { Tf } from './tfjs';

export interface MlpHyperparameters {
  hiddenUnits: number;
  dropout: number;
  l2: number;
  learningRate: number;
  batchSize: number;
  maxEpochs: number;
  /** Stop after this many epochs without a better validation loss; the best epoch's weights are kept. */
  patience: number;
  seed: number;
  /** Weigh each class's loss by n / (classes · n_class), so small classes count as much as large ones. */
  balanced: boolean;
  /** With balanced: class weights raised to this power (1: scikit-learn's 'balanced'; 0.5 part of the way). */
  balancePower: number;
}

export const DEFAULT_HYPERPARAMETERS: MlpHyperparameters = {
  hiddenUnits: 256,
  dropout: 0.3,
  l2: 0,
  learningRate: 1e-3,
  batchSize: 64,
  maxEpochs: 40,
  patience: 4,
  seed: 42,
  balanced: false,
  balancePower: 1,
};

/** Rows of a dense matrix with integer labels. */
export interface LabeledMatrix {
  rows: number;
  dimensions: number;
  x: Float32Array;
  y: Int32Array;
}

export interface EpochMetrics {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
}

/** The model's weights as plain arrays, for checkpoints. */
export type WeightValues = Float32Array[];

/** The part of TF.js's Dropout layer we reseed: its `seed` field is private in the typings but read on every call. */
interface ReseedableDropout {
  seed?: number;
}

/**
 * A multi-layer perceptron over embeddings: dense(relu) → dropout → dense(softmax), trained one
 * epoch at a time with a seeded shuffle so runs are reproducible and can stop, checkpoint and resume.
 */
export class MlpClassifier {
  /**
   * Batches up to this many rows go through `KernelMlpForward` (the same floats, without
   * TensorFlow.js's per-call bookkeeping); larger ones through TensorFlow.js, faster there.
   */
  static readonly KERNEL_ROWS = 8;
  /** Made on first use from the current weights; dropped whenever they may change. */
  #kernelForward: KernelMlpForward | undefined;

  private constructor(
    private readonly tf: Tf,
    readonly model: LayersModel,
    readonly inputDimensions: number,
    readonly classes: number,
  ) {}

  static build(tf: Tf, inputDimensions: number, classes: number, hp: MlpHyperparameters): MlpClassifier {
    const regularizer = hp.l2 > 0 ? tf.regularizers.l2({ l2: hp.l2 }) : undefined;
    const model = tf.sequential({
      layers: [
        tf.layers.dense({
          inputShape: [inputDimensions],
          units: hp.hiddenUnits,
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: hp.seed }),
          kernelRegularizer: regularizer,
        }),
        tf.layers.dropout({ rate: hp.dropout, seed: hp.seed + 1 }),
        tf.layers.dense({
          units: classes,
          activation: 'softmax',
          kernelInitializer: tf.initializers.glorotUniform({ seed: hp.seed + 2 }),
          kernelRegularizer: regularizer,
        }),
      ],
    });
    const classifier = new MlpClassifier(tf, model, inputDimensions, classes);
    classifier.compile(hp.learningRate);
    return classifier;
  }

  private compile(learningRate: number): void {
    this.model.compile({
      optimizer: this.tf.train.adam(learningRate),
      loss: 'sparseCategoricalCrossentropy',
      metrics: ['accuracy'],
    });
  }

  private tensors(data: LabeledMatrix, order?: number[]): { x: Tensor; y: Tensor } {
    const { tf } = this;
    if (!order) return { x: tf.tensor2d(data.x, [data.rows, data.dimensions]), y: tf.tensor1d(data.y, 'float32') };
    const x = new Float32Array(data.rows * data.dimensions);
    const y = new Float32Array(data.rows);
    order.forEach((row, i) => {
      x.set(data.x.subarray(row * data.dimensions, (row + 1) * data.dimensions), i * data.dimensions);
      y[i] = data.y[row]!;
    });
    return { x: tf.tensor2d(x, [data.rows, data.dimensions]), y: tf.tensor1d(y, 'float32') };
  }

  /**
   * One pass over the training rows in an order fixed by (seed, epoch). A dropout layer with a
   * fixed seed draws the same mask for every batch, so each batch gets its own seed, also fixed
   * by (seed, epoch): the run stays reproducible and a resumed run draws the masks it would have.
   */
  async trainEpoch(
    train: LabeledMatrix,
    hp: MlpHyperparameters,
    epoch: number,
  ): Promise<{ loss: number; accuracy: number }> {
    const order = seededShuffle(
      Array.from({ length: train.rows }, (_, i) => i),
      hp.seed * 1_000 + epoch,
    );
    const dropouts = this.model.layers.filter(
      (layer) => layer.getClassName() === 'Dropout',
    ) as unknown as ReseedableDropout[];
    const configuredSeeds = dropouts.map((layer) => layer.seed);
    const batchSeeds = seededRandom(hp.seed * 1_000 + epoch + 0x5eed);
    const { x, y } = this.tensors(train, order);
    try {
      const history = await this.model.fit(x, y, {
        epochs: 1,
        batchSize: hp.batchSize,
        shuffle: false,
        verbose: 0,
        ...(hp.balanced ? { classWeight: balancedClassWeights(train.y, this.classes, hp.balancePower ?? 1) } : {}),
        callbacks: {
          onBatchBegin: () => {
            const seed = Math.floor(batchSeeds() * 2 ** 32);
            for (const layer of dropouts) layer.seed = seed;
          },
        },
      });
      return {
        loss: Number(history.history.loss![0]),
        accuracy: Number((history.history.acc ?? history.history.accuracy)![0]),
      };
    } finally {
      // A forward pass made while the epoch ran would keep weights the epoch has since changed.
      this.#kernelForward = undefined;
      dropouts.forEach((layer, i) => {
        layer.seed = configuredSeeds[i];
      });
      x.dispose();
      y.dispose();
    }
  }

  /** Loss and accuracy without dropout. */
  measure(data: LabeledMatrix): { loss: number; accuracy: number } {
    const { x, y } = this.tensors(data);
    try {
      const [loss, accuracy] = this.model.evaluate(x, y, { batchSize: 1024 }) as Tensor[];
      const result = { loss: loss!.dataSync()[0]!, accuracy: accuracy!.dataSync()[0]! };
      loss!.dispose();
      accuracy!.dispose();
      return result;
    } finally {
      x.dispose();
      y.dispose();
    }
  }

  /**
   * Class probabilities, one row of `classes` values per input row: the dense layers' own
   * arithmetic (x·kernel + bias, relu; then softmax; dropout is off at inference) as two fused
   * kernels on their weight tensors. LayersModel.predict gives the same numbers but spends most of
   * a one-row call in its bookkeeping, and serving calls with one row; a few rows go through
   * `KernelMlpForward` instead, which skips TensorFlow.js's own (tensors, scopes, dispatch) too.
   */
  probabilities(x: Float32Array, rows: number): Float32Array {
    if (rows <= MlpClassifier.KERNEL_ROWS) return this.kernelForward().probabilities(x, rows);
    const { tf } = this;
    const { hiddenKernel, hiddenBias, outputKernel, outputBias } = denseWeights(this.model);
    return tf.tidy(() => {
      const input = tf.tensor2d(x, [rows, this.inputDimensions]);
      const activations = tf.fused.matMul({
        a: input,
        b: hiddenKernel as Tensor2D,
        bias: hiddenBias,
        activation: 'relu',
      });
      const logits = tf.fused.matMul({ a: activations, b: outputKernel as Tensor2D, bias: outputBias });
      return tf.softmax(logits).dataSync() as Float32Array;
    });
  }

  private kernelForward(): KernelMlpForward {
    if (!this.#kernelForward)
      this.#kernelForward = new KernelMlpForward(denseWeightFloats(this.model, this.inputDimensions));
    return this.#kernelForward;
  }

  predict(x: Float32Array, rows: number): Int32Array {
    const probabilities = this.probabilities(x, rows);
    const out = new Int32Array(rows);
    for (let r = 0; r < rows; r += 1) {
      let best = 0;
      for (let c = 1; c < this.classes; c += 1)
        if (probabilities[r * this.classes + c]! > probabilities[r * this.classes + best]!) best = c;
      out[r] = best;
    }
    return out;
  }

  getWeights(): WeightValues {
    return this.model.getWeights().map((weight) => Float32Array.from(weight.dataSync() as Float32Array));
  }

  setWeights(values: WeightValues): void {
    const current = this.model.getWeights();
    if (values.length !== current.length)
      throw new Error(`checkpoint has ${values.length} weight arrays, the model ${current.length}`);
    const tensors = values.map((value, i) => this.tf.tensor(value, current[i]!.shape));
    this.model.setWeights(tensors);
    this.#kernelForward = undefined;
    tensors.forEach((tensor) => tensor.dispose());
  }

  /**
   * The optimizer's state (Adam: step count, first and second moments) as plain arrays: a run
   * resumed from a checkpoint continues with the same moments instead of restarting Adam.
   */
  getOptimizerWeights(): Promise<WeightValues> {
    return readOptimizerWeights(this.model);
  }

  /** Restores what getOptimizerWeights returned. */
  setOptimizerWeights(values: WeightValues): Promise<void> {
    return writeOptimizerWeights(this.tf, this.model, values);
  }

  /** TF.js layers format: model.json (topology + weights manifest) and one weights.bin. */
  toArtifacts(): Promise<{ modelJson: string; weights: Buffer }> {
    return layersModelArtifacts(this.tf, this.model);
  }

  static async fromArtifacts(tf: Tf, modelJson: string, weights: Buffer): Promise<MlpClassifier> {
    const model = await loadLayersModelArtifacts(tf, modelJson, weights);
    const inputShape = model.inputs[0]!.shape;
    const outputShape = model.outputs[0]!.shape;
    return new MlpClassifier(tf, model, Number(inputShape[1]), Number(outputShape[1]));
  }

  dispose(): void {
    // Read before disposing; undefined for a model loaded from artifacts (never compiled).
    const optimizer = this.model.optimizer as Optimizer | undefined;
    this.#kernelForward = undefined;
    this.model.dispose();
    // compile() handed TF.js an optimizer instance, which LayersModel.dispose leaves alone (Adam's moments).
    optimizer?.dispose();
  }
}
