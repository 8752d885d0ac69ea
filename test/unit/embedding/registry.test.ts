import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paperText } from '../../../lib/arxiv/record';
import { fitLsaEmbedder, type LsaEmbedder } from '../../../lib/embedding/lsa-embedder';
import {
  currentEmbedder,
  embedderKey,
  loadEmbedder,
  saveEmbedder,
  setCurrentEmbedder,
} from '../../../lib/embedding/registry';
import { LocalFolderStore } from '../../../lib/storage/local-folder-store';
import { ObjectNotFoundError, type ObjectStore } from '../../../lib/storage/object-store';
import { samplePapers, SMALL_CONFIG } from './sample-corpus';

/** A LocalFolderStore that counts the puts and gets of each key. */
class CountingStore extends LocalFolderStore {
  readonly puts = new Map<string, number>();
  readonly gets = new Map<string, number>();

  override async put(...args: Parameters<ObjectStore['put']>): Promise<void> {
    this.puts.set(args[0], (this.puts.get(args[0]) ?? 0) + 1);
    return super.put(...args);
  }

  override async get(key: string): Promise<Buffer> {
    this.gets.set(key, (this.gets.get(key) ?? 0) + 1);
    return super.get(key);
  }
}

let texts: string[];
let embedder: LsaEmbedder;
let folder: string;
let store: CountingStore;

beforeAll(async () => {
  texts = (await samplePapers(60)).map(paperText);
  embedder = fitLsaEmbedder(texts, SMALL_CONFIG);
});

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'embedder-registry-'));
  store = new CountingStore(folder);
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('embedder registry', () => {
  it('stores the embedder under its version, with a manifest describing it', async () => {
    const manifest = await saveEmbedder(store, embedder, 'data/sample/arxiv-sample.jsonl.gz');
    expect(manifest).toEqual({
      version: embedder.version,
      key: `embedders/${embedder.version}/embedder.bin`,
      dimensions: SMALL_CONFIG.dimensions,
      vocabulary: embedder.state.tfidf.terms.length,
      documents: 60,
      explainedVariance: embedder.state.fit.explainedVariance,
      referenceCorpus: 'data/sample/arxiv-sample.jsonl.gz',
      fittedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    expect(await store.list('embedders/')).toEqual([
      embedderKey(embedder.version),
      `embedders/${embedder.version}/manifest.json`,
    ]);
    expect((await store.head(embedderKey(embedder.version)))?.metadata).toEqual({ version: embedder.version });
  });

  it('does not rewrite an embedder file that is already stored', async () => {
    await saveEmbedder(store, embedder, 'first');
    await saveEmbedder(store, embedder, 'second');
    expect(store.puts.get(embedderKey(embedder.version))).toBe(1);
  });

  it('loads a saved embedder that embeds exactly as the one saved', async () => {
    await saveEmbedder(store, embedder, 'sample');
    const loaded = await loadEmbedder(store, embedder.version);
    expect(loaded.version).toBe(embedder.version);
    for (const text of texts.slice(0, 10)) expect(loaded.embed(text)).toEqual(embedder.embed(text));
  });

  it('reads each version from the store once per process', async () => {
    const other = fitLsaEmbedder(texts, { ...SMALL_CONFIG, seed: 3 });
    await saveEmbedder(store, other, 'sample');
    const [first, second] = await Promise.all([loadEmbedder(store, other.version), loadEmbedder(store, other.version)]);
    const third = await loadEmbedder(store, other.version);
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(store.gets.get(embedderKey(other.version))).toBe(1);
  });

  it('forgets a failed load, so the version can be loaded once it exists', async () => {
    const later = fitLsaEmbedder(texts, { ...SMALL_CONFIG, seed: 4 });
    await expect(loadEmbedder(store, later.version)).rejects.toBeInstanceOf(ObjectNotFoundError);
    await saveEmbedder(store, later, 'sample');
    expect((await loadEmbedder(store, later.version)).version).toBe(later.version);
  });

  it('has no current embedder until one is set, then returns its manifest', async () => {
    expect(await currentEmbedder(store)).toBeUndefined();
    const manifest = await saveEmbedder(store, embedder, 'sample');
    await setCurrentEmbedder(store, manifest);
    expect(await currentEmbedder(store)).toEqual(manifest);
  });

  it('moves the current pointer when another embedder is set', async () => {
    const first = await saveEmbedder(store, embedder, 'sample');
    const second = await saveEmbedder(store, fitLsaEmbedder(texts, { ...SMALL_CONFIG, dimensions: 8 }), 'sample');
    await setCurrentEmbedder(store, first);
    await setCurrentEmbedder(store, second);
    expect((await currentEmbedder(store))?.version).toBe(second.version);
    expect(await store.list('embedders/')).toContain(first.key);
  });
});
