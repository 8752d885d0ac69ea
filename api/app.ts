import Fastify, { type FastifyInstance } from 'fastify';
import { DEFAULT_API_LIMITS, type ApiLimits } from '../lib/config/config';
import { redactUrls } from '../lib/config/redact';
import errors from './plugins/errors';
import metrics from './plugins/metrics';
import openapi from './plugins/openapi';
import security from './plugins/security';
import serving, { type ApiDeps } from './plugins/serving';
import { healthRoutes } from './routes/health';
import { modelRoutes } from './routes/model';
import { pageRoutes } from './routes/page';
import { newRequestId, predictRoutes } from './routes/predict';

export type { ApiDeps } from './plugins/serving';

export interface AppOptions {
  /** pino logs (JSON lines with the request id) at this level; off when absent (tests). */
  logLevel?: string;
  bodyLimit?: number;
  /** Rate limits, timeouts and which proxies are trusted (defaults: DEFAULT_API_LIMITS). */
  limits?: Partial<ApiLimits>;
  /** Log each paper's title and abstract with its prediction (PREDICTION_LOG_TEXT). */
  logText?: boolean;
  /** One of the workers of `mlops api --workers N`: /metrics adds up every worker's. */
  clustered?: boolean;
}

/** Fastify's trust of X-Forwarded-For: a hop count becomes "trust the nearest n proxies". */
function trustedProxies(
  setting: ApiLimits['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : setting;
}

/** Errors in the logs without credentials of URLs they mention. */
const errorSerializer = (error: Error & { code?: unknown }) => ({
  type: error.name,
  message: redactUrls(error.message ?? String(error)),
  stack: redactUrls(error.stack ?? ''),
  ...(error.code === undefined ? {} : { code: error.code }),
});

/**
 * The inference API as a Fastify app (tests inject into it; `mlops api` listens with it): the
 * server's limits here, then the plugins (what the routes serve with as decorators, error bodies,
 * security headers and rate limits, metrics, OpenAPI), then the routes.
 */
export function buildApp(deps: ApiDeps, options: AppOptions = {}): FastifyInstance {
  const limits = { ...DEFAULT_API_LIMITS, ...options.limits };
  const app = Fastify({
    logger: options.logLevel
      ? {
          level: options.logLevel,
          redact: { paths: ['req.headers["x-api-key"]', 'req.headers.authorization'], censor: '[hidden]' },
          serializers: { err: errorSerializer },
        }
      : false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // A body sent slowly (slow loris) is cut after the request timeout; a silent socket after the idle one.
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    http: {
      headersTimeout: Math.min(limits.requestTimeoutMs, 60_000),
      connectionsCheckingInterval: Math.min(Math.max(Math.round(limits.requestTimeoutMs / 4), 100), 5_000),
    },
    trustProxy: trustedProxies(limits.trustProxy),
    genReqId: () => newRequestId(),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });

  // In this order: hooks run in the order added (an unrouted request is answered before it is rate limited),
  // and the routes and the OpenAPI description need what comes before them.
  app.register(serving, { deps, logText: options.logText ?? false });
  app.register(errors);
  app.register(security, { requestsPerMinute: limits.requestsPerMinute, papersPerMinute: limits.papersPerMinute });
  app.register(metrics, { clustered: options.clustered ?? false });
  app.register(openapi);

  app.register(healthRoutes);
  app.register(modelRoutes);
  app.register(predictRoutes);
  app.register(pageRoutes());
  return app;
}
