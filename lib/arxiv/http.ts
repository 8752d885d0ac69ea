import { setTimeout as sleep } from 'node:timers/promises';

export interface PoliteFetcherOptions {
  /** The arXiv API asks for at most one request every 3 seconds. */
  minIntervalMs: number;
  maxAttempts?: number;
  timeoutMs?: number;
  backoffBaseMs?: number;
  userAgent?: string;
  /** Called before every wait, so long-running callers can heartbeat. */
  onWait?: (ms: number, reason: string) => void;
  /** A server's Retry-After is honoured up to this long (default 5 minutes). */
  maxRetryAfterMs?: number;
}

/** The longest wait a Retry-After may ask for: a server asking for a day must not stall a run for a day. */
export const MAX_RETRY_AFTER_MS = 5 * 60 * 1000;

export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  constructor(
    readonly url: string,
    readonly status: number,
    readonly retryable: boolean,
    readonly body: string,
  ) {
    super(`GET ${url} answered ${status}${body ? `: ${body.slice(0, 200).trim()}` : ''}`);
  }
}

/** The wait a Retry-After header asks for (seconds, or an HTTP date), within 0 and `maxMs`; undefined when unreadable. */
export function retryAfterMs(header: string | null, maxMs = MAX_RETRY_AFTER_MS, now = Date.now()): number | undefined {
  if (!header || header.trim() === '') return undefined;
  const seconds = Number(header);
  const date = Date.parse(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Number.isNaN(date) ? undefined : date - now;
  return ms === undefined ? undefined : Math.min(Math.max(0, ms), maxMs);
}

/**
 * GETs text from a rate-limited public API: spaces requests by `minIntervalMs`, retries 5xx, 429,
 * timeouts and network errors with exponential backoff (honouring Retry-After), and fails fast on
 * other 4xx answers, which no retry can fix.
 */
export class PoliteFetcher {
  private nextRequestAt = 0;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly backoffBaseMs: number;

  constructor(private readonly options: PoliteFetcherOptions) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.backoffBaseMs = options.backoffBaseMs ?? options.minIntervalMs;
  }

  private async waitTurn(): Promise<void> {
    const waitMs = this.nextRequestAt - Date.now();
    if (waitMs > 0) {
      this.options.onWait?.(waitMs, 'rate limit');
      await sleep(waitMs);
    }
    this.nextRequestAt = Date.now() + this.options.minIntervalMs;
  }

  async getText(url: string): Promise<string> {
    let lastError: Error = new Error(`GET ${url} was not attempted`);
    for (let attempt = 1; attempt <= this.maxAttempts; attempt += 1) {
      await this.waitTurn();
      let delayMs = this.backoffBaseMs * 2 ** (attempt - 1);
      try {
        const response = await fetch(url, {
          headers: { 'user-agent': this.options.userAgent ?? 'arxiv-mlops (+https://github.com/arxiv-mlops)' },
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        const body = await response.text();
        if (response.ok) return body;
        const retryable = response.status >= 500 || response.status === 429;
        lastError = new HttpStatusError(url, response.status, retryable, body);
        if (!retryable) throw lastError;
        delayMs = Math.max(
          delayMs,
          retryAfterMs(response.headers.get('retry-after'), this.options.maxRetryAfterMs) ?? 0,
        );
      } catch (error) {
        if (error instanceof HttpStatusError && !error.retryable) throw error;
        if (!(error instanceof HttpStatusError)) {
          lastError = new Error(`GET ${url} failed: ${(error as Error).message}`);
        }
      }
      if (attempt < this.maxAttempts) {
        this.options.onWait?.(delayMs, `retry ${attempt}/${this.maxAttempts - 1} after: ${lastError.message}`);
        await sleep(delayMs);
      }
    }
    throw lastError;
  }
}
