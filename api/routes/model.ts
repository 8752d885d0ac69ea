import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../app';
import { ErrorBody, ModelInfo } from '../schemas';

const Loaded = Type.Object({
  model: ModelInfo,
  chosenBy: Type.String({ description: 'alias, or LATEST_TRAINING_RUN_ID (a pin)' }),
  alias: Type.String(),
  classes: Type.Array(Type.String()),
  loadedAt: Type.String({ format: 'date-time' }),
});

/** GET /v1/model: what is served, since when, and why. */
export function modelRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/v1/model', { schema: { response: { 200: Loaded, 503: ErrorBody } } }, async () => {
      const served = deps.models.current();
      return {
        model: { name: served.modelName, version: served.modelVersion, runId: served.predictor.runId, embedderVersion: served.predictor.embedderVersion },
        chosenBy: served.chosenBy,
        alias: served.alias,
        classes: [...served.predictor.classes],
        loadedAt: served.loadedAt.toISOString(),
      };
    });
  };
}
