import type { ApiLimits, PredictionLogSettings } from './app-config';

/** The API's limits when nothing is configured (also what an app built without settings uses). */
export const DEFAULT_API_LIMITS: ApiLimits = {
  requestsPerMinute: 6_000,
  papersPerMinute: 6_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 75_000,
  trustProxy: false,
};

export const DEFAULT_PREDICTION_LOG: PredictionLogSettings = {
  stream: 'arxiv:predictions',
  claimIdleMs: 30_000,
  maxBacklog: 100_000,
  maxBacklogBytes: 256 * 1024 * 1024,
  retentionDays: 90,
  storeText: false,
};

/** The smallest admin key accepted: a guessable one would open the admin routes to anyone. */
export const MIN_API_KEY_LENGTH = 24;
