import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';
import type Redis from 'ioredis';
import { PaperStream, connectRedis } from '../../lib/buffer';
import { DeadLetterStore } from '../../lib/deadletters';
import { FeatureStore, connectMongo, type MongoConnection } from '../../lib/features';
import { openObjectStore, readIngestManifest, type ObjectStore } from '../../lib/storage';
import { rootCause } from '../../cli/temporal';
import { ingestWorkflow, type IngestInput, type IngestSummary } from '../../workflows';
import { removeIsolatedData } from '../support/cleanup';
import { isolatedSetup } from '../support/isolated-config';
import { mixedSnapshot, sampleLines } from '../support/papers';
import { startWorkers, temporalClient, type RunningWorkers } from '../support/workers';

describe('ingestion workflow (real Temporal, Redis, MongoDB, object store)', () => {
  const { config, testId } = isolatedSetup('ingest', { INGEST_FILE_ROOTS: tmpdir() });
  const dir = mkdtempSync(join(tmpdir(), 'ingest-'));
  const snapshot = mixedSnapshot(400);
  const snapshotPath = join(dir, 'mixed.jsonl');
  writeFileSync(snapshotPath, snapshot.text);

  let workers: RunningWorkers;
  let client: Client;
  let mongo: MongoConnection;
  let redis: Redis;
  let store: ObjectStore;

  const input = (overrides: Partial<IngestInput> = {}): IngestInput => ({
    source: { kind: 'file', path: snapshotPath },
    pageSize: 120,
    minBatch: 100,
    embedBatchSize: 64,
    embedder: { referenceSource: { kind: 'sample' }, referenceLimit: 600, dimensions: 32, maxFeatures: 3_000 },
    taskQueues: config.temporal.taskQueues,
    ...overrides,
  });
  const run = (workflowInput: IngestInput, suffix: string): Promise<IngestSummary> =>
    client.workflow.execute(ingestWorkflow, {
      taskQueue: config.temporal.taskQueues.io,
      workflowId: `${testId}-${suffix}`,
      args: [workflowInput],
    });

  beforeAll(async () => {
    workers = await startWorkers(config);
    client = await temporalClient(config);
    mongo = await connectMongo(config.mongo.endpoint.url, config.mongo.database);
    redis = await connectRedis(config.redis.url);
    store = openObjectStore(config);
  });
  afterAll(async () => {
    await workers?.stop();
    await client?.connection.close();
    await mongo?.close();
    redis?.disconnect();
    await store?.close();
    await removeIsolatedData(config);
    rmSync(dir, { recursive: true, force: true });
  });

  let first: IngestSummary;

  it('accounts for every input line: extracted = accepted + rejected, and every accepted paper is embedded', async () => {
    first = await run(input(), 'first');
    const rejected = Object.values(snapshot.bad).reduce((sum, n) => sum + n, 0);
    expect(first).toMatchObject({
      extracted: snapshot.good + rejected,
      accepted: snapshot.good,
      rejected,
      rejectedByReason: snapshot.bad,
      duplicates: 0,
      embedded: snapshot.good,
      deadLettered: 0,
      balanced: true,
    });
    expect(first.embedderVersion).toMatch(/^lsa-[0-9a-f]{16}$/);
  });

  it('keeps every rejected line in the dead letters with its reason and raw text', async () => {
    const letters = await new DeadLetterStore(mongo.db).find({ ingestWorkflowId: first.workflowId });
    expect(letters).toHaveLength(first.rejected);
    const byReason = Object.fromEntries(letters.map((letter) => [letter.reason, letter]));
    expect(Object.keys(byReason).sort()).toEqual(Object.keys(snapshot.bad).sort());
    expect(byReason.malformed_json!.raw).toBe('{"id": "2501.99001", "title": "Cut off');
    expect(byReason.missing_abstract!.detail).toMatch(/2501\.99005 has no abstract/);
  });

  it('stores one feature document per accepted paper, traced to its raw batch', async () => {
    const features = new FeatureStore(mongo.db);
    expect(await features.count({ embedderVersion: first.embedderVersion })).toBe(first.accepted);
    const duplicates = await features.collection
      .aggregate([{ $group: { _id: '$arxivId', n: { $sum: 1 } } }, { $match: { n: { $gt: 1 } } }])
      .toArray();
    expect(duplicates).toEqual([]);
    const one = await features.collection.findOne({ embedderVersion: first.embedderVersion });
    expect((await readIngestManifest(store, first.rawManifest)).rawObjects).toContain(one!.lineage.rawKey);
    expect(one!.lineage.ingestWorkflowId).toBe(first.workflowId);
    expect(one!.dimensions).toBe(32);
  });

  it("lands the accepted records in raw batches whose record counts add up, listed in the run's manifest", async () => {
    const day = new Date().toISOString().slice(0, 10);
    const manifest = await readIngestManifest(store, first.rawManifest);
    expect(first.rawManifest).toBe(`manifests/ingest/${first.workflowId}.json`);
    expect(manifest).toMatchObject({ ingestWorkflowId: first.workflowId, source: `file:${snapshotPath}` });
    expect(manifest.rawObjects).toHaveLength(first.rawObjectCount);
    expect(first.rawObjectCount).toBe(Math.ceil(first.extracted / 120));
    let records = 0;
    for (const key of manifest.rawObjects) {
      expect(key).toMatch(new RegExp(`^raw/arxiv/dt=${day}/[0-9a-f]{24}\\.jsonl\\.gz$`));
      const head = await store.head(key);
      records += Number(head!.metadata.records);
    }
    expect(records).toBe(first.accepted);
  });

  it('leaves the buffer empty, with nothing pending', async () => {
    const stream = new PaperStream(redis, config.buffer);
    expect(await stream.depth()).toEqual({ length: 0, pending: 0 });
  });

  it('re-ingesting the same input writes the same raw objects and no new features', async () => {
    const second = await run(input(), 'second');
    expect(second).toMatchObject({ accepted: first.accepted, embedded: first.accepted, balanced: true });
    expect(second.embedderVersion).toBe(first.embedderVersion);
    expect((await readIngestManifest(store, second.rawManifest)).rawObjects).toEqual(
      (await readIngestManifest(store, first.rawManifest)).rawObjects,
    );
    expect(await new FeatureStore(mongo.db).count({ embedderVersion: first.embedderVersion })).toBe(first.accepted);
  });

  it('stops after --limit items', async () => {
    const limited = await run(input({ limit: 50 }), 'limited');
    expect(limited.extracted).toBe(50);
    expect(limited.extracted).toBe(limited.accepted + limited.rejected);
  });

  it('fails at once, without retrying, when the source file does not exist', async () => {
    const failure = await run(input({ source: { kind: 'file', path: join(dir, 'missing.jsonl') } }), 'missing').catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(rootCause(failure as Error).message).toMatch(/snapshot file not found/);
    const history = await client.workflow.getHandle(`${testId}-missing`).fetchHistory();
    const attempts = (history.events ?? [])
      .map((event) => event.activityTaskStartedEventAttributes?.attempt)
      .filter((attempt): attempt is number => attempt !== undefined && attempt !== null);
    expect(Math.max(...attempts)).toBe(1);
  });
  const attemptsOf = async (workflowId: string) => {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? [])
      .map((event) => event.activityTaskStartedEventAttributes?.attempt)
      .filter((attempt): attempt is number => attempt !== undefined && attempt !== null);
  };

  it.each([
    [
      'environ',
      '/proc/self/environ',
      /is outside the folders ingestion may read \(INGEST_FILE_ROOTS: .*\): add its folder to INGEST_FILE_ROOTS/,
    ],
    ['zero', '/dev/zero', /is outside the folders ingestion may read/],
    ['relative', 'data/sample/arxiv-sample.jsonl.gz', /relative path: the client that starts the run resolves it/],
  ])('refuses file:%s at once and reads nothing (%s)', async (suffix, path, message) => {
    const failure = await run(input({ source: { kind: 'file', path } }), `refused-${suffix}`).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(rootCause(failure as Error).message).toMatch(message);
    expect(Math.max(...(await attemptsOf(`${testId}-refused-${suffix}`)))).toBe(1);
    expect(await new DeadLetterStore(mongo.db).find({ ingestWorkflowId: `${testId}-refused-${suffix}` })).toEqual([]);
  });

  it('dead-letters a line over INGEST_MAX_LINE_BYTES as line_too_long, keeping an excerpt, and ingests the lines around it', async () => {
    const lines = sampleLines(30);
    const huge = `{"id": "2501.99999", "title": "Huge", "abstract": "${'z'.repeat(3 * 1024 * 1024)}"}`;
    const path = join(dir, 'with-a-huge-line.jsonl');
    writeFileSync(path, [...lines.slice(0, 10), huge, ...lines.slice(10)].join('\n'));
    const summary = await run(input({ source: { kind: 'file', path } }), 'huge-line');
    expect(summary).toMatchObject({
      accepted: lines.length,
      rejected: 1,
      rejectedByReason: { line_too_long: 1 },
      balanced: true,
    });
    const [letter] = await new DeadLetterStore(mongo.db).find({ ingestWorkflowId: summary.workflowId });
    expect(letter).toMatchObject({ reason: 'line_too_long', position: expect.stringContaining('item 11') });
    expect(letter!.detail).toMatch(/3145\d{3} bytes or more, over the limit of 1048576 \(INGEST_MAX_LINE_BYTES\)/);
    expect(letter!.raw.startsWith('{"id": "2501.99999", "title": "Huge"')).toBe(true);
    expect(letter!.raw.length).toBeLessThan(3_000);
  });
});
