/** The shapes MLflow's REST API (2.0 routes) returns, reduced to the fields we use. */

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location?: string;
  lifecycle_stage?: string;
  tags?: Array<{ key: string; value: string }>;
}

export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step?: number;
}

export interface Param {
  key: string;
  value: string;
}

export interface RunTag {
  key: string;
  value: string;
}

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

export interface RunInfo {
  run_id: string;
  run_name?: string;
  experiment_id: string;
  status: RunStatus;
  start_time?: number;
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage?: string;
}

export interface Run {
  info: RunInfo;
  data: {
    metrics?: Metric[];
    params?: Param[];
    tags?: RunTag[];
  };
}

export interface FileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number | string;
}

export interface RegisteredModel {
  name: string;
  aliases?: Array<{ alias: string; version: string }>;
  latest_versions?: ModelVersion[];
}

export interface ModelVersion {
  name: string;
  version: string;
  source: string;
  run_id?: string;
  status: 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';
  status_message?: string;
  aliases?: string[];
  tags?: RunTag[];
}

/** Tag a value out of a run: `runTag(run, 'mlflow.runName')`. */
export function runTag(run: Run, key: string): string | undefined {
  return run.data.tags?.find((tag) => tag.key === key)?.value;
}

export function runParam(run: Run, key: string): string | undefined {
  return run.data.params?.find((param) => param.key === key)?.value;
}

/** The latest value of a metric as the run reports it. */
export function runMetric(run: Run, key: string): number | undefined {
  return run.data.metrics?.find((metric) => metric.key === key)?.value;
}
