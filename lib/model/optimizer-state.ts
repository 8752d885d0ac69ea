import type { LayersModel, Optimizer } from '@tensorflow/tfjs';
import type { Tf } from './tfjs';

/**
 * The optimizer's state (Adam: step count, first and second moments) as plain arrays: a run
 * resumed from a checkpoint continues with the same moments instead of restarting Adam.
 */
export async function readOptimizerWeights(model: LayersModel): Promise<Float32Array[]> {
  const [iterations, ...moments] = await model.optimizer.getWeights();
  const values = [iterations!, ...moments].map(({ tensor }) => Float32Array.from(tensor.dataSync()));
  iterations!.tensor.dispose(); // a new scalar on each call; the moments are the optimizer's own variables
  return values;
}

/** Restores what readOptimizerWeights returned into the model's optimizer. */
export async function writeOptimizerWeights(tf: Tf, model: LayersModel, values: Float32Array[]): Promise<void> {
  if (values.length === 0) return;
  const trainable = model.trainableWeights;
  const moments = values.length - 1;
  if (moments !== 0 && moments !== 2 * trainable.length) {
    throw new Error(
      `checkpoint has ${values.length} optimizer arrays; expected 1 or ${1 + 2 * trainable.length} for this model`,
    );
  }
  const named: Parameters<Optimizer['setWeights']>[0] = [
    { name: 'iter', tensor: tf.scalar(values[0]![0]!, 'int32') },
    ...values.slice(1).map((value, i) => {
      const weight = trainable[i % trainable.length]!;
      return {
        name: `${weight.originalName}/${i < trainable.length ? 'm' : 'v'}`,
        tensor: tf.tensor(value, weight.read().shape),
      };
    }),
  ];
  // Adam replaces its moment variables without disposing the old ones.
  const replaced = await model.optimizer.getWeights();
  try {
    await model.optimizer.setWeights(named);
  } finally {
    [...replaced, ...named].forEach(({ tensor }) => tensor.dispose());
  }
}
