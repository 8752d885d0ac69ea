import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  assertValidKey,
  ObjectNotFoundError,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
} from './object-store';

/** Metadata lives beside each object in a hidden sidecar file that listings skip. */
function sidecarPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.meta.json`);
}

export class LocalFolderStore implements ObjectStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    assertValidKey(key);
    return join(this.root, ...key.split('/'));
  }

  locate(key: string): string {
    return pathToFileURL(this.pathOf(key)).href;
  }

  async put(key: string, body: Buffer, options: PutOptions = {}): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.${Date.now()}.partial`;
    await writeFile(
      sidecarPath(path),
      JSON.stringify({ contentType: options.contentType, metadata: options.metadata ?? {} }),
    );
    await writeFile(temporary, body);
    await rename(temporary, path);
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ObjectNotFoundError(this.locate(key));
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const path = this.pathOf(key);
    try {
      const stats = await stat(path);
      let metadata = {};
      try {
        metadata =
          (JSON.parse(await readFile(sidecarPath(path), 'utf8')) as { metadata?: Record<string, string> }).metadata ??
          {};
      } catch {
        // an object written by hand has no sidecar: it simply has no metadata
      }
      return { key, size: stats.size, metadata };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        if (entry.name.startsWith('.') || entry.name.endsWith('.partial')) continue;
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else keys.push(relative(this.root, path).split(sep).join('/'));
      }
    };
    const prefixDir = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    await walk(prefixDir ? join(this.root, ...prefixDir.split('/')) : this.root);
    return keys.filter((key) => key.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    await rm(path, { force: true });
    await rm(sidecarPath(path), { force: true });
  }

  async close(): Promise<void> {}
}
