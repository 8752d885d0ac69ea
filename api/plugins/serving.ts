import fp from 'fastify-plugin';
import type { PredictionPublisher } from '../../lib/predictions/prediction-publisher';
import { adminKeyChecker, type KeyCheck } from '../admin-key';
import type { ModelHolder } from '../model-holder';
import type { ModelReloader } from '../model-reloader';

/** What the app is built on: the served model, and a probe of where the prediction log goes (Redis). */
export interface ApiDeps {
  models: ModelHolder;
  redisReachable(): Promise<boolean>;
  /** Where every prediction is recorded for monitoring (absent: not recorded). */
  log?: PredictionPublisher;
  /** Moves to a newly chosen model (absent: `POST /v1/model/reload` answers 503). */
  reloader?: ModelReloader;
  /** The admin key of `POST /v1/model/reload` (absent: the admin API is off). */
  adminKey?: string;
}

export interface ServingOptions {
  deps: ApiDeps;
  /** Whether the prediction log keeps each paper's title and abstract (else their hash and descriptors). */
  logText: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The served model: a request leases it for its whole answer. */
    models: ModelHolder;
    /** Where every prediction is recorded for monitoring (undefined: not recorded). */
    predictionLog: PredictionPublisher | undefined;
    /** Whether the prediction log keeps each paper's title and abstract (else their hash and descriptors). */
    predictionLogText: boolean;
    /** Moves to a newly chosen model (undefined: `POST /v1/model/reload` answers 503). */
    reloader: ModelReloader | undefined;
    /** Checks a presented admin key, in constant time ('disabled' without a configured one). */
    checkAdminKey(presented: string | undefined): KeyCheck;
    /** Whether Redis, where the prediction log goes, answers. */
    redisReachable(): Promise<boolean>;
  }
}

/** What the routes serve with, as decorators of the app: the model, the prediction log, the reloader, the admin key. */
export default fp<ServingOptions>(
  async (app, { deps, logText }) => {
    app.decorate('models', deps.models);
    app.decorate('predictionLog', deps.log);
    app.decorate('predictionLogText', logText);
    app.decorate('reloader', deps.reloader);
    app.decorate('checkAdminKey', adminKeyChecker(deps.adminKey));
    app.decorate('redisReachable', () => deps.redisReachable());
  },
  { name: 'api-serving' },
);
