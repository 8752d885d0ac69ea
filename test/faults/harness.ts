import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type Redis from 'ioredis';
import type { AppConfig } from '../../lib/config/config';
import { projectRoot } from '../../lib/config/paths';
import { PaperStream } from '../../lib/buffer';
import type { MongoConnection } from '../../lib/features';
import { FeatureStore } from '../../lib/features';
import { openObjectStore, readIngestManifest, RAW_PREFIX } from '../../lib/storage';
import { stackStatus, stackUp } from '../../stack';
import type { EngineName } from '../../stack/engines';
import type { IngestSummary } from '../../workflows';

/** The local engine's process: what the stack launched and records in its pid file. */
export async function enginePid(config: AppConfig, engine: EngineName): Promise<number> {
  const [status] = await stackStatus(config, [engine]);
  if (!status?.pid || status.state !== 'local-running')
    throw new Error(`${engine} is not a running local engine (${status?.state})`);
  return status.pid;
}

function exited(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * SIGKILL to the engine's whole process group (MLflow's server and its workers alike), as a crash of
 * its machine or container would: no shutdown, no flush. Resolves once the process is gone.
 */
export async function killEngine(config: AppConfig, engine: EngineName): Promise<void> {
  const pid = await enginePid(config, engine);
  process.kill(-pid, 'SIGKILL');
  const deadline = Date.now() + 10_000;
  while (!exited(pid)) {
    if (Date.now() > deadline) throw new Error(`${engine} (pid ${pid}) survived SIGKILL`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts the engine again on its data (`mlops stack up <engine>`), resolving once it answers. */
export async function restartEngine(config: AppConfig, engine: EngineName): Promise<void> {
  await stackUp(config, { engines: [engine] });
}

/** A network partition without the network: the process keeps its sockets but answers nothing. */
export async function freezeEngine(config: AppConfig, engine: EngineName, forMs: number): Promise<void> {
  const pid = await enginePid(config, engine);
  process.kill(-pid, 'SIGSTOP');
  try {
    await new Promise((resolve) => setTimeout(resolve, forMs));
  } finally {
    process.kill(-pid, 'SIGCONT');
  }
}

export interface IngestionContext {
  config: AppConfig;
  mongo: MongoConnection;
  redis: Redis;
}

/**
 * What must hold after an ingestion, whatever died during it; each broken promise is one line.
 * extracted = accepted + rejected, one feature per accepted distinct paper and no duplicate, the
 * stream drained with nothing pending, every raw batch present once with its sha256.
 */
export async function ingestionInvariants(
  context: IngestionContext,
  summary: IngestSummary,
  expectedExtracted: number,
): Promise<string[]> {
  const broken: string[] = [];
  const check = (holds: boolean, what: string) => {
    if (!holds) broken.push(what);
  };
  check(summary.extracted === expectedExtracted, `extracted ${summary.extracted} of ${expectedExtracted}`);
  check(
    summary.extracted === summary.accepted + summary.rejected,
    `extracted ${summary.extracted} ≠ accepted ${summary.accepted} + rejected ${summary.rejected}`,
  );
  check(summary.balanced, 'the summary does not balance');
  check(summary.deadLettered === 0, `${summary.deadLettered} buffer messages dead-lettered`);

  const features = new FeatureStore(context.mongo.db);
  const stored = await features.count({ embedderVersion: summary.embedderVersion });
  check(
    stored === summary.accepted - summary.duplicates,
    `${stored} features for ${summary.accepted - summary.duplicates} accepted distinct papers`,
  );
  const duplicated = await features.collection
    .aggregate([{ $group: { _id: '$arxivId', n: { $sum: 1 } } }, { $match: { n: { $gt: 1 } } }])
    .toArray();
  check(duplicated.length === 0, `${duplicated.length} papers stored more than once`);

  const depth = await new PaperStream(context.redis, context.config.buffer).depth();
  check(depth.length === 0 && depth.pending === 0, `stream holds ${depth.length} entries, ${depth.pending} pending`);

  const store = openObjectStore(context.config);
  try {
    const keys = await store.list(`${RAW_PREFIX}/`);
    const { rawObjects } = await readIngestManifest(store, summary.rawManifest);
    check(
      rawObjects.length === summary.rawObjectCount,
      `the manifest lists ${rawObjects.length} raw objects, the summary counts ${summary.rawObjectCount}`,
    );
    check(
      keys.length === rawObjects.length && rawObjects.every((key) => keys.includes(key)),
      `${keys.length} raw objects stored, the run's manifest names ${rawObjects.length}`,
    );
    for (const key of rawObjects) {
      const info = await store.head(key);
      const body = info ? gunzipSync(await store.get(key)) : undefined;
      const sha256 = body ? createHash('sha256').update(body).digest('hex') : undefined;
      check(
        info !== undefined && sha256 === info.metadata.sha256,
        `raw batch ${key} ${info ? 'does not match its sha256' : 'is missing'}`,
      );
    }
  } finally {
    await store.close();
  }
  return broken;
}

export interface FaultOutcome {
  scenario: string;
  injectedAt: string;
  downtimeSeconds: number;
  recoveredSeconds: number;
  invariants: string;
}

const OUTCOMES = () => join(projectRoot(), '.data/faults/outcomes.jsonl');

/** Each scenario's outcome, kept on disk: the test files run apart, the table covers them all. */
export function recordOutcome(outcome: FaultOutcome): void {
  mkdirSync(join(projectRoot(), '.data/faults'), { recursive: true });
  appendFileSync(OUTCOMES(), JSON.stringify(outcome) + '\n');
}

export function clearOutcomes(): void {
  rmSync(OUTCOMES(), { force: true });
}

export function readOutcomes(): FaultOutcome[] {
  if (!existsSync(OUTCOMES())) return [];
  return readFileSync(OUTCOMES(), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as FaultOutcome);
}

/** The table printed at the end (and copied into the README). */
export function faultTable(outcomes: FaultOutcome[]): string {
  const rows = outcomes.map((outcome) => [
    outcome.scenario,
    outcome.injectedAt,
    outcome.downtimeSeconds.toFixed(1),
    outcome.recoveredSeconds.toFixed(1),
    outcome.invariants,
  ]);
  const header = ['scenario', 'injected at', 'down s', 'recovered in s', 'invariants'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}
