import { Binary } from 'mongodb';
import type Redis from 'ioredis';
import { connectRedis } from '../../lib/buffer/redis';
import { DeadLetterStore } from '../../lib/deadletters/dead-letter-store';
import { connectMongo, openMongo, type MongoConnection } from '../../lib/features/mongo';
import type { PredictionDocument } from '../../lib/predictions/prediction-document';
import { PredictionDrainer } from '../../lib/predictions/prediction-drainer';
import { PREDICTION_FIELD, PredictionPublisher, publisherConnection } from '../../lib/predictions/prediction-publisher';
import { PredictionStore } from '../../lib/predictions/prediction-store';
import { isolatedSetup } from '../support/isolated-config';
import { TcpProxy } from '../support/tcp-proxy';

/**
 * The prediction log's two halves on real engines: the API's publisher appending to a Redis stream
 * (with its bounded backlog while Redis is away) and the I/O worker's drainer storing the stream in
 * MongoDB — acknowledged only after the store, taken over from a drainer that died, never twice.
 */
const { config, testId } = isolatedSetup('prediction-drain');

function prediction(requestId: string, item = 0): PredictionDocument {
  return {
    _id: `${requestId}:${item}`,
    requestId,
    at: new Date(),
    inputHash: 'f'.repeat(64),
    text: { titleChars: 10, abstractChars: 100, abstractWords: 20, oovShare: 0.1 },
    embedding: new Binary(Buffer.from(new Float32Array([0.6, 0.8]).buffer)),
    category: 'cs.LG',
    top: [{ category: 'cs.LG', probability: 0.9 }],
    modelName: 'drain-test',
    modelVersion: '1',
    runId: 'run-1',
    embedderVersion: 'lsa-test',
  };
}

const batch = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => prediction(`${prefix}-${i}`));

