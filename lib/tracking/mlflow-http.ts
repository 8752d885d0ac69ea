import { setTimeout as sleep } from 'node:timers/promises';
import type { MlflowAuth } from '../config/config';
import { redactUrls } from '../config/redact';
import { MlflowError } from './mlflow-error';

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

/** `when-unreached`: for requests that create something, which must not be applied twice. */
/** always: retry failures and 5xx answers; when-unreached: only a refused connection; unless-answered: failures but no answer. */
export type Retry = 'always' | 'when-unreached' | 'unless-answered';

/**
 * The HTTP side of the MLflow client: credentials, timeouts, and retries with exponential backoff
 * for connection errors and 5xx answers; MLflow's own error code and message for anything else.
 */
export class MlflowHttp {
  /** The tracking server's URL, without credentials (safe to print). */
  readonly trackingUri: string;
  protected readonly base: string;
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
  protected async send(
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

  protected async json<T>(
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
}
