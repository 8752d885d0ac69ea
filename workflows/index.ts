export { ingestWorkflow, ingestProgressQuery, INGEST_DEFAULTS } from './ingest';
export type { IngestInput, IngestSummary, IngestProgress, IngestPhase, TaskQueues } from './ingest';
