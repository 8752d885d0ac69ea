import { seededRandom } from '../../../lib/embedding/linalg';
import { KernelMlpForward, type MlpWeights } from '../../../lib/model/kernel-forward';

function randomWeights(inputs: number, hidden: number, classes: number, seed: number): MlpWeights {
  const random = seededRandom(seed);
  const floats = (length: number) => Float32Array.from({ length }, () => random() * 2 - 1);
  return {
    inputs,
    hiddenKernel: floats(inputs * hidden),
    hiddenBias: floats(hidden),
    outputKernel: floats(hidden * classes),
    outputBias: floats(classes),
  };
}

/** f32 dense layer, each sum from the bias then the inputs in order (what XNNPACK does), one rounding per operation. */
function plainLayer(input: Float32Array, kernel: Float32Array, bias: Float32Array, relu: boolean): Float32Array {
  const units = bias.length;
  return Float32Array.from({ length: units }, (_, j) => {
    let sum = bias[j]!;
    for (let i = 0; i < input.length; i += 1) sum = Math.fround(sum + Math.fround(input[i]! * kernel[i * units + j]!));
    return relu ? Math.max(sum, 0) : sum;
  });
}

function plainProbabilities(weights: MlpWeights, x: Float32Array): Float32Array {
  const hidden = plainLayer(x, weights.hiddenKernel, weights.hiddenBias, true);
  const logits = plainLayer(hidden, weights.outputKernel, weights.outputBias, false);
  const max = Math.max(...logits);
  const exponentials = Array.from(logits, (logit) => Math.exp(logit - max));
  const sum = exponentials.reduce((total, e) => total + e, 0);
  return Float32Array.from(exponentials, (e) => e / sum);
}

describe('KernelMlpForward', () => {
  // Unit counts around the kernel's steps of 16 and 4 (padded to 4), and inputs of which some are 0.
  it.each([
    [1, 1, 2],
    [5, 3, 3],
    [8, 4, 5],
    [16, 10, 2],
    [19, 16, 12],
    [33, 17, 7],
    [384, 33, 10],
    [384, 256, 46],
  ])(
    'gives the floats of a plain f32 forward pass, bit for bit (%i inputs, %i hidden units, %i classes)',
    (inputs, hidden, classes) => {
      const weights = randomWeights(inputs, hidden, classes, inputs * 1000 + hidden);
      const forward = new KernelMlpForward(weights);
      const random = seededRandom(hidden);
      const rows = 3;
      const x = Float32Array.from({ length: rows * inputs }, (_, i) => (i % 5 === 2 ? 0 : random() * 2 - 1));
      const ours = forward.probabilities(x, rows);
      const plain = new Float32Array(rows * classes);
      for (let row = 0; row < rows; row += 1)
        plain.set(plainProbabilities(weights, x.subarray(row * inputs, (row + 1) * inputs)), row * classes);
      expect(Buffer.from(ours.buffer).equals(Buffer.from(plain.buffer))).toBe(true);
    },
  );

  it('refuses a kernel that does not match its bias and inputs', () => {
    const weights = randomWeights(4, 3, 2, 1);
    expect(() => new KernelMlpForward({ ...weights, inputs: 5 })).toThrow(
      /a dense kernel of 12 weights for 5 inputs and 3 units/,
    );
  });
});
