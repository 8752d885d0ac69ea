import { LegacyRandomState, trainTestHalves } from './numpy-random';
import { percentile } from './samples';
import { fitSgdClassifier, type Design, type SgdOptions } from './sgd';

/**
 * A domain classifier tells reference rows from current rows; when it can (ROC AUC well above
 * 0.5 on rows it did not learn from) the two differ. Evidently's "model" method for embeddings
 * and its text content drift test are both this: train_test_split in halves (seed 42), an
 * SGDClassifier on one half, ROC AUC on the other.
 */

/** ROC AUC of scores for binary labels, ties counted half (Mann–Whitney), as roc_auc_score. */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]!] === scores[order[start]!]) end += 1;
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k += 1) {
      if (labels[order[k]!] === 1) {
        positives += 1;
        positiveRankSum += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * The ROC AUC that random scores reach on these labels at the given quantile — what a classifier
 * must beat when the sample is small — with the scores numpy draws after `np.random.seed(s)`.
 */
export function randomAucPercentile(labels: ArrayLike<number>, quantile: number, seeds: ArrayLike<number>): number {
  const values: number[] = [];
  const scores = new Float64Array(labels.length);
  for (let k = 0; k < seeds.length; k += 1) {
    const random = new LegacyRandomState(seeds[k]!);
    for (let i = 0; i < scores.length; i += 1) scores[i] = random.rand();
    values.push(rocAuc(labels, scores));
  }
  return percentile(values, quantile * 100);
}

export interface DomainClassifierResult {
  rocAuc: number;
  testLabels: Uint8Array;
}

/**
 * Trains on one half of the rows, scores the other: the held-out ROC AUC of class 1. `designFor`
 * builds the features knowing the training rows (a text vectorizer is fitted on them alone).
 * `clipScores` scores by the clipped decision, as modified-Huber probabilities are.
 */
export function domainClassifierAuc(
  labels: Uint8Array,
  designFor: (train: Int32Array) => Design,
  options: Partial<SgdOptions> & { clipScores?: boolean } = {},
): DomainClassifierResult {
  const { train, test } = trainTestHalves(labels.length, 42);
  const design = designFor(train);
  const model = fitSgdClassifier(design, labels, train, options);
  const testLabels = Uint8Array.from(test, (row) => labels[row]!);
  const testScores = Float64Array.from(test, (row) => {
    const decision = model.decision(row);
    return options.clipScores ? Math.min(1, Math.max(-1, decision)) : decision;
  });
  return { rocAuc: rocAuc(testLabels, testScores), testLabels };
}
