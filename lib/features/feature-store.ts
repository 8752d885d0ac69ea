import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { Binary, type Collection, type Db } from 'mongodb';
import { duplicatesOfStoredBatch } from './bulk-insert';
import { BottomSample } from './bottom-sample';
import type { PaperRecord } from '../arxiv/record';

/** Where a feature vector came from. */
export interface FeatureLineage {
  rawKey: string;
  ingestWorkflowId: string;
}

/** Simple text descriptors, kept so monitoring can watch the input text as well as the vectors. */
export interface TextDescriptors {
  titleChars: number;
  abstractChars: number;
  abstractWords: number;
  /** Share of the text's tokens outside the embedder's vocabulary (stored since monitoring; absent before). */
  oovShare?: number;
}

/**
 * One version of one paper embedded by one embedder version. Documents are never rewritten: a
 * revised paper gets a document of its own, and readers take the newest version of each paper.
 */
export interface FeatureDocument {
  /** `<arxiv id>@<embedder version>#<content hash>`: re-processing the same content inserts nothing. */
  _id: string;
  arxivId: string;
  embedderVersion: string;
  /** float32 little-endian, `dimensions` values: compact, exact, and cheap for every MongoDB-protocol server. */
  vector: Binary;
  dimensions: number;
  /** Hash of everything the document is derived from; equal hash means re-processing changes nothing. */
  contentHash: string;
  title: string;
  primaryCategory: string;
  categories: string[];
  published: Date | null;
  updated: Date | null;
  text: TextDescriptors;
  lineage: FeatureLineage;
  /** The paper was already stored (with other content) when this version was written. */
  revision: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** One stored paper per embedder version, whatever its versions: the write path's insert-only registry. */
export interface StoredPaperDocument {
  /** `<arxiv id>@<embedder version>` */
  _id: string;
  arxivId: string;
  embedderVersion: string;
  createdAt: Date;
}

export const FEATURES_COLLECTION = 'features';
export const STORED_PAPERS_COLLECTION = 'feature_papers';

/** A stored feature document as training and monitoring read it. */
export interface FeatureRow {
  arxivId: string;
  vector: Float32Array;
  primaryCategory: string;
  published: Date | null;
  text: TextDescriptors;
  lineage: FeatureLineage;
}

/** Papers of a time window, whichever embedder stored them: by publication or by first storage time. */
export interface FeatureWindow {
  by: 'published' | 'ingested';
  from?: Date;
  until?: Date;
}

export interface WindowRow extends FeatureRow {
  embedderVersion: string;
}

export interface SampledWindow {
  /** Ordered by paper id, then embedder version. */
  rows: WindowRow[];
  /** Papers in the window, before sampling. */
  found: number;
}

export interface FeatureSelection {
  embedderVersion: string;
  /** Inclusive bounds on the paper's publication time. */
  from?: Date;
  until?: Date;
}

/** Documents per reply when `select` reads a training's features. */
const SELECT_BATCH_SIZE = 1_000;

const ROW_PROJECTION = {
  arxivId: 1,
  embedderVersion: 1,
  vector: 1,
  primaryCategory: 1,
  published: 1,
  updated: 1,
  text: 1,
  lineage: 1,
  createdAt: 1,
  revision: 1,
} as const;

type StoredVersion = Pick<FeatureDocument, '_id' | keyof typeof ROW_PROJECTION>;

/** The key of one paper embedded by one embedder version. */
export function featureId(arxivId: string, embedderVersion: string): string {
  return `${arxivId}@${embedderVersion}`;
}

/** The key of one version (one content) of one paper embedded by one embedder version. */
export function featureVersionId(arxivId: string, embedderVersion: string, contentHash: string): string {
  return `${featureId(arxivId, embedderVersion)}#${contentHash.slice(0, 16)}`;
}

export function describeText(record: Pick<PaperRecord, 'title' | 'abstract'>): TextDescriptors {
  const words = record.abstract.trim() === '' ? 0 : record.abstract.trim().split(/\s+/).length;
  return { titleChars: record.title.length, abstractChars: record.abstract.length, abstractWords: words };
}

export interface FeatureInput {
  record: PaperRecord;
  vector: Float32Array;
  lineage: FeatureLineage;
  oovShare?: number;
}

/** What one write did to one paper. */
export type WriteOutcome = 'inserted' | 'replaced' | 'unchanged';

export interface UpsertResult {
  inserted: number;
  /** Already stored with different content (the paper was revised): stored as its new version. */
  replaced: number;
  /** Already stored with the same content: left as they were. */
  unchanged: number;
  /** Each input's outcome, in the order of the inputs. */
  outcomes: WriteOutcome[];
}

const LITTLE_ENDIAN = endianness() === 'LE';

export function encodeVector(vector: Float32Array): Binary {
  // Stored little-endian: on such a machine (nearly all) the floats' own bytes are the encoding.
  if (LITTLE_ENDIAN)
    return new Binary(Buffer.from(vector.buffer.slice(vector.byteOffset, vector.byteOffset + vector.byteLength)));
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return new Binary(bytes);
}

export function decodeVector(binary: Binary): Float32Array {
  const bytes = Buffer.from(binary.buffer);
  const out = new Float32Array(bytes.length / 4);
  // A copy, not a view: a view would keep the driver's whole reply buffer alive.
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes);
  else for (let i = 0; i < out.length; i += 1) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

function contentHashOf(embedderVersion: string, record: PaperRecord): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        embedderVersion,
        record.id,
        record.title,
        record.abstract,
        record.categories,
        record.published,
        record.updated,
      ]),
    )
    .digest('hex')
    .slice(0, 32);
}

