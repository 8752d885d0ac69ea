import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
// The decorators these routes use (app.models, …) are declared by the plugins imported as types.
import type {} from '../plugins/metrics';
import type {} from '../plugins/serving';
import { ErrorBody } from '../schemas';

const Health = Type.Object({ status: Type.String() });
const Ready = Type.Object({
  status: Type.String(),
  model: Type.Boolean(),
  redis: Type.Boolean(),
  predictionBacklog: Type.Integer(),
});

/** /healthz: the process answers. /readyz: a model is loaded and Redis (where the prediction log goes) is reachable. /metrics: Prometheus. */
export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/healthz',
    { schema: { tags: ['health'], summary: 'The process answers', response: { 200: Health } } },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'A model is loaded and Redis reachable',
        response: { 200: Ready, 503: Type.Union([Ready, ErrorBody]) },
      },
    },
    async (_request, reply) => {
      const redis = await app.redisReachable().catch(() => false);
      const model = app.models.loaded;
      const ready = model && redis;
      return reply.code(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'not ready',
        model,
        redis,
        predictionBacklog: app.predictionLog?.backlog ?? 0,
      });
    },
  );
  app.get(
    '/metrics',
    { schema: { tags: ['health'], summary: 'Prometheus metrics', produces: ['text/plain'] } },
    async (_request, reply) => {
      return reply.type(app.apiMetrics.registry.contentType).send(await app.metricsText());
    },
  );
};
