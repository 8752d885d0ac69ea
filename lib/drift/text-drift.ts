import { fitTfidf, TfidfVectorizer } from '../embedding/tfidf';
import { tokenize } from '../embedding/tokenize';
import { domainClassifierAuc, randomAucPercentile } from './domain-classifier';
import { ENGLISH_STOP_WORDS } from './english-stop-words';
import { LegacyRandomState } from './numpy-random';
import type { Sample } from './samples';

export type TextTestName = 'perc_text_content_drift' | 'abs_text_content_drift';

export interface TextTest {
  name: TextTestName;
  displayName: string;
  defaultThreshold: number;
  run(reference: Sample, current: Sample, threshold: number): { score: number; drifted: boolean };
}

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
const percentileTextDrift: TextTest = {
  name: 'perc_text_content_drift',
  displayName: 'Percentile text content drift',
  defaultThreshold: 0.95,
  run(reference, current, threshold) {
    const { auc, testLabels } = textDomainAuc(reference, current);
    return { score: auc, drifted: auc > randomAucPercentile(testLabels, threshold, randomClassifierSeeds()) };
  },
};

/** Large reference: the classifier's ROC AUC must exceed the threshold. */
const absoluteTextDrift: TextTest = {
  name: 'abs_text_content_drift',
  displayName: 'Absolute text content drift',
  defaultThreshold: 0.55,
  run(reference, current, threshold) {
    const { auc } = textDomainAuc(reference, current);
    return { score: auc, drifted: auc > threshold };
  },
};

export const TEXT_TESTS: Readonly<Record<TextTestName, TextTest>> = {
  perc_text_content_drift: percentileTextDrift,
  abs_text_content_drift: absoluteTextDrift,
};

const BY_NAME: ReadonlyMap<string, TextTest> = new Map(Object.entries(TEXT_TESTS));

/** The text test of this registry name, if there is one. */
export function findTextTest(name: string): TextTest | undefined {
  return BY_NAME.get(name);
}
