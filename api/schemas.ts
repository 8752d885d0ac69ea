import { Type, type Static } from '@sinclair/typebox';

/** The API's error body, for every 4xx and 5xx. */
export const ErrorBody = Type.Object({
  error: Type.String({ description: 'HTTP status text' }),
  message: Type.String({ description: 'what was wrong, in a sentence' }),
  statusCode: Type.Integer(),
  requestId: Type.String({ description: 'also in the x-request-id header and the logs' }),
});
export type ErrorBody = Static<typeof ErrorBody>;

export const ModelInfo = Type.Object({
  name: Type.String(),
  version: Type.Union([Type.String(), Type.Null()], {
    description: 'registered version (null for a pinned run that was never registered)',
  }),
  runId: Type.String({ description: 'the MLflow training run' }),
  embedderVersion: Type.String(),
  family: Type.String({
    description: 'the model family: lsa-mlp (MLP over the LSA vector) or tfidf-linear (linear SVMs over tf-idf)',
  }),
});
