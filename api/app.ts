import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import helmet from 'helmet';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { DEFAULT_API_LIMITS, type ApiLimits } from '../lib/config/config';
import { redactUrls } from '../lib/config/redact';
import type { PredictionPublisher } from '../lib/predictions/prediction-publisher';
import { ClientLimits, type LimitVerdict } from './client-limits';
import { clusterMetrics, workerLabel } from './cluster';
import { ApiMetrics } from './metrics';
import type { ModelHolder } from './model-holder';
import type { ModelReloader } from './model-reloader';
import { healthRoutes } from './routes/health';
import { modelRoutes } from './routes/model';
import { pageRoutes } from './routes/page';
import { newRequestId, predictRoutes } from './routes/predict';
import type { ErrorBody } from './schemas';

/** What the app is built on: the served model, and a probe of where the prediction log goes (Redis). */
export interface ApiDeps {
  models: ModelHolder;
  redisReachable(): Promise<boolean>;
  /** Where every prediction is recorded for monitoring (absent: not recorded). */
  log?: PredictionPublisher;
  /** Moves to a newly chosen model (absent: `POST /v1/model/reload` answers 503). */
  reloader?: ModelReloader;
  /** The admin key of `POST /v1/model/reload` (absent: the admin API is off). */
  adminKey?: string;
}

export interface RouteDeps extends ApiDeps {
  metrics: ApiMetrics;
  limits: ClientLimits;
  /** Whether the prediction log keeps each paper's title and abstract (else their hash and descriptors). */
  logText: boolean;
  /** What /metrics answers: this process's metrics, or every worker's added up (`--workers N`). */
  metricsText(): Promise<string>;
}

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

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export const errorBody = (statusCode: number, message: string, requestId: string): ErrorBody => ({
  error: STATUS_TEXT[statusCode] ?? 'Error',
  message,
  statusCode,
  requestId,
});

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

/** The inference API as a Fastify app (tests inject into it; `mlops api` listens with it). */
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
  const metrics = new ApiMetrics(deps.models, deps.log, deps.reloader, workerLabel());
  const clientLimits = new ClientLimits(limits.requestsPerMinute, limits.papersPerMinute);
  const metricsText = options.clustered ? clusterMetrics(metrics.registry) : () => metrics.registry.metrics();
  const routeDeps: RouteDeps = {
    ...deps,
    metrics,
    limits: clientLimits,
    logText: options.logText ?? false,
    metricsText,
  };

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const statusCode = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    const message = error.validation
      ? `invalid request: ${error.message}`
      : statusCode >= 500 && statusCode !== 503
        ? 'internal error'
        : error.message;
    if (statusCode >= 500 && statusCode !== 503) request.log.error({ err: error }, 'request failed');
    return reply.code(statusCode).send(errorBody(statusCode, message, request.id));
  });
  const unrouted = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]!;
    // A known path asked with another method: 405 and the methods it has, as HTTP says.
    const allowed = METHODS.filter((method) => app.hasRoute({ method, url: path }));
    if (allowed.length > 0)
      return reply
        .code(405)
        .header('allow', allowed.join(', '))
        .send(errorBody(405, `${path} accepts ${allowed.join(', ')}, not ${request.method}`, request.id));
    return reply.code(404).send(errorBody(404, `no route ${request.method} ${path}`, request.id));
  };
  app.setNotFoundHandler(unrouted);
  // Answered before the body is read: an unrouted request is never parsed.
  app.addHook('onRequest', async (request, reply) => {
    if (request.is404) return unrouted(request, reply);
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    // Unmatched URLs share one label, so scanners cannot grow the metric without bound.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status_code: String(reply.statusCode) });
    metrics.latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  // Security headers: helmet's middleware, built once (building it per request costs a tenth of a prediction).
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
    applyVerdict(await clientLimits.request(request.ip), limits.requestsPerMinute, request, reply),
  );
  app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'arxiv-mlops inference API',
        version: '1.0.0',
        description:
          'Classifies arXiv papers (title + abstract) into their primary category with the champion model from MLflow.',
      },
      components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } } },
      tags: [
        { name: 'predict', description: 'classification' },
        { name: 'model', description: 'the served model' },
        { name: 'health', description: 'liveness, readiness, metrics' },
      ],
    },
  });
  // Swagger UI sets inline styles; its own CSP would block them (and log it), so allow styles inline there too.
  app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    transformStaticCSP: (header) => header.replace(/style-src [^;]*/, "style-src 'self' 'unsafe-inline'"),
  });

  app.register(healthRoutes(routeDeps));
  app.register(modelRoutes(routeDeps));
  app.register(predictRoutes(routeDeps));
  app.register(pageRoutes());
  return app;
}
