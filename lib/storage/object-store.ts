/** Metadata values are strings, as in S3 user metadata. */
export type ObjectMetadata = Record<string, string>;

export interface ObjectInfo {
  key: string;
  size: number;
  metadata: ObjectMetadata;
}

export interface PutOptions {
  contentType?: string;
  metadata?: ObjectMetadata;
}

/** A flat key → bytes store: a local folder by default, S3 when configured. */
export interface ObjectStore {
  /** Where a key lives, as a URL a person can use (`s3://bucket/key`, `file:///…`). */
  locate(key: string): string;
  put(key: string, body: Buffer, options?: PutOptions): Promise<void>;
  get(key: string): Promise<Buffer>;
  /** undefined when the key does not exist. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Keys under a prefix, in lexical order. */
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  override readonly name = 'ObjectNotFoundError';
  constructor(readonly location: string) {
    super(`no object at ${location}`);
  }
}

export function assertValidKey(key: string): void {
  if (!key || key.startsWith('/') || key.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new Error(`invalid object key "${key}": use relative slash-separated names without empty, "." or ".." parts`);
  }
}
