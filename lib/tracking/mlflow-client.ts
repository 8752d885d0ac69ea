import { setTimeout as sleep } from 'node:timers/promises';
import type { AppConfig } from '../config/config';
import { splitLogBatch, type LogBatch } from './log-batches';
import { MlflowArtifacts } from './mlflow-artifacts';
import { MlflowError } from './mlflow-error';
import type { MlflowClientOptions } from './mlflow-http';
import { quoted, tagEquals } from './mlflow-filter';
import { RUN_TAGS } from './run-names';
import type { Experiment, Metric, ModelVersion, Param, RegisteredModel, Run, RunStatus, RunTag } from './types';

export { MlflowError } from './mlflow-error';
export type { MlflowClientOptions } from './mlflow-http';

/**
 * A typed client of the MLflow tracking server's REST API: experiments, runs, batched logging,
 * proxied artifacts (MlflowArtifacts) and the model registry, over MlflowHttp's retries.
 */
export class MlflowClient extends MlflowArtifacts {
  /** Whether the server answers its health check (one attempt). */
  async health(): Promise<void> {
    const response = await this.send('GET', '/health', undefined, undefined, 'unless-answered');
    if (!response.ok) throw new MlflowError(`GET /health answered ${response.status}`, response.status, undefined);
  }

  // ---- experiments ------------------------------------------------------------------------

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    try {
      return (await this.json<{ experiment: Experiment }>('GET', 'experiments/get-by-name', { experiment_name: name }))
        .experiment;
    } catch (error) {
      if (error instanceof MlflowError && error.notFound) return undefined;
      throw error;
    }
  }

  /**
   * Gets the experiment, creating it when missing (or restoring it from MLflow's trash); safe when
   * several callers race to create it. The given tags are set where they differ.
   */
  async ensureExperiment(name: string, tags: Record<string, string> = {}): Promise<Experiment> {
    const experiment = await this.getOrCreateExperiment(name);
    for (const [key, value] of Object.entries(tags)) {
      if (experiment.tags?.find((tag) => tag.key === key)?.value !== value)
        await this.setExperimentTag(experiment.experiment_id, key, value);
    }
    return experiment;
  }

  private async getOrCreateExperiment(name: string): Promise<Experiment> {
    const existing = await this.getExperimentByName(name);
    if (existing?.lifecycle_stage === 'deleted') {
      await this.json('POST', 'experiments/restore', { experiment_id: existing.experiment_id });
      return { ...existing, lifecycle_stage: 'active' };
    }
    if (existing) return existing;
    try {
      const { experiment_id } = await this.json<{ experiment_id: string }>('POST', 'experiments/create', { name });
      return { experiment_id, name };
    } catch (error) {
      if (!(error instanceof MlflowError && error.alreadyExists)) throw error;
      const raced = await this.getExperimentByName(name);
      if (!raced) throw error;
      return raced;
    }
  }

  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    await this.json('POST', 'experiments/set-experiment-tag', { experiment_id: experimentId, key, value });
  }

  /** Moves the experiment (and its runs) to MLflow's trash. */
  async deleteExperiment(experimentId: string): Promise<void> {
    await this.json('POST', 'experiments/delete', { experiment_id: experimentId });
  }

  // ---- runs --------------------------------------------------------------------------------

  async createRun(
    experimentId: string,
    options: { runName?: string; tags?: Record<string, string>; startTime?: number } = {},
  ): Promise<Run> {
    const tags = Object.entries(options.tags ?? {}).map(([key, value]) => ({ key, value }));
    const { run } = await this.json<{ run: Run }>(
      'POST',
      'runs/create',
      { experiment_id: experimentId, run_name: options.runName, start_time: options.startTime ?? Date.now(), tags },
      'when-unreached',
    );
    return run;
  }

  async getRun(runId: string): Promise<Run> {
    return (await this.json<{ run: Run }>('GET', 'runs/get', { run_id: runId })).run;
  }

  async updateRun(
    runId: string,
    status: RunStatus,
    endTime: number | undefined = status === 'RUNNING' ? undefined : Date.now(),
  ): Promise<void> {
    await this.json('POST', 'runs/update', { run_id: runId, status, end_time: endTime });
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.json('POST', 'runs/set-tag', { run_id: runId, key, value });
  }

  /** Logs any number of metrics, params and tags, split into requests MLflow accepts. */
  async logBatch(runId: string, entries: Partial<LogBatch>): Promise<void> {
    for (const batch of splitLogBatch(entries)) {
      await this.json('POST', 'runs/log-batch', { run_id: runId, ...batch });
    }
  }

  async logParams(runId: string, params: Record<string, string | number | boolean>): Promise<void> {
    await this.logBatch(runId, {
      params: Object.entries(params).map(([key, value]): Param => ({ key, value: String(value) })),
    });
  }

  async logMetrics(runId: string, metrics: Record<string, number>, step?: number): Promise<void> {
    const timestamp = Date.now();
    await this.logBatch(runId, {
      metrics: Object.entries(metrics).map(([key, value]): Metric => ({ key, value, timestamp, step })),
    });
  }

  async setTags(runId: string, tags: Record<string, string>): Promise<void> {
    await this.logBatch(runId, { tags: Object.entries(tags).map(([key, value]): RunTag => ({ key, value })) });
  }

  /** Runs of the given experiments matching an MLflow filter string, following every page. */
  async searchRuns(experimentIds: string[], filter = '', orderBy: string[] = [], maxResults = 1000): Promise<Run[]> {
    const runs: Run[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.json<{ runs?: Run[]; next_page_token?: string }>('POST', 'runs/search', {
        experiment_ids: experimentIds,
        filter,
        order_by: orderBy,
        max_results: Math.min(maxResults - runs.length, 1000),
        page_token: pageToken,
      });
      runs.push(...(page.runs ?? []));
      pageToken = page.next_page_token;
    } while (pageToken && runs.length < maxResults);
    return runs;
  }

  /**
   * The run carrying `idempotencyKey` (the newest, should there be several), else a new one tagged
   * with it: a retried step finds the run its first attempt made instead of starting another.
   */
  async findOrCreateRun(
    experimentId: string,
    idempotencyKey: string,
    options: { runName: string; tags?: Record<string, string> },
  ): Promise<Run> {
    const filter = tagEquals(RUN_TAGS.idempotencyKey, idempotencyKey);
    const [existing] = await this.searchRuns([experimentId], filter, ['attributes.start_time DESC'], 1);
    if (existing) return existing;
    return this.createRun(experimentId, {
      runName: options.runName,
      tags: { [RUN_TAGS.idempotencyKey]: idempotencyKey, ...options.tags },
    });
  }

  async metricHistory(runId: string, key: string): Promise<Metric[]> {
    const { metrics } = await this.json<{ metrics?: Metric[] }>('GET', 'metrics/get-history', {
      run_id: runId,
      metric_key: key,
      max_results: 25000,
    });
    return metrics ?? [];
  }

  // ---- model registry ---------------------------------------------------------------------

  async ensureRegisteredModel(name: string, description?: string): Promise<void> {
    try {
      await this.json('POST', 'registered-models/create', { name, description });
    } catch (error) {
      if (!(error instanceof MlflowError && error.alreadyExists)) throw error;
    }
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    await this.json('DELETE', 'registered-models/delete', { name });
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel | undefined> {
    try {
      return (await this.json<{ registered_model: RegisteredModel }>('GET', 'registered-models/get', { name }))
        .registered_model;
    } catch (error) {
      if (error instanceof MlflowError && error.notFound) return undefined;
      throw error;
    }
  }

  /** Registers `<run artifacts>/<artifactPath>` as a new version and waits until it is READY. */
  async createModelVersion(
    name: string,
    run: Run,
    artifactPath: string,
    tags: Record<string, string> = {},
  ): Promise<ModelVersion> {
    const { model_version } = await this.json<{ model_version: ModelVersion }>(
      'POST',
      'model-versions/create',
      {
        name,
        source: `${run.info.artifact_uri.replace(/\/+$/, '')}/${artifactPath}`,
        run_id: run.info.run_id,
        tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
      },
      'when-unreached',
    );
    let version = model_version;
    for (let waited = 0; version.status === 'PENDING_REGISTRATION' && waited < 60_000; waited += 500) {
      await sleep(500);
      version = await this.getModelVersion(name, version.version);
    }
    if (version.status !== 'READY') {
      throw new MlflowError(
        `model version ${name}/${version.version} is ${version.status}: ${version.status_message ?? ''}`,
        undefined,
        undefined,
      );
    }
    return version;
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return (await this.json<{ model_version: ModelVersion }>('GET', 'model-versions/get', { name, version }))
      .model_version;
  }

  /** Model versions created from a run (a retried registration finds the version it made). */
  async modelVersionsOfRun(name: string, runId: string): Promise<ModelVersion[]> {
    const { model_versions } = await this.json<{ model_versions?: ModelVersion[] }>('GET', 'model-versions/search', {
      filter: `name=${quoted(name)} and run_id=${quoted(runId)}`,
    });
    return model_versions ?? [];
  }

  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.json('POST', 'registered-models/alias', { name, alias, version });
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.json('DELETE', 'registered-models/alias', { name, alias });
  }

  async getVersionByAlias(name: string, alias: string): Promise<ModelVersion | undefined> {
    try {
      return (await this.json<{ model_version: ModelVersion }>('GET', 'registered-models/alias', { name, alias }))
        .model_version;
    } catch (error) {
      if (error instanceof MlflowError && (error.notFound || error.errorCode === 'INVALID_PARAMETER_VALUE'))
        return undefined;
      throw error;
    }
  }

  // ---- links --------------------------------------------------------------------------------

  runUrl(run: Pick<Run, 'info'>): string {
    return `${this.base}/#/experiments/${run.info.experiment_id}/runs/${run.info.run_id}`;
  }

  modelUrl(name: string, version?: string): string {
    return `${this.base}/#/models/${encodeURIComponent(name)}${version ? `/versions/${version}` : ''}`;
  }
}

/** The client of the configured tracking server, with the configured credentials. */
export function mlflowClientFor(
  config: Pick<AppConfig, 'mlflow' | 'mlflowAuth'>,
  options: Omit<MlflowClientOptions, 'auth'> = {},
): MlflowClient {
  return new MlflowClient(config.mlflow.url, { ...options, auth: config.mlflowAuth });
}
