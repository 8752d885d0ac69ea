import type { QualityBaseline } from './quality';
import type { MonitoringSummary } from './summary';

/** The training run monitoring compares against: its model, reference data and test scores. */
export interface MonitorReference {
  runId: string;
  source: 'LATEST_TRAINING_RUN_ID' | 'alias' | 'pinned';
  modelName: string;
  modelVersion: string | null;
  embedderVersion: string;
  baseline: QualityBaseline;
  runUrl: string;
}

export interface MonitoringRunHandle {
  runId: string;
  runUrl: string;
  experimentId: string;
}

export interface MonitorDriftResult {
  /** Too few papers in the window to compare: nothing was concluded. */
  insufficientData: boolean;
  window: string;
  currentRows: number;
  foundRows: number;
  reembedded: number;
  summary: MonitoringSummary | null;
  reportKey: string | null;
  summaryKey: string | null;
  reportUrl: string | null;
  reportBytes: number;
  seconds: number;
}
