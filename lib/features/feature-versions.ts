import { createHash } from 'node:crypto';
import type { PaperRecord } from '../arxiv/record';
import type { FeatureDocument, FeatureRow } from './feature-documents';
import { decodeVector } from './vector-codec';

/** The fields of a stored version that readers fetch. */
export const ROW_PROJECTION = {
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

/** A stored version as readers fetch it. */
export type StoredVersion = Pick<FeatureDocument, '_id' | keyof typeof ROW_PROJECTION>;

/** The key of one paper embedded by one embedder version. */
export function featureId(arxivId: string, embedderVersion: string): string {
  return `${arxivId}@${embedderVersion}`;
}

/** The key of one version (one content) of one paper embedded by one embedder version. */
export function featureVersionId(arxivId: string, embedderVersion: string, contentHash: string): string {
  return `${featureId(arxivId, embedderVersion)}#${contentHash.slice(0, 16)}`;
}

/** The hash of everything a feature document is derived from. */
export function contentHashOf(embedderVersion: string, record: PaperRecord): string {
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

/** What orders two versions of one paper (see isNewer). */
export type VersionOrder = Pick<StoredVersion, '_id' | 'updated' | 'published' | 'createdAt'>;

export function versionOrder({ _id, updated, published, createdAt }: StoredVersion): VersionOrder {
  return { _id, updated, published, createdAt };
}

/** Newest first: by the paper's own dates (`updated`, else `published`), then by when it was stored. */
export function isNewer(a: VersionOrder, b: VersionOrder): boolean {
  const dateOf = (version: VersionOrder) =>
    (version.updated ?? version.published)?.getTime() ?? Number.NEGATIVE_INFINITY;
  if (dateOf(a) !== dateOf(b)) return dateOf(a) > dateOf(b);
  if (a.createdAt.getTime() !== b.createdAt.getTime()) return a.createdAt > b.createdAt;
  return a._id > b._id;
}

/** The newest version of each (paper, embedder version), ordered by paper id then embedder version. */
export function newestVersions(versions: Iterable<StoredVersion>): StoredVersion[] {
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

/** A stored version as the row training and monitoring read. */
export function toRow(document: StoredVersion): FeatureRow {
  return {
    arxivId: document.arxivId,
    vector: decodeVector(document.vector),
    primaryCategory: document.primaryCategory,
    published: document.published,
    text: document.text,
    lineage: document.lineage,
  };
}