describe('the prediction log through Redis (real Redis and MongoDB-protocol server)', () => {
  let redis: Redis;
  let mongo: MongoConnection;
  let store: PredictionStore;
  let deadLetters: DeadLetterStore;
  const connections: Redis[] = [];
  let streamNumber = 0;

  /** A stream and group of their own per test, and a drainer over `db` (default: the direct connection). */
  function setup(options: { db?: MongoConnection; claimIdleMs?: number } = {}) {
    const stream = `${config.api.predictionLog.stream}:${(streamNumber += 1)}`;
    const drainer = (consumer: string, claimIdleMs = options.claimIdleMs ?? 60_000) =>
      new PredictionDrainer(redis, new PredictionStore((options.db ?? mongo).db, 0), deadLetters, {
        stream,
        group: 'drainers',
        consumer,
        claimIdleMs,
        blockMs: 50,
      });
    const publisher = new PredictionPublisher(redis, { stream, maxBacklog: 1_000, maxBacklogBytes: 1 << 20 });
    return { stream, drainer, publisher };
  }

  const stored = (prefix: string) => store.collection.countDocuments({ requestId: { $regex: `^${prefix}-` } });
  const pending = async (stream: string) => Number(((await redis.xpending(stream, 'drainers')) as unknown[])[0]);

  beforeAll(async () => {
    redis = await connectRedis(config.redis.url, 'prediction-drain-test');
    mongo = await connectMongo(config.mongo.endpoint.url, config.mongo.database);
    store = new PredictionStore(mongo.db, 0);
    deadLetters = new DeadLetterStore(mongo.db);
  });

  afterAll(async () => {
    const keys = await redis.keys(`${config.api.predictionLog.stream}*`);
    if (keys.length > 0) await redis.del(...keys);
    for (const connection of connections) connection.disconnect();
    redis?.disconnect();
    await mongo?.db.dropDatabase();
    await mongo?.close();
  });

  it('stores what the publisher appended, acknowledges and deletes it, and stores an entry delivered twice once', async () => {
    const { stream, drainer, publisher } = setup();
    const documents = batch(`${testId}-once`, 25);
    await publisher.record(documents);
    await publisher.record(documents.slice(0, 5)); // appended again, as after a lost acknowledgement
    expect(publisher.appendedCount).toBe(30);
    const consumer = drainer('a');
    await consumer.ensureGroup();
    expect(await consumer.drainOnce()).toBe(30);
    expect(await stored(`${testId}-once`)).toBe(25);
    expect(consumer.stats).toMatchObject({ stored: 25, duplicates: 5 });
    expect(await redis.xlen(stream)).toBe(0);
    expect(await pending(stream)).toBe(0);
    const [first] = await store.collection.find({ _id: documents[0]!._id }).toArray();
    expect(first).toMatchObject({
      requestId: documents[0]!.requestId,
      category: 'cs.LG',
      top: [{ category: 'cs.LG', probability: 0.9 }],
    });
    expect(first!.at.getTime()).toBe(documents[0]!.at.getTime());
    expect(Buffer.from(first!.embedding.buffer)).toEqual(Buffer.from(documents[0]!.embedding.buffer));
  });

  it('acknowledges nothing while MongoDB is unreachable, and stores it all once MongoDB is back', async () => {
    const mongoUrl = new URL(config.mongo.endpoint.url);
    const proxy = new TcpProxy(mongoUrl.hostname, Number(mongoUrl.port));
    await proxy.start();
    const viaProxy = openMongo(`mongodb://127.0.0.1:${proxy.port}/?directConnection=true`, config.mongo.database, {
      serverSelectionTimeoutMS: 1_500,
      appName: 'drain-test',
    });
    await viaProxy.client.connect(); // as the worker's client is: connected, then cut off
    try {
      const { stream, drainer, publisher } = setup({ db: viaProxy });
      await publisher.record(batch(`${testId}-cut`, 40));
      const consumer = drainer('b');
      await consumer.ensureGroup();
      await proxy.cut();
      await expect(consumer.drainOnce()).rejects.toThrow();
      await expect(consumer.drainOnce()).rejects.toThrow();
      expect(consumer.stats.failedBatches).toBe(2);
      expect(await redis.xlen(stream)).toBe(40);
      expect(await pending(stream)).toBe(40);
      expect(await stored(`${testId}-cut`)).toBe(0);

      await proxy.restore();
      // The drainer's own unacknowledged entries come first: read again, stored, acknowledged.
      expect(await consumer.drainOnce()).toBe(40);
      expect(await stored(`${testId}-cut`)).toBe(40);
      expect(await redis.xlen(stream)).toBe(0);
    } finally {
      await proxy.cut();
      await viaProxy.close();
    }
  });

  it('takes over the entries a drainer held when it died (XAUTOCLAIM after the idle time), and stores each once', async () => {
    const mongoUrl = new URL(config.mongo.endpoint.url);
    const proxy = new TcpProxy(mongoUrl.hostname, Number(mongoUrl.port));
    await proxy.start();
    const deadEnd = openMongo(`mongodb://127.0.0.1:${proxy.port}/?directConnection=true`, config.mongo.database, {
      serverSelectionTimeoutMS: 500,
      appName: 'drain-test-dead',
    });
    await deadEnd.client.connect();
    const claimIdleMs = 3_000;
    const { stream, drainer, publisher } = setup({ claimIdleMs });
    try {
      await publisher.record(batch(`${testId}-claim`, 30));
      // The first drainer reads the entries and never stores them (its MongoDB is gone), then is never heard of again.
      await proxy.cut();
      const dead = new PredictionDrainer(redis, new PredictionStore(deadEnd.db, 0), deadLetters, {
        stream,
        group: 'drainers',
        consumer: 'dead',
        claimIdleMs,
        blockMs: 50,
      });
      await dead.ensureGroup();
      await expect(dead.drainOnce()).rejects.toThrow();
      expect(await pending(stream)).toBe(30);

      const survivor = drainer('survivor');
      await publisher.record(batch(`${testId}-claim-new`, 5));
      // Before the idle time, the survivor takes only new entries.
      expect(await survivor.drainOnce()).toBe(5);
      expect(survivor.stats.claimed).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, claimIdleMs));
      expect(await survivor.drainOnce()).toBe(30);
      expect(survivor.stats.claimed).toBe(30);
      expect(await stored(`${testId}-claim`)).toBe(35);
      expect(await redis.xlen(stream)).toBe(0);
      expect(await pending(stream)).toBe(0);
    } finally {
      await deadEnd.close();
    }
  });

  it('dead-letters an entry that holds no prediction, with the reason, and goes on', async () => {
    const { stream, drainer, publisher } = setup();
    await redis.xadd(stream, '*', PREDICTION_FIELD, 'not bson');
    await redis.xadd(stream, '*', 'other', 'field');
    await publisher.record(batch(`${testId}-mixed`, 3));
    const consumer = drainer('c');
    await consumer.ensureGroup();
    expect(await consumer.drainOnce()).toBe(5);
    expect(consumer.stats).toMatchObject({ stored: 3, deadLettered: 2 });
    expect(await redis.xlen(stream)).toBe(0);
    const letters = await deadLetters.find({ reason: 'undecodable_message' });
    const ours = letters.filter((letter) => letter.source === stream);
    expect(ours.map((letter) => letter.stage)).toEqual(['prediction_log', 'prediction_log']);
    expect(ours.map((letter) => letter.detail).sort()).toEqual([
      expect.stringMatching(/^not BSON: /),
      `the entry has no ${PREDICTION_FIELD} field`,
    ]);
  });

  it('keeps a bounded backlog while Redis is unreachable, drops the oldest beyond it, and appends the rest when Redis is back', async () => {
    const redisUrl = new URL(config.redis.url);
    const proxy = new TcpProxy(redisUrl.hostname, Number(redisUrl.port));
    await proxy.start();
    const viaProxy = publisherConnection(`redis://127.0.0.1:${proxy.port}`, 500);
    connections.push(viaProxy);
    const { stream, drainer } = setup();
    const publisher = new PredictionPublisher(viaProxy, {
      stream,
      maxBacklog: 30,
      maxBacklogBytes: 1 << 20,
      retryIntervalMs: 100,
    });
    publisher.start();
    try {
      await new Promise<void>((resolve) =>
        viaProxy.status === 'ready' ? resolve() : viaProxy.once('ready', () => resolve()),
      );
      await proxy.cut();
      const documents = batch(`${testId}-away`, 40);
      for (const document of documents) await publisher.record([document]); // resolves at once: Redis is away
      expect(publisher.backlog).toBe(30);
      expect(publisher.droppedCount).toBe(10);
      expect(publisher.appendedCount).toBe(0);

      await proxy.restore();
      const deadline = Date.now() + 15_000;
      while (publisher.backlog > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(publisher.backlog).toBe(0);
      expect(publisher.appendedCount).toBe(30);
      const consumer = drainer('d');
      await consumer.ensureGroup();
      expect(await consumer.drainOnce()).toBe(30);
      // The newest 30 were kept.
      const kept = await store.collection.distinct('requestId', { requestId: { $regex: `^${testId}-away-` } });
      expect(kept.sort()).toEqual(
        documents
          .slice(10)
          .map((document) => document.requestId)
          .sort(),
      );
      expect(await redis.xlen(stream)).toBe(0);
    } finally {
      await publisher.close();
      await proxy.cut();
    }
  });
});
