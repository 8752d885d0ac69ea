import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { PaperRecord } from '../../lib/arxiv/record';
import { loadConfig } from '../../lib/config/config';
import {
  LocalFolderStore,
  ObjectNotFoundError,
  S3Store,
  landRawBatch,
  readRawBatch,
  type ObjectStore,
} from '../../lib/storage';

const papers: PaperRecord[] = [
  {
    id: '2501.00001',
    title: 'A first paper',
    abstract: 'We study things.',
    categories: ['cs.CL', 'cs.LG'],
    primaryCategory: 'cs.CL',
    published: '2025-01-01T10:00:00Z',
    updated: null,
  },
  {
    id: 'hep-th/9901001',
    title: 'An old paper',
    abstract: 'Strings, again.',
    categories: ['hep-th'],
    primaryCategory: 'hep-th',
    published: '1999-01-01T00:00:00Z',
    updated: null,
  },
];

const tempDir = mkdtempSync(join(tmpdir(), 'object-store-'));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

const stores: Array<[string, () => ObjectStore]> = [
  ['local folder', () => new LocalFolderStore(join(tempDir, 'objects'))],
  [
    'S3 (local SeaweedFS started by the test harness)',
    () => {
      const config = loadConfig({
        ...process.env,
        OBJECT_STORE_URL: `s3://arxiv-mlops-test/run-${randomBytes(4).toString('hex')}`,
      });
      return new S3Store(config.objectStore.url, config.objectStore.s3);
    },
  ],
];

describe.each(stores)('object store: %s', (_name, open) => {
  let store: ObjectStore;
  beforeAll(() => {
    store = open();
  });
  afterAll(() => store.close());

  it('stores bytes with metadata and lists them by prefix', async () => {
    await store.put('a/b/one.txt', Buffer.from('one'), { metadata: { records: '1' } });
    await store.put('a/two.txt', Buffer.from('two'));
    await store.put('c/three.txt', Buffer.from('three'));
    expect((await store.get('a/b/one.txt')).toString()).toBe('one');
    expect(await store.head('a/b/one.txt')).toEqual({ key: 'a/b/one.txt', size: 3, metadata: { records: '1' } });
    expect(await store.list('a/')).toEqual(['a/b/one.txt', 'a/two.txt']);
  });

  it('reports a missing object as absent or not found', async () => {
    expect(await store.head('missing/key')).toBeUndefined();
    await expect(store.get('missing/key')).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('deletes objects', async () => {
    await store.put('gone/soon.txt', Buffer.from('x'));
    await store.delete('gone/soon.txt');
    expect(await store.head('gone/soon.txt')).toBeUndefined();
    expect(await store.list('gone/')).toEqual([]);
  });

  it('uploads a large object in parts and reads it back byte for byte', async () => {
    const body = randomBytes(21 * 1024 * 1024);
    const sha256 = createHash('sha256').update(body).digest('hex');
    await store.put('large/blob.bin', body, { metadata: { sha256 } });
    const head = await store.head('large/blob.bin');
    expect(head?.size).toBe(body.length);
    expect(head?.metadata.sha256).toBe(sha256);
    const back = await store.get('large/blob.bin');
    expect(createHash('sha256').update(back).digest('hex')).toBe(sha256);
  });

  it('lands a raw batch under a dated, content-derived key, once', async () => {
    const first = await landRawBatch(store, papers, '2026-11-26');
    expect(first.key).toMatch(/^raw\/arxiv\/dt=2026-11-26\/[0-9a-f]{24}\.jsonl\.gz$/);
    expect(first.written).toBe(true);
    expect(first.records).toBe(2);
    const head = await store.head(first.key);
    expect(head?.metadata).toMatchObject({ records: '2', sha256: first.sha256 });
    const jsonl = gunzipSync(await store.get(first.key));
    expect(createHash('sha256').update(jsonl).digest('hex')).toBe(first.sha256);
    expect(await readRawBatch(store, first.key)).toEqual(papers);

    const retried = await landRawBatch(store, papers, '2026-11-26');
    expect(retried).toMatchObject({ key: first.key, written: false });
    expect(await store.list('raw/arxiv/dt=2026-11-26/')).toEqual([first.key]);

    const other = await landRawBatch(store, papers.slice(0, 1), '2026-11-26');
    expect(other.key).not.toBe(first.key);
  });
});
