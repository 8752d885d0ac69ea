import Redis from 'ioredis';
import { redactUrls } from '../config/redact';

export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

/**
 * Connects and pings, so a wrong URL fails here with a message that says what to do. Once
 * connected, a lost connection is retried for about 40 s, or forever with `reconnectForever`
 * (a loop that must outlast a Redis outage: its commands then wait for the connection).
 */
export async function connectRedis(
  url: string,
  connectionName = 'arxiv-mlops',
  options: { reconnectForever?: boolean } = {},
): Promise<Redis> {
  const forever = options.reconnectForever ?? false;
  const redis = new Redis(url, {
    lazyConnect: true,
    connectionName,
    maxRetriesPerRequest: forever ? null : 3,
    enableOfflineQueue: true,
    retryStrategy: (attempt) => (!forever && attempt > 20 ? null : Math.min(attempt * 200, 2_000)),
  });
  redis.on('error', () => undefined); // failures surface through the commands below
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new RedisUnavailableError(
      `Redis not reachable at ${redactUrls(url)} (${redactUrls((error as Error).message)}): start it with \`mlops stack up\` or set REDIS_URL`,
    );
  }
  return redis;
}

/** Creates a stream's consumer group reading from its start (and the stream, if need be); an existing group is kept. */
export async function ensureConsumerGroup(redis: Redis, stream: string, group: string): Promise<void> {
  try {
    await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
  } catch (error) {
    if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
  }
}
