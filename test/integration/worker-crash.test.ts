import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type Redis from 'ioredis';
import { paperText } from '../../lib/arxiv/record';
import { readSnapshot } from '../../lib/arxiv/snapshot';
import { SAMPLE_PATH } from '../../lib/arxiv/sources';
import { PaperStream, connectRedis } from '../../lib/buffer';
import { projectRoot } from '../../lib/config/paths';
import { fitLsaEmbedder, DEFAULT_LSA_CONFIG, saveEmbedder, setCurrentEmbedder } from '../../lib/embedding';
import { FeatureStore, connectMongo, type MongoConnection } from '../../lib/features';
import { openObjectStore } from '../../lib/storage';
import { ingestWorkflow, type IngestSummary } from '../../workflows';
import { removeIsolatedData } from '../support/cleanup';
import { isolatedSetup } from '../support/isolated-config';
import { temporalClient } from '../support/workers';

const PAPERS = 1_500;

/** `mlops worker` as a separate process, as a user runs it (from the build in dist/). */
function spawnWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(projectRoot(), 'bin/mlops.js'), 'worker'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker running')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited early (${code}):\n${output}`)));
  });
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

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
    // A small embedder installed up front, so the run spends its time embedding rather than fitting.
    const texts: string[] = [];
    for await (const { item } of readSnapshot(join(projectRoot(), SAMPLE_PATH))) {
      if (item.ok && texts.length < 600) texts.push(paperText(item.record));
    }
    const embedder = fitLsaEmbedder(texts, { ...DEFAULT_LSA_CONFIG, dimensions: 32, powerIterations: 2, tfidf: { ...DEFAULT_LSA_CONFIG.tfidf, maxFeatures: 3_000 } });
    const store = openObjectStore(config);
    await setCurrentEmbedder(store, await saveEmbedder(store, embedder, 'test corpus'));
    await store.close();
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
