import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

const WINDOW_SECONDS = 60;

/** What a limit said about one request. */
export type LimitVerdict =
  { allowed: true; remaining: number; resetMs: number } | { allowed: false; retryAfterMs: number; message: string };

/**
 * Per-client budgets over a one-minute window: requests (every route) and papers (`POST
 * /v1/predict`, where a batch of 64 costs 64 times what one paper does). A refused batch spends
 * nothing, so a client that asks too much at once can still send a smaller batch.
 */
export class ClientLimits {
  private readonly requestsLimiter: RateLimiterMemory;
  private readonly papersLimiter: RateLimiterMemory;

  constructor(
    readonly requestsPerMinute: number,
    readonly papersPerMinute: number,
  ) {
    this.requestsLimiter = new RateLimiterMemory({
      keyPrefix: 'requests',
      points: requestsPerMinute,
      duration: WINDOW_SECONDS,
    });
    this.papersLimiter = new RateLimiterMemory({
      keyPrefix: 'papers',
      points: papersPerMinute,
      duration: WINDOW_SECONDS,
    });
  }

  async request(client: string): Promise<LimitVerdict> {
    try {
      const spent = await this.requestsLimiter.consume(client, 1);
      return { allowed: true, remaining: spent.remainingPoints, resetMs: spent.msBeforeNext };
    } catch (refusal) {
      return {
        allowed: false,
        retryAfterMs: retryAfter(refusal),
        message: `more than ${this.requestsPerMinute} requests in 1 minute: slow down`,
      };
    }
  }

  async papers(client: string, count: number): Promise<LimitVerdict> {
    const soFar = await this.papersLimiter.get(client);
    const spent = soFar?.consumedPoints ?? 0;
    if (spent + count > this.papersPerMinute) {
      const left = Math.max(this.papersPerMinute - spent, 0);
      return {
        allowed: false,
        retryAfterMs: soFar?.msBeforeNext ?? WINDOW_SECONDS * 1000,
        message: `more than ${this.papersPerMinute} papers in 1 minute: this request has ${count}, ${left} are left until the window ends`,
      };
    }
    const now = await this.papersLimiter.consume(client, count);
    return { allowed: true, remaining: now.remainingPoints, resetMs: now.msBeforeNext };
  }
}

function retryAfter(refusal: unknown): number {
  if (refusal instanceof RateLimiterRes) return refusal.msBeforeNext;
  throw refusal;
}
