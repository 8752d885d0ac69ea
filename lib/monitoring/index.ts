export { analyze, DEFAULT_ALERT_ON } from './analysis';
export type { AnalysisSettings, DriftSignal, MonitoringAnalysis, PredictionDrift } from './analysis';
export { MONITOR_COLUMNS, embeddingColumnsOf, monitorMapping } from './columns';
export { watchQuality, DEFAULT_MAX_MACRO_F1_DROP } from './quality';
export type { QualityBaseline, QualityWatch, ClassQuality } from './quality';
export { renderReport } from './report-html';
export { summarize } from './summary';
export type { MonitoringSummary, ReportContext, ReportLink, ColumnSummary } from './summary';
export type { Distribution, Projection } from './charts';
