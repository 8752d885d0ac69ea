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

/** An ErrorBody for a status, with what was wrong and the request's id. */
export const errorBody = (statusCode: number, message: string, requestId: string): ErrorBody => ({
  error: STATUS_TEXT[statusCode] ?? 'Error',
  message,
  statusCode,
  requestId,
});
