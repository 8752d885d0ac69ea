import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../lib/config/config';
import { stackStatus, stackUp } from '../../stack';

/**
 * Integration tests run against real engines: the ones the configuration points at, or local
 * ones launched here (S3 included, so the S3 object store is tested too). Engines this setup
 * started are stopped again by the teardown; ones already running are left alone.
 */
export default async function globalSetup(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const config = loadConfig();
  const engines = ['temporal', 'redis', 'mongo', 's3', 'mlflow'];
  const before = await stackStatus(config, engines);
  const started = Date.now();
  await stackUp(config, { engines, onEvent: (message) => process.stderr.write(`[stack] ${message}\n`) });
  const launched = before.filter((status) => status.state === 'stopped').map((status) => status.name);
  writeFileSync(join(config.dataDir, 'test-launched-engines.json'), JSON.stringify(launched));
  process.stderr.write(`[stack] ready in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
}
