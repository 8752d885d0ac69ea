import { fitTfidf, TfidfVectorizer } from '../embedding/tfidf';
import { tokenize } from '../embedding/tokenize';
import { domainClassifierAuc, randomAucPercentile } from './domain-classifier';
import { ENGLISH_STOP_WORDS } from './english-stop-words';
import { LegacyRandomState } from './numpy-random';
import { registerDriftTest, type DriftTest } from './registry';
import type { Sample } from './samples';

/**
 * The text tests of Evidently's registry: a domain classifier's ROC AUC telling current texts from
 * reference texts, drift when it beats random classifiers (small references) or a threshold.
 */

/** The words scikit-learn's vectorizer would count: tokens less English stop words. */
function contentWords(text: string | number): string {
  return tokenize(String(text))
    .filter((token) => !ENGLISH_STOP_WORDS.has(token))
    .join(' ');
}

/**
 * ROC AUC of Evidently's text domain classifier telling current texts (label 1) from reference
 * texts: tf-idf (sublinear, max_df 0.5, English stop words) fitted on the training half, a
 * modified-Huber SGD classifier with an L1 penalty.
 */
function textDomainAuc(reference: Sample, current: Sample): { auc: number; testLabels: Uint8Array } {
  const texts = [
    ...Array.from(reference.values as ArrayLike<string | number>, contentWords),
    ...Array.from(current.values as ArrayLike<string | number>, contentWords),
  ];
  const labels = Uint8Array.from(texts, (_, i) => (i < reference.values.length ? 0 : 1));
  const result = domainClassifierAuc(
    labels,
    (train) => {
      const state = fitTfidf(
        Array.from(train, (row) => texts[row]!),
        { ngramMax: 1, minDf: 1, maxDfRatio: 0.5, maxFeatures: Number.MAX_SAFE_INTEGER, sublinearTf: true },
      );
      const vectorizer = new TfidfVectorizer(state);
      return {
        kind: 'sparse',
        count: texts.length,
        dims: vectorizer.dimensions,
        rows: texts.map((text) => vectorizer.vectorize(text)),
      };
    },
    { loss: 'modified_huber', penalty: 'l1', maxIter: 50, clipScores: true },
  );
  return { auc: result.rocAuc, testLabels: result.testLabels };
}

/** The seeds Evidently draws (seed 42) for its 1000 random classifiers. */
function randomClassifierSeeds(): Int32Array {
  const random = new LegacyRandomState(42);
  return Int32Array.from({ length: 1000 }, () => random.randint(0, 10_000));
}

/** Small reference: the classifier must beat the given percentile of random classifiers. */
const percentileTextDrift: DriftTest = {
  name: 'perc_text_content_drift',
  displayName: 'Percentile text content drift',
  allowedTypes: ['text'],
  defaultThreshold: 0.95,
  scoreKind: 'roc_auc',
  run(reference, current, _type, threshold) {
    const { auc, testLabels } = textDomainAuc(reference, current);
    return { score: auc, drifted: auc > randomAucPercentile(testLabels, threshold, randomClassifierSeeds()) };
  },
};

/** Large reference: the classifier's ROC AUC must exceed the threshold. */
const absoluteTextDrift: DriftTest = {
  name: 'abs_text_content_drift',
  displayName: 'Absolute text content drift',
  allowedTypes: ['text'],
  defaultThreshold: 0.55,
  scoreKind: 'roc_auc',
  run(reference, current, _type, threshold) {
    const { auc } = textDomainAuc(reference, current);
    return { score: auc, drifted: auc > threshold };
  },
};

for (const test of [percentileTextDrift, absoluteTextDrift]) registerDriftTest(test);
