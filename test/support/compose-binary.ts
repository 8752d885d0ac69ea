import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../lib/config/paths';

/** Docker Compose v2: the binary setup-engines.sh built into .tools/bin, else the Docker CLI plugin. */
export function composeBinary(): { command: string; prefix: string[] } {
  const built = join(projectRoot(), '.tools/bin/docker-compose');
  return existsSync(built) ? { command: built, prefix: [] } : { command: 'docker', prefix: ['compose'] };
}