/** Newest first: by the paper's own dates (`updated`, else `published`), then by when it was stored. */
/** What orders two versions of one paper (see isNewer). */
type VersionOrder = Pick<StoredVersion, '_id' | 'updated' | 'published' | 'createdAt'>;

function versionOrder({ _id, updated, published, createdAt }: StoredVersion): VersionOrder {
  return { _id, updated, published, createdAt };
}

function isNewer(a: VersionOrder, b: VersionOrder): boolean {
  const dateOf = (version: VersionOrder) =>
    (version.updated ?? version.published)?.getTime() ?? Number.NEGATIVE_INFINITY;
  if (dateOf(a) !== dateOf(b)) return dateOf(a) > dateOf(b);
  if (a.createdAt.getTime() !== b.createdAt.getTime()) return a.createdAt > b.createdAt;
  return a._id > b._id;
}

/** The newest version of each (paper, embedder version), ordered by paper id then embedder version. */
function newestVersions(versions: Iterable<StoredVersion>): StoredVersion[] {
  const newest = new Map<string, StoredVersion>();
  for (const version of versions) {
    const key = featureId(version.arxivId, version.embedderVersion);
    const kept = newest.get(key);
    if (!kept || isNewer(version, kept)) newest.set(key, version);
  }
  return [...newest.values()].sort((a, b) =>
    a.arxivId < b.arxivId
      ? -1
      : a.arxivId > b.arxivId
        ? 1
        : a.embedderVersion < b.embedderVersion
          ? -1
          : a.embedderVersion > b.embedderVersion
            ? 1
            : 0,
  );
}

/** Inserts what is not stored yet; returns the positions of the documents that already were. */
async function insertNew<T extends { _id: string }>(collection: Collection<T>, documents: T[]): Promise<Set<number>> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the driver's OptionalUnlessRequiredId does not see `_id: string`
    await collection.insertMany(documents as any[], { ordered: false });
    return new Set();
  } catch (error) {
    const duplicates = duplicatesOfStoredBatch(error, documents.length);
    if (!duplicates) throw error;
    return new Set(duplicates);
  }
}

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

function timeBounds(from?: Date, until?: Date): Record<string, Date> | undefined {
  if (!from && !until) return undefined;
  return { ...(from ? { $gte: from } : {}), ...(until ? { $lte: until } : {}) };
}

function within(time: Date | null, from?: Date, until?: Date): boolean {
  if (!from && !until) return true;
  if (!time) return false;
  return (!from || time >= from) && (!until || time <= until);
}

function toRow(document: StoredVersion): FeatureRow {
  return {
    arxivId: document.arxivId,
    vector: decodeVector(document.vector),
    primaryCategory: document.primaryCategory,
    published: document.published,
    text: document.text,
    lineage: document.lineage,
  };
}
