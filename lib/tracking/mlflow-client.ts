import { setTimeout as sleep } from 'node:timers/promises';
import type { AppConfig, MlflowAuth } from '../config/config';
import { redactUrls } from '../config/redact';
import { splitLogBatch, type LogBatch } from './log-batches';
import type {
  Experiment,
  FileInfo,
  Metric,
  ModelVersion,
  Param,
  RegisteredModel,
  Run,
  RunStatus,
  RunTag,
} from './types';

/** An error MLflow answered with (error_code and message), or the server could not be reached. */
export class MlflowError extends Error {
  override readonly name = 'MlflowError';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly errorCode: string | undefined,
  ) {
    super(message);
  }

  get notFound(): boolean {
    return this.errorCode === 'RESOURCE_DOES_NOT_EXIST' || this.status === 404;
  }

  get alreadyExists(): boolean {
    return this.errorCode === 'RESOURCE_ALREADY_EXISTS';
  }

  /** A request MLflow refused as such (4xx other than rate limiting or timeout): sending it again cannot help. */
  get permanent(): boolean {
    return (
      this.status !== undefined && this.status >= 400 && this.status < 500 && this.status !== 408 && this.status !== 429
    );
  }
}

export interface MlflowClientOptions {
  maxAttempts?: number;
  backoffMs?: number;
  timeoutMs?: number;
  /** Basic auth or a bearer token; by default the `user:password@` of the tracking URI, if any. */
  auth?: MlflowAuth;
}

function authorizationHeader(auth: MlflowAuth): string {
  return auth.kind === 'bearer'
    ? `Bearer ${auth.token}`
    : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}

/** The tracking URI without credentials (fetch refuses a URL that holds them), and those credentials. */
function splitCredentials(trackingUri: string): { base: string; auth: MlflowAuth | undefined } {
  const base = trackingUri.replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    return { base, auth: undefined };
  }
  if (!parsed.username && !parsed.password) return { base, auth: undefined };
  const auth: MlflowAuth = {
    kind: 'basic',
    username: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
  };
  parsed.username = '';
  parsed.password = '';
  return { base: parsed.href.replace(/\/+$/, ''), auth };
}

const ARTIFACT_PROXY = 'mlflow-artifacts:/';

/** `when-unreached`: for requests that create something, which must not be applied twice. */
/** always: retry failures and 5xx answers; when-unreached: only a refused connection; unless-answered: failures but no answer. */
type Retry = 'always' | 'when-unreached' | 'unless-answered';

/**
 * A typed client of the MLflow tracking server's REST API: experiments, runs, batched logging,
 * proxied artifacts and the model registry. Connection errors and 5xx answers are retried with
 * exponential backoff; anything else fails at once with MLflow's own error code and message.
 */
export class MlflowClient {
  /** The tracking server's URL, without credentials (safe to print). */
  readonly trackingUri: string;
  private readonly base: string;
  private readonly authorization: string | undefined;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;

