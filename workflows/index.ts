export { ingestWorkflow, ingestProgressQuery, INGEST_DEFAULTS } from './ingest';
export type { IngestInput, IngestSummary, IngestProgress, IngestPhase, TaskQueues } from './ingest';
export { trainWorkflow, trainProgressQuery } from './train';
export type { TrainWorkflowInput, TrainSummary, TrainWorkflowProgress, TrainPhase } from './train';
