import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import helmet from 'helmet';
import { ClientLimits, type LimitVerdict } from '../client-limits';
import { errorBody } from '../schemas';

export interface SecurityOptions {
  requestsPerMinute: number;
  papersPerMinute: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Each client's budgets: requests (every route, checked here) and papers (checked by `POST /v1/predict`). */
    clientLimits: ClientLimits;
  }
}

/** Rate-limit headers on an allowed request; Retry-After and a 429 on a refused one. */
export function applyVerdict(
  verdict: LimitVerdict,
  limit: number,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply | undefined {
  if (verdict.allowed) {
    reply
      .header('x-ratelimit-limit', limit)
      .header('x-ratelimit-remaining', verdict.remaining)
      .header('x-ratelimit-reset', Math.ceil(verdict.resetMs / 1000));
    return undefined;
  }
  return reply
    .code(429)
    .header('retry-after', Math.max(1, Math.ceil(verdict.retryAfterMs / 1000)))
    .send(errorBody(429, verdict.message, request.id));
}

/** Security headers (helmet) on every answer, and each client's request budget. */
export default fp<SecurityOptions>(
  async (app, { requestsPerMinute, papersPerMinute }) => {
    const clientLimits = new ClientLimits(requestsPerMinute, papersPerMinute);
    app.decorate('clientLimits', clientLimits);
    // helmet's middleware, built once (building it per request costs a tenth of a prediction).
    const securityHeaders = helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: null,
        },
      },
    });
    app.addHook('onRequest', (request, reply, done) =>
      securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined)),
    );
    app.addHook('onRequest', async (request, reply) =>
      applyVerdict(await clientLimits.request(request.ip), requestsPerMinute, request, reply),
    );
  },
  { name: 'api-security' },
);
