export { ingestWorkflow, ingestProgressQuery, INGEST_DEFAULTS } from './ingest';
export type { IngestInput, IngestSummary, IngestProgress, IngestPhase } from './ingest';
export type { TaskQueues, TrainWorkflowInput, RetrainSettings, RetrainReport } from './types';
export { trainWorkflow, trainProgressQuery } from './train';
export type { TrainSummary, TrainWorkflowProgress, TrainPhase } from './train';
export { monitorWorkflow, monitorProgressQuery } from './monitor';
export type { MonitorWorkflowInput, MonitorSummary, MonitorProgress, MonitorPhase } from './monitor';
export { pipelineWorkflow, pipelineProgressQuery, PIPELINE_DEFAULTS } from './pipeline';
export type { PipelineInput, PipelineSummary, PipelineProgress, PipelinePhase } from './pipeline';
