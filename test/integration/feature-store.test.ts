import { MongoClient } from 'mongodb';
import type { PaperRecord } from '../../lib/arxiv/record';
import { DeadLetterStore, type DeadLetter } from '../../lib/deadletters';
import { FeatureStore, connectMongo, decodeVector, featureId, type MongoConnection } from '../../lib/features';
import { sampleRank } from '../../lib/features/bottom-sample';
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
  const commands: string[] = [];

  beforeAll(async () => {
    // Monitored, to see which commands the write path sends.
    const client = await new MongoClient(config.mongo.endpoint.url, { monitorCommands: true }).connect();
    mongo = { client, db: client.db(config.mongo.database), close: () => client.close() };
    features = new FeatureStore(mongo.db);
    await features.ensureIndexes();
    client.on('commandStarted', (event) => commands.push(event.commandName));
  });
  afterAll(async () => {
    await mongo.db.dropDatabase();
    await mongo.close();
  });

  const stored = async (n: number, embedderVersion = 'v1') =>
    (await features.byIds(embedderVersion, [record(n).id]))[0];

  it('stores one version per paper and embedder version, with vector, labels, dates and lineage', async () => {
    expect(
      await features.upsert(
        'v1',
        [1, 2, 3].map((n) => ({ record: record(n), vector: vector(n), lineage })),
      ),
    ).toMatchObject({
      inserted: 3,
      replaced: 0,
      unchanged: 0,
    });
    const document = await features.collection.findOne({ arxivId: '2501.00002', embedderVersion: 'v1' });
    expect(document).toMatchObject({
      arxivId: '2501.00002',
      embedderVersion: 'v1',
      dimensions: 8,
      primaryCategory: 'cs.CL',
      categories: ['cs.CL', 'cs.LG'],
      published: new Date('2025-01-02T03:04:05Z'),
      lineage,
      revision: false,
      text: { titleChars: 7, abstractChars: 32, abstractWords: 5 },
    });
    expect(document!._id.startsWith(`${featureId('2501.00002', 'v1')}#`)).toBe(true);
    expect(Array.from(decodeVector(document!.vector))).toEqual(Array.from(vector(2)));
  });

  it('never duplicates when the same papers are processed again', async () => {
    const inputs = [1, 2, 3].map((n) => ({
      record: record(n),
      vector: vector(n),
      lineage: { ...lineage, ingestWorkflowId: 'ingest-2' },
    }));
    expect(await features.upsert('v1', inputs)).toMatchObject({ inserted: 0, replaced: 0, unchanged: 3 });
    expect(await features.count({ embedderVersion: 'v1' })).toBe(3);
    expect(await features.collection.countDocuments({ embedderVersion: 'v1' })).toBe(3);
  });

  it('writes a batch of stored papers with inserts only, as a batch of new ones (no read or update by key)', async () => {
    commands.length = 0;
    const revised = { record: record(2, 'A second abstract.'), vector: vector(22), lineage };
    await features.upsert('v1', [
      revised,
      { record: record(3), vector: vector(3), lineage },
      { record: record(9), vector: vector(9), lineage },
    ]);
    expect(commands).toEqual(['insert', 'insert']);
  });

  it('serves the revised version of a paper whose content changed, and counts it as replaced', async () => {
    const revised = { record: record(1, 'A revised abstract.'), vector: vector(42), lineage };
    expect(await features.upsert('v1', [revised, { record: record(4), vector: vector(4), lineage }])).toMatchObject({
      inserted: 1,
      replaced: 1,
      unchanged: 0,
    });
    expect(Array.from((await stored(1))!.vector)).toEqual(Array.from(vector(42)));
    const selected = await features.select({ embedderVersion: 'v1' });
    expect(selected.map((row) => row.arxivId)).toEqual([
      '2501.00001',
      '2501.00002',
      '2501.00003',
      '2501.00004',
      '2501.00009',
    ]);
    expect(Array.from(selected[0]!.vector)).toEqual(Array.from(vector(42)));
    expect(await features.count({ embedderVersion: 'v1' })).toBe(5);
    // The same revision again changes nothing.
    expect(await features.upsert('v1', [revised])).toMatchObject({ inserted: 0, replaced: 0, unchanged: 1 });
  });

  it("keeps the newest version by the paper's own dates, whatever order the versions arrive in", async () => {
    const newer = { ...record(5, 'Version two.'), updated: '2025-03-01T00:00:00Z' };
    const older = { ...record(5, 'Version one.'), updated: '2025-02-01T00:00:00Z' };
    await features.upsert('v1', [{ record: newer, vector: vector(52), lineage }]);
    expect(await features.upsert('v1', [{ record: older, vector: vector(51), lineage }])).toMatchObject({
      inserted: 0,
      replaced: 1,
      unchanged: 0,
    });
    expect(Array.from((await stored(5))!.vector)).toEqual(Array.from(vector(52)));
  });

  it("applies a time window to each paper's newest version only", async () => {
    const moved = { ...record(6, 'Listed later.'), published: '2025-06-01T00:00:00Z' };
    await features.upsert('v1', [{ record: record(6), vector: vector(6), lineage }]);
    await features.upsert('v1', [{ record: moved, vector: vector(66), lineage }]);
    const january = { from: new Date('2025-01-01T00:00:00Z'), until: new Date('2025-01-31T00:00:00Z') };
    const inJanuary = await features.select({ embedderVersion: 'v1', ...january });
    expect(inJanuary.map((row) => row.arxivId)).not.toContain('2501.00006');
    const window = await features.window({ by: 'published', from: new Date('2025-05-01T00:00:00Z') });
    expect(window.rows.map((row) => [row.arxivId, Array.from(row.vector)])).toEqual([
      ['2501.00006', Array.from(vector(66))],
    ]);
  });

  it('finds the first versions of revised papers outside the window, through $in or through a cursor when many are revised', async () => {
    // The first delivery is the newest by the paper's own dates; a stale copy dated earlier lists it in June.
    const first = {
      ...record(17, 'The newest text.'),
      published: '2025-03-01T00:00:00Z',
      updated: '2025-04-01T00:00:00Z',
    };
    const stale = {
      ...record(17, 'An older copy.'),
      published: '2025-06-01T00:00:00Z',
      updated: '2025-02-01T00:00:00Z',
    };
    await features.upsert('v1', [{ record: first, vector: vector(17), lineage }]);
    expect(await features.upsert('v1', [{ record: stale, vector: vector(71), lineage }])).toMatchObject({
      replaced: 1,
    });
    const june = {
      embedderVersion: 'v1',
      from: new Date('2025-06-01T00:00:00Z'),
      until: new Date('2025-06-30T00:00:00Z'),
    };
    const march = {
      embedderVersion: 'v1',
      from: new Date('2025-03-01T00:00:00Z'),
      until: new Date('2025-03-31T00:00:00Z'),
    };
    for (const store of [features, new FeatureStore(mongo.db, { inListLimit: 0 })]) {
      expect((await store.select(june)).map((row) => row.arxivId)).not.toContain(first.id);
      const inMarch = (await store.select(march)).find((row) => row.arxivId === first.id);
      expect(inMarch && Array.from(inMarch.vector)).toEqual(Array.from(vector(17)));
    }
  });

  it('reads a large window as a stream into a fixed sample: the papers whose ids hash lowest, and counts them all', async () => {
    const march = Array.from({ length: 300 }, (_, i) => ({ ...record(1_000 + i), published: '2024-03-10T00:00:00Z' }));
    for (let start = 0; start < march.length; start += 100) {
      await features.upsert(
        'v1',
        march.slice(start, start + 100).map((paper, i) => ({ record: paper, vector: vector(start + i), lineage })),
      );
    }
    const window = await features.window(
      { by: 'published', from: new Date('2024-03-01T00:00:00Z'), until: new Date('2024-03-31T00:00:00Z') },
      40,
    );
    expect(window.found).toBe(300);
    const lowest = march
      .map((paper) => paper.id)
      .sort((a, b) => (sampleRank(a) < sampleRank(b) ? -1 : 1))
      .slice(0, 40)
      .sort();
    expect(window.rows.map((row) => row.arxivId)).toEqual(lowest);
  });

  it('stores a paper registered by a write that stopped before its version was stored', async () => {
    await features.papers.insertOne({
      _id: featureId(record(7).id, 'v1'),
      arxivId: record(7).id,
      embedderVersion: 'v1',
      createdAt: new Date(),
    });
    expect(await features.upsert('v1', [{ record: record(7), vector: vector(7), lineage }])).toMatchObject({
      inserted: 0,
      replaced: 1,
      unchanged: 0,
    });
    expect(Array.from((await stored(7))!.vector)).toEqual(Array.from(vector(7)));
  });

  it('keeps embeddings of different embedder versions apart', async () => {
    await features.upsert('v2', [{ record: record(1), vector: vector(1), lineage }]);
    expect(await features.count({ embedderVersion: 'v2' })).toBe(1);
    expect(await features.count({ embedderVersion: 'v1' })).toBe(309);
    expect(Array.from((await stored(1, 'v2'))!.vector)).toEqual(Array.from(vector(1)));
  });

  it('enforces one document per version with its key', async () => {
    const existing = await features.collection.findOne({ arxivId: '2501.00003', embedderVersion: 'v1' });
    await expect(features.collection.insertOne({ ...existing! })).rejects.toMatchObject({ code: 11000 });
  });

  it('drops the one-document-per-paper index of a store written before versions', async () => {
    const legacy = new FeatureStore(mongo.client.db(`${config.mongo.database}_legacy`));
    try {
      await legacy.collection.createIndex(
        { arxivId: 1, embedderVersion: 1 },
        { unique: true, name: 'paper_per_embedder' },
      );
      await legacy.ensureIndexes();
      await legacy.upsert('v1', [{ record: record(1), vector: vector(1), lineage }]);
      expect(await legacy.upsert('v1', [{ record: record(1, 'Revised.'), vector: vector(2), lineage }])).toMatchObject({
        inserted: 0,
        replaced: 1,
        unchanged: 0,
      });
    } finally {
      await legacy.collection.db.dropDatabase();
    }
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
