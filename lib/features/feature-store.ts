import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { Binary, type Collection, type Db } from 'mongodb';
import { duplicatesOfStoredBatch } from './bulk-insert';
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

/** One paper embedded by one embedder version. */
export interface FeatureDocument {
  /** `<arxiv id>@<embedder version>`: re-processing the same paper with the same embedder overwrites. */
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
  createdAt: Date;
  updatedAt: Date;
}

export const FEATURES_COLLECTION = 'features';

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

export interface FeatureSelection {
  embedderVersion: string;
  /** Inclusive bounds on the paper's publication time. */
  from?: Date;
  until?: Date;
}

const ROW_PROJECTION = { arxivId: 1, vector: 1, primaryCategory: 1, published: 1, text: 1, lineage: 1 } as const;

export function featureId(arxivId: string, embedderVersion: string): string {
  return `${arxivId}@${embedderVersion}`;
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

export interface UpsertResult {
  inserted: number;
  /** Already stored with different content (the paper was revised): replaced. */
  replaced: number;
  /** Already stored with the same content: left as they were. */
  unchanged: number;
}

const LITTLE_ENDIAN = endianness() === 'LE';

export function encodeVector(vector: Float32Array): Binary {
  // Stored little-endian: on such a machine (nearly all) the floats' own bytes are the encoding.
  if (LITTLE_ENDIAN) return new Binary(Buffer.from(vector.buffer.slice(vector.byteOffset, vector.byteOffset + vector.byteLength)));
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return new Binary(bytes);
}

export function decodeVector(binary: Binary): Float32Array {
  const bytes = Buffer.from(binary.buffer);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i += 1) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

function contentHashOf(embedderVersion: string, record: PaperRecord): string {
  return createHash('sha256')
    .update(JSON.stringify([embedderVersion, record.id, record.title, record.abstract, record.categories, record.published, record.updated]))
    .digest('hex')
    .slice(0, 32);
}


export class FeatureStore {
  readonly collection: Collection<FeatureDocument>;

  constructor(db: Db) {
    this.collection = db.collection<FeatureDocument>(FEATURES_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ arxivId: 1, embedderVersion: 1 }, { unique: true, name: 'paper_per_embedder' });
    await this.collection.createIndex({ embedderVersion: 1, published: 1 }, { name: 'embedder_time_window' });
    await this.collection.createIndex({ published: 1 }, { name: 'published_window' });
    await this.collection.createIndex({ createdAt: 1 }, { name: 'ingested_window' });
  }

  private toDocument(embedderVersion: string, { record, vector, lineage, oovShare }: FeatureInput, now: Date): FeatureDocument {
    return {
      _id: featureId(record.id, embedderVersion),
      arxivId: record.id,
      embedderVersion,
      vector: encodeVector(vector),
      dimensions: vector.length,
      contentHash: contentHashOf(embedderVersion, record),
      title: record.title,
      primaryCategory: record.primaryCategory,
      categories: record.categories,
      published: record.published ? new Date(record.published) : null,
      updated: record.updated ? new Date(record.updated) : null,
      text: oovShare === undefined ? describeText(record) : { ...describeText(record), oovShare },
      lineage,
      createdAt: now,
      updatedAt: now,
    };
  }

  /**
   * Idempotent write. New papers are inserted in bulk; a paper already stored for this embedder
   * version is replaced only when its content changed. (Inserting first keeps the common path a
   * single bulk insert, which every MongoDB-protocol server does fast; FerretDB's upserts are not.)
   */
  async upsert(embedderVersion: string, inputs: FeatureInput[]): Promise<UpsertResult> {
    if (inputs.length === 0) return { inserted: 0, replaced: 0, unchanged: 0 };
    const now = new Date();
    const byId = new Map<string, FeatureDocument>();
    for (const input of inputs) {
      const document = this.toDocument(embedderVersion, input, now);
      byId.set(document._id, document); // a batch holding one paper twice keeps the last
    }
    const documents = [...byId.values()];
    const existing: FeatureDocument[] = [];
    let inserted = documents.length;
    try {
      await this.collection.insertMany(documents, { ordered: false });
    } catch (error) {
      const duplicates = duplicatesOfStoredBatch(error, documents.length);
      if (!duplicates) throw error;
      for (const index of duplicates) existing.push(documents[index]!);
      inserted -= existing.length;
    }
    if (existing.length === 0) return { inserted, replaced: 0, unchanged: 0 };
    const stored = await this.collection
      .find({ _id: { $in: existing.map((document) => document._id) } }, { projection: { contentHash: 1, createdAt: 1 } })
      .toArray();
    const storedById = new Map(stored.map((document) => [document._id, document]));
    let replaced = 0;
    for (const document of existing) {
      const current = storedById.get(document._id);
      if (current?.contentHash === document.contentHash) continue;
      await this.collection.replaceOne(
        { _id: document._id },
        { ...document, createdAt: current?.createdAt ?? now },
        { upsert: true },
      );
      replaced += 1;
    }
    return { inserted, replaced, unchanged: existing.length - replaced };
  }

  /** Every stored paper of one embedder version (and time window), ordered by id for reproducibility. */
  async select(selection: FeatureSelection): Promise<FeatureRow[]> {
    const query: Record<string, unknown> = { embedderVersion: selection.embedderVersion };
    if (selection.from || selection.until) {
      query.published = { ...(selection.from ? { $gte: selection.from } : {}), ...(selection.until ? { $lte: selection.until } : {}) };
    }
    const documents = await this.collection.find(query, { projection: ROW_PROJECTION }).toArray();
    return documents.map(toRow).sort((a, b) => (a.arxivId < b.arxivId ? -1 : a.arxivId > b.arxivId ? 1 : 0));
  }

  /** Every stored feature document of a window (all embedder versions), ordered by id. */
  async window(window: FeatureWindow): Promise<WindowRow[]> {
    const field = window.by === 'published' ? 'published' : 'createdAt';
    const bounds = { ...(window.from ? { $gte: window.from } : {}), ...(window.until ? { $lte: window.until } : {}) };
    const query = Object.keys(bounds).length > 0 ? { [field]: bounds } : {};
    const documents = await this.collection.find(query, { projection: { ...ROW_PROJECTION, embedderVersion: 1 } }).toArray();
    return documents
      .map((document) => ({ ...toRow(document), embedderVersion: document.embedderVersion }))
      .sort((a, b) => (a.arxivId < b.arxivId ? -1 : a.arxivId > b.arxivId ? 1 : a.embedderVersion < b.embedderVersion ? -1 : 1));
  }

  /** The given papers' features for one embedder version (those that exist). */
  async byIds(embedderVersion: string, arxivIds: readonly string[]): Promise<FeatureRow[]> {
    if (arxivIds.length === 0) return [];
    const documents = await this.collection
      .find({ _id: { $in: arxivIds.map((id) => featureId(id, embedderVersion)) } }, { projection: ROW_PROJECTION })
      .toArray();
    return documents.map(toRow);
  }

  count(filter: { embedderVersion?: string } = {}): Promise<number> {
    return this.collection.countDocuments(filter.embedderVersion ? { embedderVersion: filter.embedderVersion } : {});
  }
}

function toRow(document: Pick<FeatureDocument, keyof typeof ROW_PROJECTION>): FeatureRow {
  return {
    arxivId: document.arxivId,
    vector: decodeVector(document.vector),
    primaryCategory: document.primaryCategory,
    published: document.published,
    text: document.text,
    lineage: document.lineage,
  };
}
