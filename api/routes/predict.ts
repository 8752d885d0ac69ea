import { randomUUID } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { describeText, encodeVector } from '../../lib/features/feature-store';
import { inputHash, type PredictionDocument } from '../../lib/predictions/prediction-document';
import type { Prediction } from '../../lib/tracking/serving-model';
// The decorators these routes use (app.models, …) are declared by the plugins imported as types.
import type {} from '../plugins/metrics';
import { applyVerdict } from '../plugins/security';
import type {} from '../plugins/serving';
import { ErrorBody, ModelInfo } from '../schemas';

export const MAX_ITEMS = 64;
const MAX_TITLE = 1_000;
const MAX_ABSTRACT = 10_000;

const Paper = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: MAX_TITLE, pattern: '\\S' }),
    abstract: Type.String({ minLength: 1, maxLength: MAX_ABSTRACT, pattern: '\\S' }),
  },
  { additionalProperties: false },
);
const Batch = Type.Object(
  { items: Type.Array(Paper, { minItems: 1, maxItems: MAX_ITEMS }) },
  { additionalProperties: false },
);
const Body = Type.Union([Paper, Batch]);
// Type coercion is off (a number is no title), so the query's `top` is checked as text: 1 to 20.
const Query = Type.Object(
  {
    top: Type.Optional(
      Type.String({ pattern: '^(?:[1-9]|1[0-9]|20)$', description: 'how many classes to list (1–20, default 3)' }),
    ),
  },
  { additionalProperties: false },
);

const Scored = Type.Object({
  category: Type.String(),
  top: Type.Array(Type.Object({ category: Type.String(), probability: Type.Number() })),
});
const Response = Type.Object({
  requestId: Type.String(),
  model: ModelInfo,
  predictions: Type.Array(Scored),
});

type PredictBody = Static<typeof Body>;

/**
 * POST /v1/predict: one paper (`{ title, abstract }`) or up to 64 (`{ items: [...] }`) → for each,
 * the category and the top-k classes with their probabilities, and which model answered.
 */
export const predictRoutes: FastifyPluginAsync = async (app) => {
  app.post<{ Body: PredictBody; Querystring: Static<typeof Query> }>(
    '/v1/predict',
    {
      schema: {
        tags: ['predict'],
        summary: 'Classify papers by title and abstract',
        body: Body,
        querystring: Query,
        response: { 200: Response, 400: ErrorBody, 413: ErrorBody, 415: ErrorBody, 429: ErrorBody, 503: ErrorBody },
      },
      // Papers are what costs: a client's budget is counted in papers, once the body is known valid.
      preHandler: async (request, reply) => {
        const papers = 'items' in request.body ? request.body.items.length : 1;
        return applyVerdict(
          await app.clientLimits.papers(request.ip, papers),
          app.clientLimits.papersPerMinute,
          request,
          reply,
        );
      },
    },
    async (request) => {
      // The model current when the request started answers all of it, even if another is swapped in meanwhile.
      const lease = app.models.lease();
      try {
        const served = lease.served;
        const papers = 'items' in request.body ? request.body.items : [request.body];
        const top = request.query.top === undefined ? 3 : Number(request.query.top);
        const { classes } = served.predictor;
        const scored = served.predictor.predict(papers);
        const predictions = scored.map((prediction) => ({
          category: prediction.category,
          top: Array.from(prediction.probabilities, (probability, c) => ({ category: classes[c]!, probability }))
            .sort((a, b) => b.probability - a.probability)
            .slice(0, top),
        }));
        const model = {
          name: served.modelName,
          version: served.modelVersion,
          runId: served.predictor.runId,
          embedderVersion: served.predictor.embedderVersion,
          family: served.predictor.family,
        };
        for (const prediction of predictions)
          app.apiMetrics.predictions.inc({ category: prediction.category, model_version: model.version ?? 'none' });
        // Answered only once Redis holds the predictions (or, Redis away, the bounded backlog does).
        await app.predictionLog?.record(
          predictionDocuments(request.id, new Date(), papers, scored, predictions, model, app.predictionLogText),
        );
        return { requestId: request.id, model, predictions };
      } finally {
        lease.release();
      }
    },
  );
};

/** The documents the prediction log keeps for one request's answers (exported for bench:api's µs breakdown). */
export function predictionDocuments(
  requestId: string,
  at: Date,
  papers: ReadonlyArray<{ title: string; abstract: string }>,
  scored: readonly Prediction[],
  answered: ReadonlyArray<{ category: string; top: Array<{ category: string; probability: number }> }>,
  model: { name: string; version: string | null; runId: string; embedderVersion: string },
  withText: boolean,
): PredictionDocument[] {
  return papers.map((paper, i) => ({
    _id: `${requestId}:${i}`,
    requestId,
    at,
    inputHash: inputHash(paper),
    ...(withText ? { title: paper.title, abstract: paper.abstract } : {}),
    text: { ...describeText(paper), oovShare: scored[i]!.oovShare },
    embedding: encodeVector(scored[i]!.vector),
    category: answered[i]!.category,
    top: answered[i]!.top,
    modelName: model.name,
    modelVersion: model.version,
    runId: model.runId,
    embedderVersion: model.embedderVersion,
  }));
}

export const newRequestId = () => randomUUID();
