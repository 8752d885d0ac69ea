import { LabelEncoder } from './label-encoder';
import { evaluate, type Evaluation } from './metrics';
import { MlpClassifier, type LabeledMatrix, type MlpHyperparameters } from './mlp';
import { loadTf } from './tfjs';
import { trainWithEarlyStopping, type TrainingHooks, type TrainingOutcome } from './train-loop';

/** The data cannot train a model (too little of it, one class, mixed dimensions): retrying will not help. */
export class TrainingDataError extends Error {
  override readonly name = 'TrainingDataError';
  readonly permanent = true;
}

/** One embedded paper with its class. */
export interface Example {
  id: string;
  label: string;
  vector: Float32Array;
}

export function toMatrix(examples: readonly Example[], encoder: LabelEncoder): LabeledMatrix {
  const dimensions = examples[0]?.vector.length ?? 0;
  const x = new Float32Array(examples.length * dimensions);
  const y = new Int32Array(examples.length);
  examples.forEach((example, i) => {
    if (example.vector.length !== dimensions)
      throw new TrainingDataError(
        `example ${example.id} has ${example.vector.length} dimensions, expected ${dimensions}`,
      );
    x.set(example.vector, i * dimensions);
    y[i] = encoder.encode(example.label);
  });
  return { rows: examples.length, dimensions, x, y };
}

export interface TrainedClassifier {
  model: MlpClassifier;
  encoder: LabelEncoder;
  outcome: TrainingOutcome;
  /** On the test examples. */
  evaluation: Evaluation;
  testPredictions: string[];
  backend: string;
}

/** Label encoder from the training labels, MLP with early stopping, and evaluation on the test set. */
export async function trainClassifier(
  split: { train: readonly Example[]; validation: readonly Example[]; test: readonly Example[] },
  hp: MlpHyperparameters,
  hooks: TrainingHooks = {},
): Promise<TrainedClassifier> {
  if (split.train.length === 0 || split.validation.length === 0 || split.test.length === 0) {
    throw new TrainingDataError(
      `not enough data to train: ${split.train.length} train, ${split.validation.length} validation, ${split.test.length} test rows`,
    );
  }
  const { tf, backend } = await loadTf();
  const encoder = LabelEncoder.fromLabels(split.train.map((example) => example.label));
  if (encoder.size < 2) throw new TrainingDataError(`training needs at least two classes, found ${encoder.size}`);
  const train = toMatrix(split.train, encoder);
  const validation = toMatrix(split.validation, encoder);
  const test = toMatrix(split.test, encoder);
  const model = MlpClassifier.build(tf, train.dimensions, encoder.size, hp);
  try {
    const outcome = await trainWithEarlyStopping(model, train, validation, hp, hooks);
    const predicted = model.predict(test.x, test.rows);
    return {
      model,
      encoder,
      outcome,
      evaluation: evaluate(Array.from(test.y), Array.from(predicted), encoder.classes),
      testPredictions: Array.from(predicted, (code) => encoder.decode(code)),
      backend,
    };
  } catch (error) {
    // The caller never sees the model: free its tensors (a cancelled attempt would leak them in the worker).
    model.dispose();
    throw error;
  }
}

/** Metrics over string labels, for models whose label sets differ (a champion scored on a new test set). */
export function evaluateLabels(truth: readonly string[], predicted: readonly string[]): Evaluation {
  const labels = [...new Set([...truth, ...predicted])].sort();
  const code = new Map(labels.map((label, i) => [label, i]));
  return evaluate(
    truth.map((label) => code.get(label)!),
    predicted.map((label) => code.get(label)!),
    labels,
  );
}
