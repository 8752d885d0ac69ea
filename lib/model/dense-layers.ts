import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import type { MlpWeights } from './kernel-forward';

/** The weight tensors of an MLP's two dense layers (the model's own, not copies). */
export interface DenseWeightTensors {
  hiddenKernel: Tensor;
  hiddenBias: Tensor;
  outputKernel: Tensor;
  outputBias: Tensor;
}

/** The kernels and biases of the model's dense layers: the hidden one, then the output one. */
export function denseWeights(model: LayersModel): DenseWeightTensors {
  const [hidden, output] = model.layers.filter((layer) => layer.getClassName() === 'Dense');
  const [hiddenKernel, hiddenBias] = hidden!.getWeights(false);
  const [outputKernel, outputBias] = output!.getWeights(false);
  return {
    hiddenKernel: hiddenKernel!,
    hiddenBias: hiddenBias!,
    outputKernel: outputKernel!,
    outputBias: outputBias!,
  };
}

/** The dense layers' weights as floats, as KernelMlpForward reads them. */
export function denseWeightFloats(model: LayersModel, inputs: number): MlpWeights {
  const weights = denseWeights(model);
  const floats = (tensor: Tensor) => tensor.dataSync() as Float32Array;
  return {
    inputs,
    hiddenKernel: floats(weights.hiddenKernel),
    hiddenBias: floats(weights.hiddenBias),
    outputKernel: floats(weights.outputKernel),
    outputBias: floats(weights.outputBias),
  };
}
