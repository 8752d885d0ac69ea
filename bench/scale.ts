/*
 * The whole bundled corpus end to end on the local engines, in names of its own: every file
 * ingested in turn → training on the papers published before 2025 → monitoring of the 2025–2026
 * papers against that model → a few hundred predictions through the API. Per stage: wall time,
 * papers per second, each process's peak resident memory, and the disk each engine's data takes.
 * Then the same ingestion into empty stores with 1 and with 2 CPU worker processes.
 * `--multiply N` replays the corpus N times under derived ids (a load test in a database of its own).
 */
import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../lib/config/config';
import { projectRoot } from '../lib/config/paths';
import { stackUp } from '../stack';
import { writeMultiplied } from './multiply-corpus';
import { ProcessWatch } from './process-watch';
import { engineDisk } from './scale-disk';
import { dropRun, isolatedEnv } from './scale-isolation';
import { reportScale } from './scale-report';
import { DATA, FILES, note, PREDICTIONS } from './scale-settings';
import { ingestAll, monitorStage, predictThroughApi, samplePapers, trainStage, type StageRow } from './scale-stages';
import { Workers } from './scale-workers';

interface Options {
  multiply: number;
  files: string[];
  scaleOut: boolean;
  train: boolean;
  /** Training takes the papers published up to this day (the monitor always compares 2025–2026). */
  trainUntil: string;
  keep: boolean;
  /** The tag of a kept run (`--keep`) whose ingested store is trained, monitored and served again. */
  reuse?: string;
}

async function main(options: Options): Promise<void> {
  const tag = options.reuse ?? `x${options.multiply}-${Date.now().toString(36)}`;
  const work = join(projectRoot(), '.data', 'bench-scale', tag);
  mkdirSync(work, { recursive: true });
  const objects = join(work, 'objects');
  const env = isolatedEnv(tag, objects);
  const config = loadConfig(env);
  note(
    `isolated names: database ${config.mongo.database}, stream ${config.buffer.stream}, model ${config.tracking.modelName}`,
  );
  const statuses = await stackUp(config, { onEvent: note });
  const watch = new ProcessWatch();
  for (const status of statuses) if (status.state === 'local-running') watch.watch(status.name, status.pid);

  let files = options.files;
  let generated = 0;
  if (options.reuse) {
    if (options.multiply > 1) files = options.files.map((file) => join(work, `x${options.multiply}-${basename(file)}`));
    note(`reusing the store of ${options.reuse}: no ingestion`);
  } else if (options.multiply > 1) {
    note(`writing the corpus ${options.multiply} times under derived ids…`);
    const started = performance.now();
    const written = await Promise.all(
      options.files.map(async (file) => {
        const out = join(work, `x${options.multiply}-${basename(file)}`);
        return { out, lines: await writeMultiplied(file, out, options.multiply) };
      }),
    );
    files = written.map(({ out }) => out);
    generated = written.reduce((sum, { lines }) => sum + lines, 0);
    note(`${generated} lines written in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }

  const rows: StageRow[] = [];
  const workers = new Workers(env, watch);
  const scaleOut: StageRow[] = [];
  try {
    await workers.start(1);
    if (!options.reuse) await ingestAll(files, env, watch, rows, '', 1, true);
    if (options.train) {
      rows.push(await trainStage(env, watch, options.trainUntil));
      rows.push(await monitorStage(env, watch));
      rows.push(await predictThroughApi(env, watch, await samplePapers(files.at(-1)!, PREDICTIONS)));
    }
    const disk = engineDisk(config, statuses, objects);
    await workers.stop();

    if (options.scaleOut && !options.reuse) {
      for (const cpuProcesses of [1, 2]) {
        const outTag = `${tag}-c${cpuProcesses}`;
        // A store of its own, the same object folder: the embedder is reused, raw batches found landed.
        const outEnv = { ...isolatedEnv(outTag, objects), OBJECT_STORE_URL: env.OBJECT_STORE_URL };
        const outWorkers = new Workers(outEnv, watch);
        await outWorkers.start(cpuProcesses);
        try {
          await ingestAll(files, outEnv, watch, scaleOut, `${cpuProcesses} CPU: `, cpuProcesses);
        } finally {
          await outWorkers.stop();
          if (!options.keep) await dropRun(loadConfig(outEnv), join(work, 'none'));
        }
      }
    }

    watch.stop();
    reportScale(watch, options.multiply, generated, rows, scaleOut, disk);
  } finally {
    await workers.stop();
    watch.stop();
    if (!options.keep)
      await dropRun(config, work).catch((error: unknown) => note(`cleanup: ${(error as Error).message}`));
  }
}

const program = new Command('bench:scale')
  .option('--multiply <n>', 'replay the corpus n times under derived ids', (value) => Number.parseInt(value, 10), 1)
  .option('--files <names>', 'comma-separated files of ../shared/data/arxiv', FILES.join(','))
  .option('--no-scale-out', 'skip the 1 vs 2 CPU worker ingestion')
  .option('--no-train', 'ingestion only (no train, monitor, serve)')
  .option(
    '--train-until <date>',
    'train on the papers published until this day (a smaller slice for --multiply)',
    '2024-12-31',
  )
  .option('--keep', "keep the run's database, stream and objects")
  .option(
    '--reuse <tag>',
    'train, monitor and serve the kept store of that run (its tag, e.g. x5-mx833oqz) without ingesting again',
  )
  .parse();
const opts = program.opts<{
  multiply: number;
  files: string;
  scaleOut: boolean;
  train: boolean;
  trainUntil: string;
  keep?: boolean;
  reuse?: string;
}>();
main({
  multiply: Math.max(1, opts.multiply),
  files: opts.files.split(',').map((name) => resolve(DATA, name.trim())),
  scaleOut: opts.scaleOut,
  train: opts.train,
  trainUntil: opts.trainUntil,
  keep: opts.keep ?? false,
  reuse: opts.reuse,
}).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
