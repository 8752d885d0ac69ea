import type { PaperRecord } from '../../lib/arxiv/record';
import { DeadLetterStore, type DeadLetter } from '../../lib/deadletters';
import { FeatureStore, connectMongo, decodeVector, featureId, type MongoConnection } from '../../lib/features';
import { isolatedSetup } from '../support/isolated-config';

function record(n: number, abstract = `Abstract number ${n} about parsing.`): PaperRecord {
  return {
    id: `2501.${String(n).padStart(5, '0')}`,
    title: `Paper ${n}`,
    abstract,
    categories: ['cs.CL', 'cs.LG'],
    primaryCategory: 'cs.CL',
    published: '2025-01-02T03:04:05Z',
    updated: null,
  };
}

const vector = (seed: number) => Float32Array.from({ length: 8 }, (_, i) => Math.sin(seed + i));
const lineage = { rawKey: 'raw/arxiv/dt=2026-11-26/abc.jsonl.gz', ingestWorkflowId: 'ingest-1' };

describe('feature store (real MongoDB-protocol server)', () => {
  const { config } = isolatedSetup('features');
  let mongo: MongoConnection;
  let features: FeatureStore;

  beforeAll(async () => {
    mongo = await connectMongo(config.mongo.endpoint.url, config.mongo.database);
    features = new FeatureStore(mongo.db);
    await features.ensureIndexes();
  });
  afterAll(async () => {
    await mongo.db.dropDatabase();
    await mongo.close();
  });

  it('stores one document per paper and embedder version, with vector, labels, dates and lineage', async () => {
    expect(await features.upsert('v1', [1, 2, 3].map((n) => ({ record: record(n), vector: vector(n), lineage })))).toEqual({
      inserted: 3,
      replaced: 0,
      unchanged: 0,
    });
    const stored = await features.collection.findOne({ _id: featureId('2501.00002', 'v1') });
    expect(stored).toMatchObject({
      arxivId: '2501.00002',
      embedderVersion: 'v1',
      dimensions: 8,
      primaryCategory: 'cs.CL',
      categories: ['cs.CL', 'cs.LG'],
      published: new Date('2025-01-02T03:04:05Z'),
      lineage,
      text: { titleChars: 7, abstractChars: 32, abstractWords: 5 },
    });
    expect(Array.from(decodeVector(stored!.vector))).toEqual(Array.from(vector(2)));
  });

  it('never duplicates when the same papers are processed again', async () => {
    const inputs = [1, 2, 3].map((n) => ({ record: record(n), vector: vector(n), lineage: { ...lineage, ingestWorkflowId: 'ingest-2' } }));
    expect(await features.upsert('v1', inputs)).toEqual({ inserted: 0, replaced: 0, unchanged: 3 });
    expect(await features.count({ embedderVersion: 'v1' })).toBe(3);
  });

  it('replaces a paper whose content changed, keeping its creation time', async () => {
    const before = await features.collection.findOne({ _id: featureId('2501.00001', 'v1') });
    const revised = { record: record(1, 'A revised abstract.'), vector: vector(42), lineage };
    expect(await features.upsert('v1', [revised, { record: record(4), vector: vector(4), lineage }])).toEqual({
      inserted: 1,
      replaced: 1,
      unchanged: 0,
    });
    const after = await features.collection.findOne({ _id: featureId('2501.00001', 'v1') });
    expect(Array.from(decodeVector(after!.vector))).toEqual(Array.from(vector(42)));
    expect(after!.createdAt).toEqual(before!.createdAt);
    expect(await features.count({ embedderVersion: 'v1' })).toBe(4);
  });

  it('keeps embeddings of different embedder versions apart', async () => {
    await features.upsert('v2', [{ record: record(1), vector: vector(1), lineage }]);
    expect(await features.count({ embedderVersion: 'v2' })).toBe(1);
    expect(await features.count({ embedderVersion: 'v1' })).toBe(4);
  });

  it('enforces one document per (paper, embedder version) with a unique index', async () => {
    const existing = await features.collection.findOne({ _id: featureId('2501.00003', 'v1') });
    await expect(features.collection.insertOne({ ...existing!, _id: 'another-id' })).rejects.toMatchObject({ code: 11000 });
  });
});

describe('dead-letter store (real MongoDB-protocol server)', () => {
  const { config } = isolatedSetup('deadletters');
  let mongo: MongoConnection;
  let store: DeadLetterStore;
  const letter = (position: string, reason: DeadLetter['reason'] = 'malformed_json'): DeadLetter => ({
    stage: 'extract',
    reason,
    detail: 'not valid JSON',
    raw: '{"id": ',
    position,
    source: 'file:bad.jsonl',
    ingestWorkflowId: 'ingest-1',
  });

  beforeAll(async () => {
    mongo = await connectMongo(config.mongo.endpoint.url, config.mongo.database);
    store = new DeadLetterStore(mongo.db);
    await store.ensureIndexes();
  });
  afterAll(async () => {
    await mongo.db.dropDatabase();
    await mongo.close();
  });

  it('keeps each rejected input once, with its reason, findable by run and reason', async () => {
    await store.record([letter('item 1'), letter('item 5', 'missing_abstract')]);
    await store.record([letter('item 1')]); // a retried page
    expect(await store.count({ ingestWorkflowId: 'ingest-1' })).toBe(2);
    const found = await store.find({ ingestWorkflowId: 'ingest-1', reason: 'missing_abstract' });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ position: 'item 5', raw: '{"id": ', source: 'file:bad.jsonl' });
    expect(await store.count({ ingestWorkflowId: 'other-run' })).toBe(0);
  });
});
