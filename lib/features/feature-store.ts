import type { Collection, Db } from 'mongodb';
import { BottomSample } from './bottom-sample';
import { insertNew } from './bulk-insert';
import {
  FEATURES_COLLECTION,
  STORED_PAPERS_COLLECTION,
  type FeatureDocument,
  type FeatureInput,
  type FeatureRow,
  type FeatureSelection,
  type FeatureWindow,
  type SampledWindow,
  type StoredPaperDocument,
  type UpsertResult,
  type WriteOutcome,
} from './feature-documents';
import {
  contentHashOf,
  featureId,
  featureVersionId,
  isNewer,
  newestVersions,
  ROW_PROJECTION,
  toRow,
  versionOrder,
  type StoredVersion,
  type VersionOrder,
} from './feature-versions';
import { describeText } from './text-descriptors';
import { timeBounds, within } from './time-bounds';
import { encodeVector } from './vector-codec';

// The store's inputs and outputs, and the helpers callers use with it, as they have always been imported from here.
export type {
  FeatureDocument,
  FeatureInput,
  FeatureLineage,
  FeatureRow,
  FeatureSelection,
  FeatureWindow,
  SampledWindow,
  StoredPaperDocument,
  UpsertResult,
  WindowRow,
  WriteOutcome,
} from './feature-documents';
export type { TextDescriptors } from './text-descriptors';
export { describeText } from './text-descriptors';
export { decodeVector, encodeVector } from './vector-codec';

/** Documents per reply when `select` reads a training's features. */
const SELECT_BATCH_SIZE = 1_000;

/**
 * The feature store. Every write is an insert: a MongoDB-protocol server answers a duplicate key
 * from its unique index whatever the collection's size, while a read or an update by key is a
 * full scan on some of them (FerretDB 1.x on SQLite never uses an index to find a document). So a
 * batch of stored papers costs what a batch of new ones costs, and readers pick each paper's
 * newest version.
 */
export class FeatureStore {
  readonly collection: Collection<FeatureDocument>;
  readonly papers: Collection<StoredPaperDocument>;

  /**
   * Above this many revised papers, `select` finds their first versions by reading the first
   * versions outside the window and keeping the revised papers' in memory, instead of one `$in`
   * query: FerretDB evaluates `$in` against every stored document by walking the list (≈ 20 ns per
   * document and listed id here), so 107,000 revised papers in a store of 1.16 M versions kept that
   * one query running for over 20 minutes, where a scan takes about 5.
   */
  private readonly inListLimit: number;

