import type { ColumnDrift } from '../drift/column-drift';
import { dataDrift, type ColumnMapping, type DataDriftOptions, type DataDriftResult } from '../drift/data-drift';
import { embeddingDrift, type EmbeddingDrift, type EmbeddingDriftMethod } from '../drift/embedding-drift';
import { rowsOf } from '../drift/matrix';
import { column, isNumeric, type Table } from '../drift/table';
import { distributionsFor, projection, type Distribution, type Projection } from './charts';
import { watchQuality, type QualityBaseline, type QualityWatch } from './quality';

/** Which signals raise the drift alert. */
export type DriftSignal = 'dataset' | 'embedding' | 'prediction';

export const DEFAULT_ALERT_ON: readonly DriftSignal[] = ['dataset', 'embedding', 'prediction'];

export interface AnalysisSettings {
  mapping: ColumnMapping;
  /** Embedding columns tested as one embedding (besides column by column). */
  embedding?: string[];
  drift?: DataDriftOptions;
  embeddingMethod?: EmbeddingDriftMethod;
  alertOn?: readonly DriftSignal[];
  /** The run's own test scores; quality is watched when the current data has labels and predictions. */
  qualityBaseline?: QualityBaseline | null;
  maxMacroF1Drop?: number;
  /** Charts for this many not-drifted columns nearest to drifting, besides every drifted one. */
  chartOthers?: number;
}

export interface PredictionDrift extends ColumnDrift {
  classes: string[];
  referenceShares: number[];
  currentShares: number[];
}

export interface MonitoringAnalysis {
  /** The binary alert: drift in any of the signals named by `alertOn`. */
  drift: boolean;
  /** Why, one sentence per signal that fired (empty when there is no drift). */
  reasons: string[];
  alertOn: DriftSignal[];
  data: DataDriftResult;
  driftedColumns: string[];
  embedding: EmbeddingDrift | null;
  prediction: PredictionDrift | null;
  target: ColumnDrift | null;
  quality: QualityWatch | null;
  qualityAlert: boolean;
  rows: { reference: number; current: number };
  charts: { distributions: Distribution[]; projection: Projection | null };
  timings: Record<string, number>;
}

function labelsOf(table: Table, name: string): string[] {
  const values = column(table, name);
  return Array.from(values.values as ArrayLike<string | number | null>, (value) =>
    value === null ? '' : String(value),
  );
}

function shares(values: readonly string[], classes: readonly string[]): number[] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return classes.map((label) => (counts.get(label) ?? 0) / Math.max(values.length, 1));
}

/**
 * Everything the monitor concludes from a reference and a current table: Evidently's per-column
 * and dataset drift, the embedding's drift as a whole, the predicted-class distribution, the
 * model's quality on labelled current rows, and the data for the report's charts.
 */
export function analyze(reference: Table, current: Table, settings: AnalysisSettings): MonitoringAnalysis {
  const timings: Record<string, number> = {};
  const timed = <T>(name: string, fn: () => T): T => {
    const started = performance.now();
    try {
      return fn();
    } finally {
      timings[name] = (performance.now() - started) / 1000;
    }
  };
  const data = timed('columns', () => dataDrift(reference, current, settings.mapping, settings.drift));
  const embedding = settings.embedding?.length ?? 0;
  const embeddingRows =
    embedding > 0
      ? { reference: rowsOf(reference, settings.embedding!), current: rowsOf(current, settings.embedding!) }
      : null;
  const embeddingResult = embeddingRows
    ? timed('embedding', () => embeddingDrift(embeddingRows.reference, embeddingRows.current, settings.embeddingMethod))
    : null;

  const predictionName = settings.mapping.prediction;
  const predictionColumn = predictionName
    ? (data.columns.find((result) => result.column === predictionName) ?? null)
    : null;
  let prediction: PredictionDrift | null = null;
  if (predictionColumn && predictionName) {
    const referencePredictions = labelsOf(reference, predictionName);
    const currentPredictions = labelsOf(current, predictionName);
    const classes = [...new Set([...referencePredictions, ...currentPredictions])].sort();
    prediction = {
      ...predictionColumn,
      classes,
      referenceShares: shares(referencePredictions, classes),
      currentShares: shares(currentPredictions, classes),
    };
  }
  const target = settings.mapping.target
    ? (data.columns.find((result) => result.column === settings.mapping.target) ?? null)
    : null;

  let quality: QualityWatch | null = null;
  const labelName = settings.mapping.target;
  if (
    labelName &&
    predictionName &&
    current.data.has(labelName) &&
    current.data.has(predictionName) &&
    !isNumeric(column(current, labelName))
  ) {
    quality = watchQuality(
      labelsOf(current, labelName),
      labelsOf(current, predictionName),
      settings.qualityBaseline ?? null,
      settings.maxMacroF1Drop,
    );
  }

  const alertOn = [...(settings.alertOn ?? DEFAULT_ALERT_ON)];
  const reasons: string[] = [];
  if (alertOn.includes('dataset') && data.datasetDrift) {
    reasons.push(
      `${data.numberOfDriftedColumns} of ${data.numberOfColumns} columns drifted (${(data.shareOfDriftedColumns * 100).toFixed(1)}% ≥ ${(data.driftShare * 100).toFixed(0)}%)`,
    );
  }
  if (alertOn.includes('embedding') && embeddingResult?.drifted) {
    reasons.push(
      `the embedding drifted (${embeddingResult.method}: ${embeddingResult.score.toFixed(3)} > ${embeddingResult.threshold.toFixed(3)})`,
    );
  }
  if (alertOn.includes('prediction') && prediction?.drifted) {
    reasons.push(
      `the predicted classes drifted (${prediction.testLabel} ${prediction.score.toPrecision(3)}, threshold ${prediction.threshold})`,
    );
  }

  const charts = timed('charts', () => ({
    distributions: distributionsFor(data.columns, reference, current, settings.chartOthers ?? 12),
    projection: embeddingRows ? projection(embeddingRows.reference, embeddingRows.current) : null,
  }));
  return {
    drift: reasons.length > 0,
    reasons,
    alertOn,
    data,
    driftedColumns: data.columns.filter((result) => result.drifted).map((result) => result.column),
    embedding: embeddingResult,
    prediction,
    target,
    quality,
    qualityAlert: quality?.alert ?? false,
    rows: { reference: reference.rows, current: current.rows },
    charts,
    timings,
  };
}
