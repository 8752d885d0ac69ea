import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig, type AppConfig } from '../../lib/config/config';
import { projectRoot } from '../../lib/config/paths';

export interface IsolatedSetup {
  testId: string;
  /** Environment for child processes (CLI, worker) that must see the same isolated names. */
  env: NodeJS.ProcessEnv;
  config: AppConfig;
}

/**
 * A configuration on the shared test engines with names of its own (stream, database, task
 * queues, object-store folder), so test files never see each other's data.
 */
export function isolatedSetup(name: string, overrides: NodeJS.ProcessEnv = {}): IsolatedSetup {
  const testId = `${name}-${randomBytes(3).toString('hex')}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BUFFER_STREAM: `test:${testId}:papers`,
    PREDICTION_STREAM: `test:${testId}:predictions`,
    MONGODB_DATABASE: `test_${testId.replace(/-/g, '_')}`,
    TASK_QUEUE_IO: `test-${testId}-io`,
    TASK_QUEUE_CPU: `test-${testId}-cpu`,
    OBJECT_STORE_URL: pathToFileURL(join(projectRoot(), '.data', 'test-objects', testId)).href,
    ...overrides,
  };
  return { testId, env, config: loadConfig(env) };
}
