import type { AppConfig } from '../lib/config/config';
import { connectRedis } from '../lib/buffer/redis';
import { connectMongo } from '../lib/features/mongo';

/** Drops what a run in names of its own wrote to the shared engines: its database and its stream's keys. */
export async function removeIsolatedData(config: AppConfig): Promise<void> {
  const mongo = await connectMongo(config.mongo.endpoint.url, config.mongo.database);
  try {
    await mongo.db.dropDatabase();
  } finally {
    await mongo.close();
  }
  const redis = await connectRedis(config.redis.url);
  try {
    const keys = await redis.keys(`${config.buffer.stream}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
