import { ownValue } from '../drift/own';
import { evaluateLabels } from '../model/classifier';

/** What a training run measured on its own test set: the baseline the serving model is held to. */
export interface QualityBaseline {
  accuracy: number;
  macroF1: number;
  recall: Record<string, number>;
}

export interface ClassQuality {
  label: string;
  recall: number;
  baselineRecall: number | null;
  support: number;
}

export interface QualityWatch {
  rows: number;
  accuracy: number;
  macroF1: number;
  perClass: ClassQuality[];
  baseline: QualityBaseline | null;
  /** baseline macro-F1 − current macro-F1 (positive: worse now). */
  macroF1Drop: number | null;
  maxMacroF1Drop: number;
  alert: boolean;
}

export const DEFAULT_MAX_MACRO_F1_DROP = 0.05;

/**
 * The serving model scored on papers that arrived with their true category: accuracy, macro-F1
 * and recall per class, against the scores the run measured on its test set. An alert when
 * macro-F1 fell by more than the margin.
 */
export function watchQuality(
  labels: readonly string[],
  predictions: readonly string[],
  baseline: QualityBaseline | null,
  maxMacroF1Drop = DEFAULT_MAX_MACRO_F1_DROP,
): QualityWatch {
  const evaluation = evaluateLabels(labels, predictions);
  const drop = baseline ? baseline.macroF1 - evaluation.macroF1 : null;
  return {
    rows: labels.length,
    accuracy: evaluation.accuracy,
    macroF1: evaluation.macroF1,
    perClass: evaluation.perClass
      .filter((metrics) => metrics.support > 0)
      .map((metrics) => ({
        label: metrics.label,
        recall: metrics.recall,
        baselineRecall: ownValue(baseline?.recall, metrics.label) ?? null,
        support: metrics.support,
      })),
    baseline,
    macroF1Drop: drop,
    maxMacroF1Drop,
    alert: drop !== null && drop > maxMacroF1Drop,
  };
}
