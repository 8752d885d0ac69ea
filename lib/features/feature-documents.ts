import type { Binary } from 'mongodb';
import type { PaperRecord } from '../arxiv/record';
import type { TextDescriptors } from './text-descriptors';

/** Where a feature vector came from. */
export interface FeatureLineage {
  rawKey: string;
  ingestWorkflowId: string;
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
