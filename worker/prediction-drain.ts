import { setTimeout as sleep } from 'node:timers/promises';
import { connectRedis } from '../lib/buffer/redis';
import type { AppConfig } from '../lib/config/config';
import type { DeadLetterStore } from '../lib/deadletters/dead-letter-store';
import type { MongoConnection } from '../lib/features/mongo';
import { DEFAULT_DRAIN_GROUP, drainerName, PredictionDrainer } from '../lib/predictions/prediction-drainer';
import { PredictionStore } from '../lib/predictions/prediction-store';

/** A stop waits this long for the batch in hand (a blocked read ends within a second). */
const STOP_GRACE_MS = 5_000;

export interface RunningDrain {
  drainer: PredictionDrainer;
  stop(): Promise<void>;
}

/**
 * The I/O worker drains the API's prediction stream into MongoDB beside its Temporal work: a
 * background loop on a Redis connection of its own (its reads block), not an activity, since it
 * never ends and needs no history.
 */
export async function startPredictionDrain(
  config: AppConfig,
  mongo: MongoConnection,
  deadLetters: DeadLetterStore,
  identity?: string,
): Promise<RunningDrain> {
  // Redis may go away for long: the drain waits for it rather than giving up.
  const redis = await connectRedis(config.redis.url, 'arxiv-mlops-prediction-drainer', { reconnectForever: true });
  const store = new PredictionStore(mongo.db, config.api.predictionLog.retentionDays);
  const drainer = new PredictionDrainer(redis, store, deadLetters, {
    stream: config.api.predictionLog.stream,
    group: DEFAULT_DRAIN_GROUP,
    consumer: identity ? `${identity}-${process.pid}` : drainerName(),
    claimIdleMs: config.api.predictionLog.claimIdleMs,
    // The drainer reports a failing batch at most once every 10 s: an outage fails every batch the same way.
    onError: (error) => {
      process.stderr.write(
        `prediction drain: ${(error as Error).message} (retrying; nothing is acknowledged before it is stored)\n`,
      );
    },
  });
  await drainer.ensureGroup();
  drainer.start();
  return {
    drainer,
    async stop() {
      // A read waiting for an unreachable Redis never ends on its own: closing the connection ends it.
      const stopped = drainer.stop();
      await Promise.race([stopped, sleep(STOP_GRACE_MS)]);
      redis.disconnect();
      await stopped;
    },
  };
}
