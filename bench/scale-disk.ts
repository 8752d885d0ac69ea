import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../lib/config/config';
import { projectRoot } from '../lib/config/paths';
import type { EngineStatus } from '../stack';

/** Bytes of a file, or of everything under a folder (0 when absent). */
function diskBytes(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + diskBytes(join(path, entry)), 0);
}

/** The disk each engine's data takes (this run's own where it can be told apart, else the whole engine's). */
export function engineDisk(config: AppConfig, statuses: EngineStatus[], objects: string): Record<string, string> {
  const data = join(projectRoot(), '.data');
  const local = (name: string) => statuses.find((status) => status.name === name)?.state === 'local-running';
  const mongoFiles = join(data, 'mongo', 'sqlite');
  const database = config.mongo.database;
  const ours = existsSync(mongoFiles)
    ? readdirSync(mongoFiles).filter((file) => file.startsWith(`${database}.sqlite`))
    : [];
  const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MB`;
  return {
    mongo: local('mongo')
      ? `${mb(ours.reduce((sum, file) => sum + diskBytes(join(mongoFiles, file)), 0))} (this run's database)`
      : 'external',
    'object store': `${mb(diskBytes(objects))} (raw batches, manifests, embedder)`,
    redis: local('redis') ? `${mb(diskBytes(join(data, 'redis')))} (whole append-only file, shared)` : 'external',
    mlflow: local('mlflow')
      ? `${mb(diskBytes(join(data, 'mlflow')))} (whole tracking store and artifacts, shared)`
      : 'external',
    temporal: local('temporal') ? `${mb(diskBytes(join(data, 'temporal')))} (whole history store, shared)` : 'external',
  };
}
