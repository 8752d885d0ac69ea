import type { MonitoringAnalysis } from './analysis';

export interface ReportLink {
  label: string;
  url: string;
}

/** Where the compared data came from, and what to link the report to. */
export interface ReportContext {
  title: string;
  generatedAt: string;
  reference: string;
  current: string;
  links: ReportLink[];
}

export interface ColumnSummary {
  column: string;
  type: string;
  test: string;
  threshold: number;
  score: number;
  drifted: boolean;
}

/** The monitor's verdicts as plain data: the `.json` beside each report, and the CLI's --json. */
export interface MonitoringSummary {
  drift: boolean;
  reasons: string[];
  datasetDrift: boolean;
  driftShare: number;
  driftShareThreshold: number;
  driftedColumns: string[];
  numberOfColumns: number;
  columns: ColumnSummary[];
  skippedColumns: Array<{ column: string; reason: string }>;
  embeddingDrift: {
    method: string;
    score: number;
    threshold: number;
    bootstrap: boolean;
    drifted: boolean;
    dimensions: number;
  } | null;
  predictionDrift: {
    test: string;
    score: number;
    threshold: number;
    drifted: boolean;
    classes: string[];
    referenceShares: number[];
    currentShares: number[];
  } | null;
  targetDrift: { test: string; score: number; threshold: number; drifted: boolean } | null;
  quality: {
    rows: number;
    accuracy: number;
    macroF1: number;
    baselineMacroF1: number | null;
    macroF1Drop: number | null;
    maxMacroF1Drop: number;
    perClass: Array<{ label: string; recall: number; baselineRecall: number | null; support: number }>;
  } | null;
  qualityAlert: boolean;
  rows: { reference: number; current: number };
  reference: string;
  current: string;
  generatedAt: string;
}

export function summarize(
  analysis: MonitoringAnalysis,
  context: Pick<ReportContext, 'reference' | 'current' | 'generatedAt'>,
): MonitoringSummary {
  const { data, embedding, prediction, target, quality } = analysis;
  return {
    drift: analysis.drift,
    reasons: analysis.reasons,
    datasetDrift: data.datasetDrift,
    driftShare: data.shareOfDriftedColumns,
    driftShareThreshold: data.driftShare,
    driftedColumns: analysis.driftedColumns,
    numberOfColumns: data.numberOfColumns,
    columns: data.columns.map((result) => ({
      column: result.column,
      type: result.type,
      test: result.test,
      threshold: result.threshold,
      score: result.score,
      drifted: result.drifted,
    })),
    skippedColumns: data.skipped,
    embeddingDrift: embedding
      ? {
          method: embedding.method,
          score: embedding.score,
          threshold: embedding.threshold,
          bootstrap: embedding.bootstrap,
          drifted: embedding.drifted,
          dimensions: embedding.dimensions,
        }
      : null,
    predictionDrift: prediction
      ? {
          test: prediction.test,
          score: prediction.score,
          threshold: prediction.threshold,
          drifted: prediction.drifted,
          classes: prediction.classes,
          referenceShares: prediction.referenceShares,
          currentShares: prediction.currentShares,
        }
      : null,
    targetDrift: target
      ? { test: target.test, score: target.score, threshold: target.threshold, drifted: target.drifted }
      : null,
    quality: quality
      ? {
          rows: quality.rows,
          accuracy: quality.accuracy,
          macroF1: quality.macroF1,
          baselineMacroF1: quality.baseline?.macroF1 ?? null,
          macroF1Drop: quality.macroF1Drop,
          maxMacroF1Drop: quality.maxMacroF1Drop,
          perClass: quality.perClass,
        }
      : null,
    qualityAlert: analysis.qualityAlert,
    rows: analysis.rows,
    reference: context.reference,
    current: context.current,
    generatedAt: context.generatedAt,
  };
}