  constructor(trackingUri: string, options: MlflowClientOptions = {}) {
    const { base, auth } = splitCredentials(trackingUri);
    this.base = base;
    this.trackingUri = base;
    const chosen = options.auth ?? auth;
    this.authorization = chosen ? authorizationHeader(chosen) : undefined;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.backoffMs = options.backoffMs ?? 500;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /**
   * Sends with retries. A request that creates something is retried only when it surely never
   * reached the server (connection refused): after a timeout or a 5xx it may have been applied,
   * and the caller, which can look for what it made, decides.
   */
  private async send(
    method: string,
    path: string,
    body?: string | Uint8Array,
    contentType?: string,
    retry: Retry = 'always',
  ): Promise<Response> {
    const url = `${this.base}${path}`;
    let lastError: MlflowError | undefined;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt += 1) {
      let unreached = false;
      try {
        const headers: Record<string, string> = {};
        if (contentType) headers['content-type'] = contentType;
        if (this.authorization) headers.authorization = this.authorization;
        const response = await fetch(url, {
          method,
          body,
          headers,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (response.status < 500) return response;
        lastError = new MlflowError(
          `${method} ${path} answered ${response.status}: ${(await response.text()).slice(0, 300)}`,
          response.status,
          undefined,
        );
        if (retry === 'unless-answered') break;
      } catch (error) {
        unreached = ((error as Error & { cause?: { code?: string } }).cause?.code ?? '') === 'ECONNREFUSED';
        lastError = new MlflowError(
          `MLflow not reachable at ${this.base} (${redactUrls((error as Error).message)}): start it with \`mlops stack up\` or set MLFLOW_TRACKING_URI`,
          undefined,
          undefined,
        );
      }
      if (retry === 'when-unreached' && !unreached) break;
      if (attempt < this.maxAttempts) await sleep(this.backoffMs * 2 ** (attempt - 1));
    }
    throw lastError!;
  }

  private async json<T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    route: string,
    payload?: object,
    retry: Retry = 'always',
  ): Promise<T> {
    let path = `/api/2.0/mlflow/${route}`;
    let body: string | undefined;
    if (method === 'GET') {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(payload ?? {})) if (value !== undefined) query.set(key, String(value));
      if ([...query].length > 0) path += `?${query}`;
    } else {
      body = JSON.stringify(payload ?? {});
    }
    const response = await this.send(method, path, body, body === undefined ? undefined : 'application/json', retry);
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      throw new MlflowError(
        `MLflow ${route} answered ${response.status} with something that is not JSON (is ${this.base} an MLflow server?): ${text.slice(0, 200)}`,
        response.status,
        undefined,
      );
    }
    if (!response.ok) {
      const message = typeof parsed.message === 'string' ? parsed.message : text.slice(0, 300);
      throw new MlflowError(`MLflow ${route}: ${message}`, response.status, parsed.error_code as string | undefined);
    }
    return parsed as T;
  }

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

  async metricHistory(runId: string, key: string): Promise<Metric[]> {
    const { metrics } = await this.json<{ metrics?: Metric[] }>('GET', 'metrics/get-history', {
      run_id: runId,
      metric_key: key,
      max_results: 25000,
    });
    return metrics ?? [];
  }

  // ---- artifacts (served by the tracking server: `mlflow server --serve-artifacts`) ---------

  private artifactRoot(run: Run): string {
    const uri = run.info.artifact_uri;
    if (!uri.startsWith(ARTIFACT_PROXY)) {
      throw new MlflowError(
        `run ${run.info.run_id} stores artifacts at ${uri}; this client needs the tracking server to proxy artifacts (mlflow server --serve-artifacts)`,
        undefined,
        undefined,
      );
    }
    return uri.slice(ARTIFACT_PROXY.length).replace(/^\/+/, '').replace(/\/+$/, '');
  }

  private artifactUrlPath(run: Run, path: string): string {
    const full = path ? `${this.artifactRoot(run)}/${path.replace(/^\/+/, '')}` : this.artifactRoot(run);
    return `/api/2.0/mlflow-artifacts/artifacts/${full.split('/').map(encodeURIComponent).join('/')}`;
  }

  async uploadArtifact(
    run: Run,
    path: string,
    content: Buffer | string,
    contentType = 'application/octet-stream',
  ): Promise<void> {
    const response = await this.send(
      'PUT',
      this.artifactUrlPath(run, path),
      typeof content === 'string' ? content : new Uint8Array(content),
      contentType,
    );
    if (!response.ok)
      throw new MlflowError(
        `uploading artifact ${path}: ${response.status} ${await response.text()}`,
        response.status,
        undefined,
      );
  }

  async downloadArtifact(run: Run, path: string): Promise<Buffer> {
    const urlPath = this.artifactUrlPath(run, path);
    let response: Response;
    try {
      response = await this.send('GET', urlPath, undefined, undefined, 'unless-answered');
    } catch (error) {
      // With an S3 artifact store MLflow answers a missing file with 500 (boto's 404 inside): the
      // listing of its folder tells a missing file from a failing server, which is asked again.
      if (!(error instanceof MlflowError) || error.status === undefined) throw error;
      if (!(await this.artifactListed(run, path))) throw this.missingArtifact(run, path, error.message);
      response = await this.send('GET', urlPath);
    }
    if (response.status === 404) throw this.missingArtifact(run, path, (await response.text()).slice(0, 200));
    if (!response.ok)
      throw new MlflowError(
        `artifact ${path} of run ${run.info.run_id}: ${response.status} ${(await response.text()).slice(0, 200)}`,
        response.status,
        undefined,
      );
    return Buffer.from(await response.arrayBuffer());
  }

  private missingArtifact(run: Run, path: string, detail: string): MlflowError {
    return new MlflowError(`artifact ${path} of run ${run.info.run_id}: 404 ${detail}`, 404, 'RESOURCE_DOES_NOT_EXIST');
  }

  private async artifactListed(run: Run, path: string): Promise<boolean> {
    const folder = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    try {
      return (await this.listArtifacts(run, folder)).some((file) => file.path === path);
    } catch {
      return true; // the listing failed too: the server is at fault, not the file
    }
  }

  /** Files directly under `path` of the run's artifacts (paths relative to the run's root). */
  async listArtifacts(run: Run, path = ''): Promise<FileInfo[]> {
    const root = this.artifactRoot(run);
    const query = new URLSearchParams({ path: path ? `${root}/${path}` : root });
    const response = await this.send('GET', `/api/2.0/mlflow-artifacts/artifacts?${query}`);
    if (!response.ok)
      throw new MlflowError(
        `listing artifacts ${path}: ${response.status} ${await response.text()}`,
        response.status,
        undefined,
      );
    const { files } = (await response.json()) as { files?: FileInfo[] };
    return (files ?? []).map((file) => ({ ...file, path: path ? `${path}/${file.path}` : file.path }));
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
      filter: `name='${name.replace(/'/g, "\\'")}' and run_id='${runId}'`,
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
