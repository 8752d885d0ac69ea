import type { ObjectStore } from '../storage/object-store';
import type { EmbedderHoldout } from './holdout';
import type { LsaEmbedder } from './lsa-embedder';
import { deserializeEmbedder, serializeEmbedder } from './serialize';

/** Fitted embedders live in the object store; a pointer names the one ingestion uses. */
export const EMBEDDER_PREFIX = 'embedders';
const CURRENT_KEY = `${EMBEDDER_PREFIX}/current.json`;

export interface EmbedderManifest {
  version: string;
  key: string;
  dimensions: number;
  vocabulary: number;
  documents: number;
  explainedVariance: number;
  referenceCorpus: string;
  fittedAt: string;
  /** Which papers of the corpus the fit left out (absent: embedders fitted before it did). */
  holdout?: EmbedderHoldout;
}

const VERSION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Whether a text can name an embedder version: one path segment, never `..`, so a stream entry cannot point elsewhere in the store. */
export function isEmbedderVersionName(version: string): boolean {
  return VERSION_NAME.test(version) && !version.includes('..');
}

/** An embedder version that is no name (from a stream entry or a workflow input): no retry can load it. */
export class EmbedderVersionError extends Error {
  override readonly name = 'EmbedderVersionError';
  readonly permanent = true;
}

export function describeBadVersion(version: string): string {
  return `embedder version ${JSON.stringify(version)} is not a version name (letters, digits, '.', '_' and '-')`;
}

export function embedderKey(version: string): string {
  if (!isEmbedderVersionName(version)) throw new EmbedderVersionError(describeBadVersion(version));
  return `${EMBEDDER_PREFIX}/${version}/embedder.bin`;
}

function manifestKey(version: string): string {
  if (!isEmbedderVersionName(version)) throw new EmbedderVersionError(describeBadVersion(version));
  return `${EMBEDDER_PREFIX}/${version}/manifest.json`;
}

export async function saveEmbedder(
  store: ObjectStore,
  embedder: LsaEmbedder,
  referenceCorpus: string,
  holdout?: EmbedderHoldout,
): Promise<EmbedderManifest> {
  const key = embedderKey(embedder.version);
  const manifest: EmbedderManifest = {
    version: embedder.version,
    key,
    dimensions: embedder.dimensions,
    vocabulary: embedder.state.tfidf.terms.length,
    documents: embedder.state.fit.documents,
    explainedVariance: embedder.state.fit.explainedVariance,
    referenceCorpus,
    fittedAt: new Date().toISOString(),
    ...(holdout ? { holdout } : {}),
  };
  if (!(await store.head(key))) {
    await store.put(key, serializeEmbedder(embedder), {
      contentType: 'application/octet-stream',
      metadata: { version: embedder.version },
    });
  }
  await store.put(manifestKey(embedder.version), Buffer.from(JSON.stringify(manifest, null, 2)), {
    contentType: 'application/json',
  });
  return manifest;
}

export async function setCurrentEmbedder(store: ObjectStore, manifest: EmbedderManifest): Promise<void> {
  await store.put(CURRENT_KEY, Buffer.from(JSON.stringify(manifest, null, 2)), { contentType: 'application/json' });
}

export async function currentEmbedder(store: ObjectStore): Promise<EmbedderManifest | undefined> {
  if (!(await store.head(CURRENT_KEY))) return undefined;
  return JSON.parse((await store.get(CURRENT_KEY)).toString('utf8')) as EmbedderManifest;
}

/** The manifest of one embedder version; undefined when none was stored. */
export async function embedderManifest(store: ObjectStore, version: string): Promise<EmbedderManifest | undefined> {
  if (!(await store.head(manifestKey(version)))) return undefined;
  return JSON.parse((await store.get(manifestKey(version))).toString('utf8')) as EmbedderManifest;
}

const loaded = new Map<string, Promise<LsaEmbedder>>();

/** Loads an embedder by version, once per process. */
export function loadEmbedder(store: ObjectStore, version: string): Promise<LsaEmbedder> {
  let promise = loaded.get(version);
  if (!promise) {
    promise = Promise.resolve(version)
      .then(embedderKey)
      .then((key) => store.get(key))
      .then(deserializeEmbedder);
    promise.catch(() => loaded.delete(version));
    loaded.set(version, promise);
  }
  return promise;
}
