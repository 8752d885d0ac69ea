import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppConfig } from '../lib/config/config';
import { redactUrls } from '../lib/config/redact';
import { ENGINES, engineByName, type Engine, type EngineName } from './engines';
import { isAlive, launch, managedProcess, runningPid, tailOf, terminate, type ManagedProcess } from './processes';

export type EngineState =
  /** The user's own server (URL env var set), answering. */
  | 'external'
  | 'external-unreachable'
  /** Launched by this project and answering. */
  | 'local-running'
  /** Launched by this project but not answering (yet). */
  | 'local-unhealthy'
  | 'stopped'
  /** Something else answers on the local port. */
  | 'foreign';

export interface EngineStatus {
  name: EngineName;
  label: string;
  state: EngineState;
  url: string;
  needed: boolean;
  implementation?: string;
  pid?: number;
  detail?: string;
  links: Record<string, string>;
}

interface LaunchRecord {
  implementation: string;
  url: string;
  startedAt: string;
}

export class StackError extends Error {
  override readonly name = 'StackError';
  constructor(
    message: string,
    readonly statuses: EngineStatus[],
  ) {
    super(message);
  }
}

function engineDir(config: AppConfig, engine: Engine): string {
  return join(config.dataDir, engine.name);
}

/**
 * The programs engines were launched with before pid files recorded the process identity: a pid file
 * that holds only a number is trusted only while that pid runs one of these.
 */
const LEGACY_PROGRAMS: Record<EngineName, readonly string[]> = {
  temporal: ['temporal'],
  redis: ['redis-server'],
  mongo: ['mongod', 'ferretdb'],
  s3: ['weed'],
  mlflow: ['mlflow'],
};

function engineProcess(config: AppConfig, engine: Engine): ManagedProcess {
  return managedProcess(engineDir(config, engine), LEGACY_PROGRAMS[engine.name]);
}

function launchRecordPath(config: AppConfig, engine: Engine): string {
  return join(engineDir(config, engine), 'engine.json');
}

function readLaunchRecord(config: AppConfig, engine: Engine): LaunchRecord | undefined {
  const path = launchRecordPath(config, engine);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as LaunchRecord) : undefined;
}

async function answers(engine: Engine, config: AppConfig): Promise<string | undefined> {
  try {
    await engine.probe(config);
    return undefined;
  } catch (error) {
    return (error as Error).message || String(error);
  }
}

function selectEngines(config: AppConfig, names?: string[]): Engine[] {
  if (names && names.length > 0) return names.map(engineByName);
  return ENGINES.filter((engine) => engine.needed(config));
}

async function statusOf(engine: Engine, config: AppConfig): Promise<EngineStatus> {
  const endpoint = engine.endpoint(config);
  const base = {
    name: engine.name,
    label: engine.label,
    url: redactUrls(endpoint.url),
    needed: engine.needed(config),
    links: Object.fromEntries(
      Object.entries(engine.links?.(config) ?? {}).map(([name, link]) => [name, redactUrls(link)]),
    ),
  };
  if (endpoint.external) {
    const problem = await answers(engine, config);
    return problem
      ? {
          ...base,
          state: 'external-unreachable',
          detail: `${engine.envVar} is set but the server does not answer: ${redactUrls(problem)}`,
        }
      : { ...base, state: 'external' };
  }
  const pid = runningPid(engineProcess(config, engine));
  const record = readLaunchRecord(config, engine);
  const problem = await answers(engine, config);
  if (pid !== undefined) {
    return problem
      ? { ...base, state: 'local-unhealthy', pid, implementation: record?.implementation, detail: problem }
      : { ...base, state: 'local-running', pid, implementation: record?.implementation };
  }
  if (!problem) {
    return {
      ...base,
      state: 'foreign',
      detail: `another process already serves ${endpoint.url}: set ${engine.envVar}=${endpoint.url} to use it, or stop it`,
    };
  }
  return { ...base, state: 'stopped' };
}

