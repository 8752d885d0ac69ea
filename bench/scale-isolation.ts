import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AppConfig } from '../lib/config/config';
import { projectRoot } from '../lib/config/paths';
import { removeIsolatedData } from '../stack';
import { DATA } from './scale-settings';

/** The environment of one isolated run: its own database, stream, task queues, object folder, experiment and model. */
export function isolatedEnv(tag: string, objects: string): NodeJS.ProcessEnv {
  const name = `bench-scale-${tag}`;
  return {
    ...process.env,
    MONGODB_DATABASE: name.replace(/-/g, '_'),
    BUFFER_STREAM: `${name}:papers`,
    TASK_QUEUE_IO: `${name}-io`,
    TASK_QUEUE_CPU: `${name}-cpu`,
    OBJECT_STORE_URL: pathToFileURL(objects).href,
    MLFLOW_EXPERIMENT: name,
    MLFLOW_MONITORING_EXPERIMENT: `${name}-monitoring`,
    MLFLOW_MODEL_NAME: name,
    INGEST_FILE_ROOTS: [DATA, join(projectRoot(), '.data')].join(':'),
    API_RATE_LIMIT_PER_MINUTE: '1000000',
    API_RATE_LIMIT_PAPERS_PER_MINUTE: '1000000',
  };
}

/** Removes a run's data from the engines (database, stream, experiments) and its folder. */
export async function dropRun(config: AppConfig, objects: string): Promise<void> {
  await removeIsolatedData(config);
  rmSync(objects, { recursive: true, force: true });
}
