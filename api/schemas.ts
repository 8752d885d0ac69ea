import { Type, type Static } from '@sinclair/typebox';

/** The API's error body, for every 4xx and 5xx. */
export const ErrorBody = Type.Object({
  error: Type.String({ description: 'HTTP status text' }),
  message: Type.String({ description: 'what was wrong, in a sentence' }),
  statusCode: Type.Integer(),
});
export type ErrorBody = Static<typeof ErrorBody>;

export const ModelInfo = Type.Object({
  name: Type.String(),
  version: Type.Union([Type.String(), Type.Null()]),
  runId: Type.String(),
  embedderVersion: Type.String(),
});