  constructor(db: Db, options: { inListLimit?: number } = {}) {
    this.inListLimit = options.inListLimit ?? 1_000;
    this.collection = db.collection<FeatureDocument>(FEATURES_COLLECTION);
    this.papers = db.collection<StoredPaperDocument>(STORED_PAPERS_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    // Stores written before versions held one document per paper, enforced by this unique index.
    const legacy = (
      await this.collection
        .listIndexes()
        .toArray()
        .catch(() => [])
    ).find((index) => index.name === 'paper_per_embedder' && index.unique);
    if (legacy) await this.collection.dropIndex('paper_per_embedder');
    await this.collection.createIndex({ arxivId: 1, embedderVersion: 1 }, { name: 'paper_versions' });
    await this.collection.createIndex({ embedderVersion: 1, published: 1 }, { name: 'embedder_time_window' });
    await this.collection.createIndex({ published: 1 }, { name: 'published_window' });
    await this.collection.createIndex({ createdAt: 1 }, { name: 'ingested_window' });
    await this.collection.createIndex({ revision: 1 }, { name: 'revisions' });
    await this.papers.createIndex({ embedderVersion: 1 }, { name: 'papers_per_embedder' });
  }

  private toDocument(
    embedderVersion: string,
    { record, vector, lineage, oovShare }: FeatureInput,
    now: Date,
    revision: boolean,
  ): FeatureDocument {
    const contentHash = contentHashOf(embedderVersion, record);
    return {
      _id: featureVersionId(record.id, embedderVersion, contentHash),
      arxivId: record.id,
      embedderVersion,
      vector: encodeVector(vector),
      dimensions: vector.length,
      contentHash,
      title: record.title,
      primaryCategory: record.primaryCategory,
      categories: record.categories,
      published: record.published ? new Date(record.published) : null,
      updated: record.updated ? new Date(record.updated) : null,
      text: oovShare === undefined ? describeText(record) : { ...describeText(record), oovShare },
      lineage,
      revision,
      createdAt: now,
      updatedAt: now,
    };
  }

  /**
   * Idempotent write, in two inserts: the papers' registry entries first (a duplicate says the
   * paper is stored), then the versions (a duplicate says this very content is stored). Registering
   * first errs on the safe side after a crash between the two: the version is then flagged as a
   * revision, which only makes readers look for other versions that do not exist.
   */
  async upsert(embedderVersion: string, inputs: FeatureInput[]): Promise<UpsertResult> {
    if (inputs.length === 0) return { inserted: 0, replaced: 0, unchanged: 0, outcomes: [] };
    const now = new Date();
    const byPaper = new Map<string, FeatureInput>();
    for (const input of inputs) byPaper.set(input.record.id, input); // a batch holding one paper twice keeps the last
    const batch = [...byPaper.values()];
    const known = await insertNew(
      this.papers,
      batch.map(({ record }) => ({
        _id: featureId(record.id, embedderVersion),
        arxivId: record.id,
        embedderVersion,
        createdAt: now,
      })),
    );
    const stored = await insertNew(
      this.collection,
      batch.map((input, index) => this.toDocument(embedderVersion, input, now, known.has(index))),
    );
    const byId = new Map<string, WriteOutcome>();
    batch.forEach((input, index) =>
      byId.set(input.record.id, stored.has(index) ? 'unchanged' : known.has(index) ? 'replaced' : 'inserted'),
    );
    const counts = { inserted: 0, replaced: 0, unchanged: 0 };
    for (const outcome of byId.values()) counts[outcome] += 1;
    return { ...counts, outcomes: inputs.map((input) => byId.get(input.record.id)!) };
  }

  /**
   * Every stored paper of one embedder version (and publication window), newest version, ordered
   * by id. One query reads the window's versions and every revision; a second one, when there are
   * revisions, the first versions of revised papers, which the window may miss. The window applies
   * to each paper's newest version. Both are read from a cursor, `batchSize` documents at a time,
   * and only each paper's newest version so far is kept, as a row: memory holds one row a paper,
   * never the server's answer whole nor a paper's older versions.
   */
  async select(selection: FeatureSelection, options: { batchSize?: number } = {}): Promise<FeatureRow[]> {
    const batchSize = options.batchSize ?? SELECT_BATCH_SIZE;
    const scope = { embedderVersion: selection.embedderVersion };
    const bounds = timeBounds(selection.from, selection.until);
    const newest = new Map<string, { version: VersionOrder; row: FeatureRow }>();
    const revised = new Set<string>();
    const keep = (document: StoredVersion) => {
      const kept = newest.get(document.arxivId);
      if (!kept || isNewer(document, kept.version))
        newest.set(document.arxivId, { version: versionOrder(document), row: toRow(document) });
    };
    const query = {
      $or: [
        { ...scope, ...(bounds ? { published: bounds } : {}) },
        { ...scope, revision: true },
      ],
    };
    for await (const document of this.collection.find(query, { projection: ROW_PROJECTION, batchSize })) {
      const version = document as StoredVersion;
      if (version.revision) revised.add(version.arxivId);
      keep(version);
    }
    if (revised.size > 0) {
      const firsts =
        revised.size <= this.inListLimit
          ? { ...scope, arxivId: { $in: [...revised] }, revision: { $ne: true } }
          : { ...scope, revision: { $ne: true }, ...(bounds ? { published: { $not: bounds } } : {}) };
      for await (const document of this.collection.find(firsts, { projection: ROW_PROJECTION, batchSize })) {
        const version = document as StoredVersion;
        if (revised.has(version.arxivId)) keep(version);
      }
    }
    return [...newest.values()]
      .filter(({ row }) => within(row.published, selection.from, selection.until))
      .map(({ row }) => row)
      .sort((a, b) => (a.arxivId < b.arxivId ? -1 : a.arxivId > b.arxivId ? 1 : 0));
  }

  /**
   * The papers stored (or published) in a window, read as a stream in bounded memory: of each paper
   * and embedder version, the newest version stored in the window; above `limit` papers, the
   * `limit` whose ids hash lowest (the same sample whatever order the server returns them in, and
   * the same as sampling the whole window). `found` counts the window's papers.
   */
  async window(window: FeatureWindow, limit = Number.POSITIVE_INFINITY): Promise<SampledWindow> {
    const field = window.by === 'published' ? 'published' : 'createdAt';
    const bounds = timeBounds(window.from, window.until);
    const sample = new BottomSample<Map<string, StoredVersion>>(limit);
    const seen = new Set<string>();
    const cursor = this.collection.find(bounds ? { [field]: bounds } : {}, {
      projection: ROW_PROJECTION,
      batchSize: 1_000,
    });
    for await (const document of cursor) {
      const version = document as StoredVersion;
      seen.add(version.arxivId);
      const versions = sample.slot(version.arxivId, () => new Map());
      if (!versions) continue;
      const kept = versions.get(version.embedderVersion);
      if (!kept || isNewer(version, kept)) versions.set(version.embedderVersion, version);
    }
    const rows = sample.entries().flatMap(([, versions]) => newestVersions(versions.values()));
    return {
      rows: rows.map((version) => ({ ...toRow(version), embedderVersion: version.embedderVersion })),
      found: seen.size,
    };
  }

  /** The given papers' features (newest version) for one embedder version (those that exist). */
  async byIds(embedderVersion: string, arxivIds: readonly string[]): Promise<FeatureRow[]> {
    if (arxivIds.length === 0) return [];
    const versions = await this.collection
      .find({ embedderVersion, arxivId: { $in: [...arxivIds] } }, { projection: ROW_PROJECTION })
      .toArray();
    return newestVersions(versions as StoredVersion[]).map(toRow);
  }

  /** Stored papers (not versions). */
  count(filter: { embedderVersion?: string } = {}): Promise<number> {
    return this.papers.countDocuments(filter.embedderVersion ? { embedderVersion: filter.embedderVersion } : {});
  }
}
