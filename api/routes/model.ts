import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { presentedKey } from '../admin-key';
import type { ServedModel } from '../model-holder';
// The decorators these routes use (app.models, …) are declared by the plugins imported as types.
import type {} from '../plugins/serving';
import { ErrorBody, ModelInfo } from '../schemas';

const Loaded = Type.Object({
  model: ModelInfo,
  chosenBy: Type.String({ description: 'alias, or LATEST_TRAINING_RUN_ID (a pin)' }),
  alias: Type.String(),
  classes: Type.Array(Type.String()),
  loadedAt: Type.String({ format: 'date-time' }),
});

const Choice = Type.Object({ runId: Type.String(), modelVersion: Type.Union([Type.String(), Type.Null()]) });
const Reloaded = Type.Object({
  changed: Type.Boolean({ description: 'false: the configured model was already served' }),
  from: Type.Union([Choice, Type.Null()]),
  to: Choice,
  model: Loaded,
});

const describe = (served: ServedModel) => ({
  model: {
    name: served.modelName,
    version: served.modelVersion,
    runId: served.predictor.runId,
    embedderVersion: served.predictor.embedderVersion,
    family: served.predictor.family,
  },
  chosenBy: served.chosenBy,
  alias: served.alias,
  classes: [...served.predictor.classes],
  loadedAt: served.loadedAt.toISOString(),
});

class AdminError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** GET /v1/model: what is served, since when, and why. POST /v1/model/reload (admin): serve what the alias points at now. */
export const modelRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/v1/model',
    { schema: { tags: ['model'], summary: 'The served model', response: { 200: Loaded, 503: ErrorBody } } },
    async () => describe(app.models.current()),
  );

  app.post(
    '/v1/model/reload',
    {
      schema: {
        tags: ['model'],
        summary: 'Load the model the alias (or the pin) chooses now, if it changed (admin)',
        security: [{ apiKey: [] }],
        response: { 200: Reloaded, 401: ErrorBody, 403: ErrorBody, 503: ErrorBody },
      },
      preHandler: async (request) => {
        const check = app.checkAdminKey(presentedKey(request.headers));
        if (check === 'disabled') throw new AdminError(403, 'the admin API is off: set MLOPS_API_KEY to use it');
        if (check === 'missing')
          throw new AdminError(401, 'an admin key is needed: send it as x-api-key (or Authorization: Bearer)');
        if (check === 'wrong') throw new AdminError(401, 'the admin key is wrong');
      },
    },
    async () => {
      if (!app.reloader) throw new AdminError(503, 'this API does not reload models');
      let outcome;
      try {
        outcome = await app.reloader.reload('admin');
      } catch (error) {
        const still = app.models.loaded ? `; still serving run ${app.models.current().predictor.runId}` : '';
        throw new AdminError(503, `could not reload: ${(error as Error).message}${still}`);
      }
      return { changed: outcome.changed, from: outcome.from, to: outcome.to, model: describe(app.models.current()) };
    },
  );
};
