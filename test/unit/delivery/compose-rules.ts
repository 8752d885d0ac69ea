import { spawnSync } from 'node:child_process';
import { projectRoot } from '../../../lib/config/paths';
import { composeBinary } from '../../support/compose-binary';

/** A service as `docker compose config --format json` normalises it. */
export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string | null;
  restart?: string;
  healthcheck?: { test?: string[]; disable?: boolean };
  environment?: Record<string, string | null>;
  ports?: Array<{ host_ip?: string; published?: string; target: number }>;
  depends_on?: Record<string, { condition: string }>;
}

export interface ComposeModel {
  services: Record<string, ComposeService>;
}

/**
 * What Compose itself makes of the files: validated against the Compose Specification, variables
 * interpolated from the env file, overrides merged. Throws with Compose's message when it refuses them.
 */
export function composeConfig(files: string[], envFile: string): ComposeModel {
  const { command, prefix } = composeBinary();
  const args = [
    ...prefix,
    '--env-file',
    envFile,
    ...files.flatMap((file) => ['-f', file]),
    '--profile',
    'full',
    'config',
    '--format',
    'json',
  ];
  const result = spawnSync(command, args, { cwd: projectRoot(), encoding: 'utf8' });
  if (result.error)
    throw new Error(`cannot run Docker Compose (${result.error.message}): run bash scripts/setup-engines.sh`);
  if (result.status !== 0)
    throw new Error(`docker compose config refused ${files.join(' + ')}: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as ComposeModel;
}

/** Services that run once and exit (others wait for them to complete), so they need no healthcheck. */
function oneShotServices(model: ComposeModel): Set<string> {
  const oneShot = new Set<string>();
  for (const service of Object.values(model.services)) {
    for (const [name, { condition }] of Object.entries(service.depends_on ?? {})) {
      if (condition === 'service_completed_successfully') oneShot.add(name);
    }
  }
  return oneShot;
}

export function missingHealthchecks(model: ComposeModel): string[] {
  const oneShot = oneShotServices(model);
  return Object.entries(model.services)
    .filter(([name, service]) => !oneShot.has(name) && (!service.healthcheck?.test || service.healthcheck.disable))
    .map(([name]) => `${name}: no healthcheck`);
}

/** Every image is pinned: a tag that is not `latest` (or a digest). */
export function unpinnedImages(model: ComposeModel): string[] {
  return Object.entries(model.services).flatMap(([name, { image }]) => {
    if (!image) return [`${name}: no image name`];
    if (image.includes('@sha256:')) return [];
    const tag = /:([^/:]+)$/.exec(image)?.[1];
    return !tag || tag === 'latest' ? [`${name}: image ${image} is not pinned`] : [];
  });
}

/** Published ports listen on the loopback address only. */
export function portsOpenBeyondLoopback(model: ComposeModel): string[] {
  return Object.entries(model.services).flatMap(([name, { ports }]) =>
    (ports ?? [])
      .filter((port) => port.published !== undefined && port.host_ip !== '127.0.0.1')
      .map((port) => `${name}: port ${port.published}→${port.target} on ${port.host_ip ?? 'every address'}`),
  );
}

/** A dependency waits for health or completion, never for a mere start. */
export function dependenciesNotAwaited(model: ComposeModel): string[] {
  return Object.entries(model.services).flatMap(([name, service]) =>
    Object.entries(service.depends_on ?? {})
      .filter(([, { condition }]) => condition !== 'service_healthy' && condition !== 'service_completed_successfully')
      .map(([dependency, { condition }]) => `${name} → ${dependency}: ${condition}`),
  );
}

/**
 * Every variable the application reads is set in each application service (those running `image`)
 * or documented in the env file's text, so an operator finds every knob.
 */
export function undocumentedVariables(
  model: ComposeModel,
  appImage: string,
  variables: readonly string[],
  envFileText: string,
): string[] {
  const apps = Object.entries(model.services).filter(([, service]) => service.image?.split(':')[0] === appImage);
  if (apps.length === 0) return [`no service runs the ${appImage} image`];
  const documented = (variable: string) => new RegExp(`\\b${variable}\\b`).test(envFileText);
  return variables.flatMap((variable) =>
    apps
      .filter(([, service]) => !(variable in (service.environment ?? {})) && !documented(variable))
      .map(([name]) => `${name}: ${variable} neither set nor documented`),
  );
}
