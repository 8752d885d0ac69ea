import type { ChildProcess } from 'node:child_process';
import type { Client } from '@temporalio/client';
import type Redis from 'ioredis';
import { PaperStream, connectRedis } from '../../lib/buffer';
import { FeatureStore, connectMongo, type MongoConnection } from '../../lib/features';
import { ingestWorkflow, type IngestSummary } from '../../workflows';
import { removeIsolatedData } from '../support/cleanup';
import { isolatedSetup } from '../support/isolated-config';
import { installSmallEmbedder } from '../support/small-embedder';
import { spawnWorker, waitFor } from '../support/worker-process';
import { temporalClient } from '../support/workers';

const PAPERS = 1_500;

describe('a worker killed with SIGKILL in the middle of embedding', () => {
  const { config, env, testId } = isolatedSetup('crash', { BUFFER_CLAIM_IDLE_MS: '3000' });
  let client: Client;
  let mongo: MongoConnection;
  let redis: Redis;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    client = await temporalClient(config);
    mongo = await connectMongo(config.mongo.endpoint.url, config.mongo.database);
    redis = await connectRedis(config.redis.url);
    await installSmallEmbedder(config);
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await client?.connection.close();
    await mongo?.close();
    redis?.disconnect();
    await removeIsolatedData(config);
  });

  it('resumes on a new worker and loses or duplicates nothing', async () => {
    children.push(await spawnWorker(env));
    const handle = await client.workflow.start(ingestWorkflow, {
      taskQueue: config.temporal.taskQueues.io,
      workflowId: `${testId}-run`,
      args: [
        {
          source: { kind: 'sample' },
          limit: PAPERS,
          pageSize: 250,
          minBatch: 100,
          embedBatchSize: 50,
          maxEmbedRecordsPerSecond: 150,
          heartbeatTimeoutSeconds: 4,
          embedder: { referenceSource: { kind: 'sample' } },
          taskQueues: config.temporal.taskQueues,
        },
      ],
    });
    const features = new FeatureStore(mongo.db);

    const storedBeforeKill = await waitFor(async () => {
      const count = await features.count();
      return count >= 200 ? count : undefined;
    }, 'the first features');
    children[0]!.kill('SIGKILL');
    await new Promise((resolve) => children[0]!.once('exit', resolve));
    expect(storedBeforeKill).toBeLessThan(PAPERS);
    expect((await handle.describe()).status.name).toBe('RUNNING');

    children.push(await spawnWorker(env));
    const summary: IngestSummary = await handle.result();

    expect(summary).toMatchObject({ extracted: PAPERS, accepted: PAPERS, rejected: 0, embedded: PAPERS, balanced: true });
    expect(await features.count({ embedderVersion: summary.embedderVersion })).toBe(PAPERS);
    const duplicated = await features.collection
      .aggregate([{ $group: { _id: '$arxivId', n: { $sum: 1 } } }, { $match: { n: { $gt: 1 } } }])
      .toArray();
    expect(duplicated).toEqual([]);
    expect(await new PaperStream(redis, config.buffer).depth()).toEqual({ length: 0, pending: 0 });

    // The embedding activity really was interrupted and retried, not merely finished before the kill.
    const history = await handle.fetchHistory();
    const embedAttempts = (history.events ?? [])
      .filter((event) => event.activityTaskStartedEventAttributes)
      .map((event) => event.activityTaskStartedEventAttributes!.attempt ?? 1);
    expect(Math.max(...embedAttempts)).toBeGreaterThan(1);
  });
});
