import type { ObjectStore } from './object-store';

/** Every raw batch one ingestion run landed or found already landed, kept beside the raw data. */
export interface IngestManifest {
  ingestWorkflowId: string;
  source: string;
  createdAt: string;
  rawObjects: string[];
}

export const MANIFEST_PREFIX = 'manifests/ingest';

/** `manifests/ingest/<workflow id>.json`, the id reduced to characters every object store takes. */
export function ingestManifestKey(ingestWorkflowId: string): string {
  return `${MANIFEST_PREFIX}/${ingestWorkflowId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
}

export async function writeIngestManifest(store: ObjectStore, manifest: IngestManifest): Promise<string> {
  const key = ingestManifestKey(manifest.ingestWorkflowId);
  await store.put(key, Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`, 'utf8'), {
    contentType: 'application/json',
    metadata: { rawobjects: String(manifest.rawObjects.length) },
  });
  return key;
}

export async function readIngestManifest(store: ObjectStore, key: string): Promise<IngestManifest> {
  return JSON.parse((await store.get(key)).toString('utf8')) as IngestManifest;
}
