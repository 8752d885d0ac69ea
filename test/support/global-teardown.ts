import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../lib/config/config';
import { stackDown } from '../../stack';

export default async function globalTeardown(): Promise<void> {
  const config = loadConfig();
  const record = join(config.dataDir, 'test-launched-engines.json');
  if (!existsSync(record) || process.env.MLOPS_KEEP_STACK === '1') return;
  const launched = JSON.parse(readFileSync(record, 'utf8')) as string[];
  rmSync(record);
  if (launched.length > 0) await stackDown(config, { engines: launched });
}
