import { fileURLToPath } from 'node:url';
import type { AppConfig } from '../config/config';
import { LocalFolderStore } from './local-folder-store';
import type { ObjectStore } from './object-store';
import { S3Store } from './s3-store';

export type { ObjectStore, ObjectInfo, ObjectMetadata, PutOptions } from './object-store';
export { ObjectNotFoundError } from './object-store';
export { LocalFolderStore } from './local-folder-store';
export { S3Store, parseS3Url } from './s3-store';

/** The object store the configuration names: `file://…` (default, under .data/objects) or `s3://bucket/prefix`. */
export function openObjectStore(config: Pick<AppConfig, 'objectStore'>): ObjectStore {
  const { url, s3 } = config.objectStore;
  if (url.startsWith('s3://')) return new S3Store(url, s3);
  if (url.startsWith('file://')) return new LocalFolderStore(fileURLToPath(url));
  throw new Error(`OBJECT_STORE_URL "${url}" must be file://… or s3://bucket/prefix`);
}
export { landRawBatch, readRawBatch, encodeRawBatch, rawBatchKey, RAW_PREFIX } from './raw-batch';
export type { RawBatch } from './raw-batch';
export { ingestManifestKey, writeIngestManifest, readIngestManifest, MANIFEST_PREFIX } from './ingest-manifest';
export type { IngestManifest } from './ingest-manifest';
