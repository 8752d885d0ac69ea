import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../app';
import { ErrorBody } from '../schemas';

const Health = Type.Object({ status: Type.String() });
const Ready = Type.Object({ status: Type.String(), model: Type.Boolean(), mongo: Type.Boolean(), predictionBacklog: Type.Integer() });

/** /healthz: the process answers. /readyz: a model is loaded and MongoDB (the prediction log) is reachable. */
export function healthRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/healthz', { schema: { response: { 200: Health } } }, async () => ({ status: 'ok' }));
    app.get('/readyz', { schema: { response: { 200: Ready, 503: Type.Union([Ready, ErrorBody]) } } }, async (_request, reply) => {
      const mongo = await deps.mongoReachable().catch(() => false);
      const model = deps.models.loaded;
      const ready = model && mongo;
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', model, mongo, predictionBacklog: deps.log?.backlog ?? 0 });
    });
  };
}
