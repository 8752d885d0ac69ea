import type { Table } from '../drift/table';
import { analyze, type AnalysisSettings, type MonitoringAnalysis } from './analysis';
import { monitorMapping } from './columns';
import { renderReport } from './report-html';
import { summarize, type MonitoringSummary, type ReportContext } from './summary';

export interface DriftReport {
  analysis: MonitoringAnalysis;
  /** The self-contained HTML page. */
  html: string;
  /** The same verdicts as JSON, for scripts and the monitoring store. */
  summary: MonitoringSummary;
  generatedAt: string;
}

/**
 * Compares `current` with `reference` and writes up the result: the columns each holds are
 * mapped, analyzed (drift per column, embedding, predictions, quality), rendered and summarized.
 * The CLI's comparison of files and the monitoring workflow's activity both report through here.
 */
export function buildDriftReport(
  reference: Table,
  current: Table,
  settings: Omit<AnalysisSettings, 'mapping' | 'embedding'>,
  labels: Omit<ReportContext, 'generatedAt'>,
): DriftReport {
  const { mapping, embedding } = monitorMapping(reference, current);
  const analysis = analyze(reference, current, { ...settings, mapping, embedding });
  const generatedAt = new Date().toISOString();
  const context: ReportContext = { ...labels, generatedAt };
  return { analysis, html: renderReport(analysis, context), summary: summarize(analysis, context), generatedAt };
}
