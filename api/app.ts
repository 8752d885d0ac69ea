import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { PredictionLog } from '../lib/predictions/prediction-log';
import type { ModelHolder } from './model-holder';
import { healthRoutes } from './routes/health';
import { modelRoutes } from './routes/model';
import { newRequestId, predictRoutes } from './routes/predict';
import type { ErrorBody } from './schemas';

/** What the app is built on: the served model, and a probe of the prediction log's store. */
export interface ApiDeps {
  models: ModelHolder;
  mongoReachable(): Promise<boolean>;
  /** Where every prediction is recorded for monitoring (absent: not recorded). */
  log?: PredictionLog;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 500: 'Internal Server Error', 503: 'Service Unavailable' };

function errorBody(statusCode: number, message: string): ErrorBody {
  return { error: STATUS_TEXT[statusCode] ?? 'Error', message, statusCode };
}

/** The inference API as a Fastify app (tests inject into it; `mlops api` listens with it). */
export function buildApp(deps: ApiDeps, options: { logger?: boolean; bodyLimit?: number } = {}): FastifyInstance {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    genReqId: () => newRequestId(),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const statusCode = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    const message = error.validation ? `invalid request: ${error.message}` : statusCode >= 500 && statusCode !== 503 ? 'internal error' : error.message;
    if (statusCode >= 500 && statusCode !== 503) reply.log.error(error);
    return reply.code(statusCode).send(errorBody(statusCode, message));
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody(404, `no route ${request.method} ${request.url}`)));
  app.register(healthRoutes(deps));
  app.register(modelRoutes(deps));
  app.register(predictRoutes(deps));
  return app;
}
