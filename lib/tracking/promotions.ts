import type Redis from 'ioredis';

/**
 * Promotions announced on Redis pub/sub: the training workflow publishes when it moves the alias,
 * and serving processes reload at once instead of at their next poll of the registry. A missed
 * message costs only that wait (pub/sub keeps nothing), so polling stays the guarantee.
 */
export const PROMOTIONS_CHANNEL = 'arxiv-mlops:model-promoted';

export interface PromotionEvent {
  modelName: string;
  alias: string;
  version: string;
  runId: string;
}

export async function announcePromotion(redis: Redis, event: PromotionEvent): Promise<number> {
  return redis.publish(PROMOTIONS_CHANNEL, JSON.stringify(event));
}

function parseEvent(message: string): PromotionEvent | undefined {
  try {
    const value = JSON.parse(message) as Partial<PromotionEvent>;
    if (
      typeof value.modelName === 'string' &&
      typeof value.alias === 'string' &&
      typeof value.version === 'string' &&
      typeof value.runId === 'string'
    ) {
      return { modelName: value.modelName, alias: value.alias, version: value.version, runId: value.runId };
    }
  } catch {
    // not ours: ignored
  }
  return undefined;
}

/** Calls `onPromotion` for every well-formed announcement; `subscriber` becomes a subscriber-only connection. */
export async function listenForPromotions(
  subscriber: Redis,
  onPromotion: (event: PromotionEvent) => void,
): Promise<void> {
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== PROMOTIONS_CHANNEL) return;
    const event = parseEvent(message);
    if (event) onPromotion(event);
  });
  await subscriber.subscribe(PROMOTIONS_CHANNEL);
}