export async function stackStatus(config: AppConfig, names?: string[]): Promise<EngineStatus[]> {
  const engines = names && names.length > 0 ? names.map(engineByName) : [...ENGINES];
  return Promise.all(engines.map((engine) => statusOf(engine, config)));
}

async function waitUntilAnswering(engine: Engine, config: AppConfig, pid: number): Promise<string | undefined> {
  const deadline = Date.now() + engine.startupTimeoutMs;
  let problem = await answers(engine, config);
  while (problem && Date.now() < deadline) {
    if (!isAlive(pid)) {
      const log = engineProcess(config, engine).logFile;
      return `the process exited during start-up; last lines of ${log}:\n${tailOf(log)}`;
    }
    await sleep(300);
    problem = await answers(engine, config);
  }
  return problem ? `not answering after ${engine.startupTimeoutMs / 1000}s: ${problem}` : undefined;
}

async function bringUp(engine: Engine, config: AppConfig, onEvent: (message: string) => void): Promise<EngineStatus> {
  const current = await statusOf(engine, config);
  if (current.state !== 'stopped' && current.state !== 'local-unhealthy') return current;
  const dir = engineDir(config, engine);
  const proc = engineProcess(config, engine);
  let pid = current.pid;
  let implementation = current.implementation;
  if (pid === undefined) {
    mkdirSync(dir, { recursive: true });
    const launchCommand = engine.launchCommand(config, dir);
    implementation = launchCommand.implementation;
    onEvent(`starting ${engine.label} (${implementation})`);
    pid = launch(proc, launchCommand.command, launchCommand.args, {
      cwd: dir,
      env: { ...process.env, ...launchCommand.env },
    });
    const record: LaunchRecord = { implementation, url: current.url, startedAt: new Date().toISOString() };
    writeFileSync(launchRecordPath(config, engine), JSON.stringify(record, null, 2));
  }
  const problem = await waitUntilAnswering(engine, config, pid);
  if (problem) return { ...current, state: 'local-unhealthy', pid, implementation, detail: problem };
  onEvent(`${engine.label} is up at ${current.url}`);
  return { ...current, state: 'local-running', pid, implementation, detail: undefined };
}

/**
 * Makes every engine the configuration needs answer: external ones are checked, local ones are
 * launched when not running. Throws a StackError naming each engine that is not usable.
 */
export async function stackUp(
  config: AppConfig,
  options: { engines?: string[]; onEvent?: (message: string) => void } = {},
): Promise<EngineStatus[]> {
  const onEvent = options.onEvent ?? (() => undefined);
  const engines = selectEngines(config, options.engines);
  const statuses = await Promise.all(
    engines.map((engine) =>
      bringUp(engine, config, onEvent).catch((error: unknown): EngineStatus => ({
        name: engine.name,
        label: engine.label,
        url: redactUrls(engine.endpoint(config).url),
        needed: engine.needed(config),
        state: 'stopped',
        detail: redactUrls((error as Error).message),
        links: {},
      })),
    ),
  );
  const broken = statuses.filter((status) => status.state !== 'external' && status.state !== 'local-running');
  if (broken.length > 0) {
    const lines = broken.map((status) => `- ${status.label} (${status.state}): ${status.detail ?? 'not usable'}`);
    throw new StackError(`some engines are not usable:\n${lines.join('\n')}`, statuses);
  }
  return statuses;
}

/** Stops the engines this project launched; external and foreign servers are left alone. */
export async function stackDown(
  config: AppConfig,
  options: { engines?: string[]; onEvent?: (message: string) => void } = {},
): Promise<EngineStatus[]> {
  const onEvent = options.onEvent ?? (() => undefined);
  const engines = options.engines && options.engines.length > 0 ? options.engines.map(engineByName) : [...ENGINES];
  await Promise.all(
    engines.map(async (engine) => {
      if (engine.endpoint(config).external) return;
      if (await terminate(engineProcess(config, engine))) onEvent(`stopped ${engine.label}`);
    }),
  );
  return stackStatus(
    config,
    engines.map((engine) => engine.name),
  );
}
