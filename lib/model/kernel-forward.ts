import { KernelMemory } from '../embedding/kernel-memory';

/** An MLP's two dense layers, dense(relu) then dense(softmax); a kernel is inputs × units, row-major. */
export interface MlpWeights {
  inputs: number;
  hiddenKernel: Float32Array;
  hiddenBias: Float32Array;
  outputKernel: Float32Array;
  outputBias: Float32Array;
}

/** A dense layer in kernel memory, its units padded with zeros to a multiple of 4 (the kernel's step). */
interface KernelLayer {
  inputs: number;
  units: number;
  paddedUnits: number;
  kernel: number;
  bias: number;
  out: number;
}

/**
 * The MLP's forward pass one row at a time in WebAssembly, without TensorFlow.js's per-call
 * bookkeeping (tensors, scopes, kernel dispatch), which is most of a one-row call: about 15 µs a
 * row against 50 for the bench's model. The dense layers give the floats TensorFlow.js's
 * WebAssembly backend gives; the softmax is summed in doubles and rounded to floats (at most
 * 2e-7 from TensorFlow.js's on the bench's model).
 */
export class KernelMlpForward {
  private readonly memory: KernelMemory;
  private readonly input: { at: number; view: Float32Array };
  private readonly hidden: KernelLayer;
  private readonly output: KernelLayer;
  private readonly logits: Float32Array;
  /** Scratch: the logits' exponentials, in doubles. */
  private readonly exponentials: Float64Array;

  constructor(weights: MlpWeights) {
    const hiddenUnits = weights.hiddenBias.length;
    const classes = weights.outputBias.length;
    // Seven reservations, each rounded up to 16 bytes.
    this.memory = new KernelMemory(
      4 * weights.inputs + layerBytes(weights.inputs, hiddenUnits) + layerBytes(hiddenUnits, classes) + 7 * 16,
    );
    const inputAt = this.memory.reserve(weights.inputs * 4);
    this.hidden = this.layer(weights.inputs, weights.hiddenKernel, weights.hiddenBias);
    this.output = this.layer(hiddenUnits, weights.outputKernel, weights.outputBias);
    // Views last: a reservation may grow the memory, which would detach earlier views.
    this.input = { at: inputAt, view: this.memory.float32s(inputAt, weights.inputs) };
    this.logits = this.memory.float32s(this.output.out, classes);
    this.exponentials = new Float64Array(classes);
    this.copyLayer(this.hidden, weights.hiddenKernel, weights.hiddenBias);
    this.copyLayer(this.output, weights.outputKernel, weights.outputBias);
  }

  get inputs(): number {
    return this.hidden.inputs;
  }

  get classes(): number {
    return this.output.units;
  }

  private layer(inputs: number, kernel: Float32Array, bias: Float32Array): KernelLayer {
    const units = bias.length;
    if (kernel.length !== inputs * units)
      throw new Error(`a dense kernel of ${kernel.length} weights for ${inputs} inputs and ${units} units`);
    const paddedUnits = padded(units);
    return {
      inputs,
      units,
      paddedUnits,
      kernel: this.memory.reserve(inputs * paddedUnits * 4),
      bias: this.memory.reserve(paddedUnits * 4),
      out: this.memory.reserve(paddedUnits * 4),
    };
  }

  private copyLayer(layer: KernelLayer, kernel: Float32Array, bias: Float32Array): void {
    const weights = this.memory.float32s(layer.kernel, layer.inputs * layer.paddedUnits);
    for (let i = 0; i < layer.inputs; i += 1)
      weights.set(kernel.subarray(i * layer.units, (i + 1) * layer.units), i * layer.paddedUnits);
    this.memory.float32s(layer.bias, layer.units).set(bias);
  }

  /** Class probabilities, one row of `classes` values per row of x (rows × inputs). */
  probabilities(x: Float32Array, rows: number): Float32Array {
    const { inputs, classes } = this;
    const out = new Float32Array(rows * classes);
    for (let row = 0; row < rows; row += 1) {
      this.input.view.set(x.subarray(row * inputs, (row + 1) * inputs));
      this.run(this.hidden, this.input.at, true);
      this.run(this.output, this.hidden.out, false);
      this.softmaxInto(out, row * classes);
    }
    return out;
  }

  /** out[offset + c] = softmax(logits)[c], summed in doubles. */
  private softmaxInto(out: Float32Array, offset: number): void {
    const { logits, exponentials } = this;
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < logits.length; c += 1) if (logits[c]! > max) max = logits[c]!;
    let sum = 0;
    for (let c = 0; c < logits.length; c += 1) {
      exponentials[c] = Math.exp(logits[c]! - max);
      sum += exponentials[c]!;
    }
    for (let c = 0; c < logits.length; c += 1) out[offset + c] = exponentials[c]! / sum;
  }

  private run(layer: KernelLayer, input: number, relu: boolean): void {
    this.memory.denseLayer(input, layer.inputs, layer.kernel, layer.paddedUnits, layer.bias, relu, layer.out);
  }
}

function padded(units: number): number {
  return Math.ceil(units / 4) * 4;
}

/** A layer's kernel, bias and outputs. */
function layerBytes(inputs: number, units: number): number {
  return 4 * (inputs + 2) * padded(units);
}
