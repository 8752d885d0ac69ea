export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Evaluation {
  accuracy: number;
  macroF1: number;
  perClass: ClassMetrics[];
  /** confusion[true][predicted], rows and columns in `labels` order. */
  confusion: number[][];
  labels: string[];
}

/** Mean F1 over the labels that occur in the truth or the predictions, as scikit-learn averages by default. */
function macroAverage(perClass: ClassMetrics[], confusion: number[][]): number {
  const present = perClass.filter((metrics, c) => metrics.support > 0 || confusion.some((row) => row[c]! > 0));
  return present.length === 0 ? 0 : present.reduce((sum, metrics) => sum + metrics.f1, 0) / present.length;
}

/** Classification metrics with scikit-learn's semantics (zero_division=0, macro = unweighted mean over labels). */
export function evaluate(
  truth: readonly number[],
  predicted: readonly number[],
  labels: readonly string[],
): Evaluation {
  if (truth.length !== predicted.length)
    throw new Error(`${truth.length} true labels but ${predicted.length} predictions`);
  const k = labels.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let correct = 0;
  truth.forEach((actual, i) => {
    const guess = predicted[i]!;
    if (actual < 0 || actual >= k || guess < 0 || guess >= k) throw new Error(`label code out of range at row ${i}`);
    confusion[actual]![guess]! += 1;
    if (actual === guess) correct += 1;
  });
  const perClass = labels.map((label, c): ClassMetrics => {
    const truePositive = confusion[c]![c]!;
    const support = confusion[c]!.reduce((sum, n) => sum + n, 0);
    const predictedCount = confusion.reduce((sum, row) => sum + row[c]!, 0);
    const precision = predictedCount === 0 ? 0 : truePositive / predictedCount;
    const recall = support === 0 ? 0 : truePositive / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support };
  });
  return {
    accuracy: truth.length === 0 ? 0 : correct / truth.length,
    macroF1: macroAverage(perClass, confusion),
    perClass,
    confusion,
    labels: [...labels],
  };
}
