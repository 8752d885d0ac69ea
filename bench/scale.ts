import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { loadConfig, type AppConfig } from '../lib/config/config';
import { projectRoot } from '../lib/config/paths';
import { removeIsolatedData, stackUp, type EngineStatus } from '../stack';
import { writeMultiplied } from './multiply-corpus';
import { ProcessWatch } from './process-watch';

/**
 * The whole bundled corpus end to end on the local engines, in names of its own: every file
 * ingested in turn → training on the papers published before 2025 → monitoring of the 2025–2026
 * papers against that model → a few hundred predictions through the API. Per stage: wall time,
 * papers per second, each process's peak resident memory, and the disk each engine's data takes.
 * Then the same ingestion into empty stores with 1 and with 2 CPU worker processes.
 * `--multiply N` replays the corpus N times under derived ids (a load test in a database of its own).
 */
const DATA = join(projectRoot(), '..', 'shared', 'data', 'arxiv');
const FILES = [
  'arxiver_2013-2025.jsonl.gz',
  'daily-arxiv-cs_2025-2026.jsonl.gz',
  'daily-arxiv-astro-ph_2025-2026.jsonl.gz',
];
const CLI = join(projectRoot(), 'bin', 'mlops.js');
const PREDICTIONS = 300;
const GB = 1024 ** 3;

function note(message: string): void {
  process.stderr.write(`[bench:scale] ${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

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

interface StageRow {
  stage: string;
  seconds: number;
  papers: number;
  detail: string;
  rss: Record<string, number>;
}

/** The environment of one isolated run: its own database, stream, task queues, object folder, experiment and model. */
function isolatedEnv(tag: string, objects: string): NodeJS.ProcessEnv {
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

/** Runs `mlops <args> --json` and returns the JSON summary on its last line. */
function runCli<T>(args: string[], env: NodeJS.ProcessEnv): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args, '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`mlops ${args.join(' ')} failed (exit ${code}):\n${err.slice(-2_000)}\n${out.slice(-2_000)}`));
      }
    });
  });
}

/** Starts a long-running `mlops` process and resolves once a line of its output matches `ready`. */
function startCli(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (ready.test(seen)) resolve(child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) =>
      reject(new Error(`mlops ${args.join(' ')} exited (${code}) before it was ready:\n${seen.slice(-2_000)}`)),
    );
  });
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function diskBytes(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + diskBytes(join(path, entry)), 0);
}

interface IngestSummaryLine {
  accepted: number;
  embedded: number;
  newPapers?: number;
  revised?: number;
  unchanged?: number;
  seconds: number;
  balanced: boolean;
}

class Workers {
  private io: ChildProcess | undefined;
  private cpu: ChildProcess[] = [];

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly watch: ProcessWatch,
  ) {}

  async start(cpuProcesses: number): Promise<void> {
    const ready = /worker running/;
    this.io = await startCli(['worker', '--queue', 'io'], this.env, ready);
    this.watch.watch('worker I/O', this.io.pid);
    for (let i = 0; i < cpuProcesses; i += 1) {
      const cpu = await startCli(['worker', '--queue', 'cpu'], this.env, ready);
      this.cpu.push(cpu);
      this.watch.watch(cpuProcesses === 1 ? 'worker CPU' : `worker CPU ${i + 1}`, cpu.pid);
    }
  }

  async stop(): Promise<void> {
    this.watch.forget('worker I/O');
    for (const [i] of this.cpu.entries())
      this.watch.forget(this.cpu.length === 1 ? 'worker CPU' : `worker CPU ${i + 1}`);
    await Promise.all([stop(this.io), ...this.cpu.map(stop)]);
    this.cpu = [];
  }
}

async function ingestAll(
  files: string[],
  env: NodeJS.ProcessEnv,
  watch: ProcessWatch,
  rows: StageRow[],
  prefix: string,
  consumers: number,
  fitsEmbedder = false,
): Promise<void> {
  for (const [index, file] of files.entries()) {
    const stage = `${prefix}ingest ${basename(file).replace(/\.jsonl\.gz$/, '')}`;
    note(`${stage}…`);
    watch.enter(stage);
    const summary = await runCli<IngestSummaryLine>(
      ['run', 'ingest', '--source', `file:${file}`, '--embed-consumers', String(consumers)],
      env,
    );
    if (!summary.balanced) throw new Error(`${stage}: the counts do not balance`);
    rows.push({
      stage,
      seconds: summary.seconds,
      papers: summary.accepted,
      detail: `new ${summary.newPapers ?? '?'} / revised ${summary.revised ?? '?'} / unchanged ${summary.unchanged ?? '?'}${fitsEmbedder && index === 0 ? ' (fits the embedder first)' : ''}`,
      rss: watch.peaksOf(stage),
    });
  }
}

async function predictThroughApi(
  env: NodeJS.ProcessEnv,
  watch: ProcessWatch,
  papers: Array<{ title: string; abstract: string }>,
): Promise<StageRow> {
  const port = await freePort();
  const api = await startCli(['api', '--port', String(port), '--log-level', 'warn'], env, /api listening on/);
  watch.watch('API', api.pid);
  try {
    watch.enter('serve');
    const started = performance.now();
    const latencies: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < papers.length) {
          const paper = papers[next++]!;
          const sent = performance.now();
          const response = await fetch(`http://127.0.0.1:${port}/v1/predict`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(paper),
          });
          if (!response.ok) throw new Error(`predict answered ${response.status}: ${await response.text()}`);
          await response.arrayBuffer();
          latencies.push(performance.now() - sent);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
    return {
      stage: 'serve',
      seconds,
      papers: papers.length,
      detail: `${papers.length} single-paper predictions, 8 at a time: p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`,
      rss: watch.peaksOf('serve'),
    };
  } finally {
    watch.forget('API');
    await stop(api);
  }
}

function engineDisk(config: AppConfig, statuses: EngineStatus[], objects: string): Record<string, string> {
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

async function dropRun(config: AppConfig, objects: string): Promise<void> {
  await removeIsolatedData(config);
  rmSync(objects, { recursive: true, force: true });
}

async function samplePapers(file: string, count: number): Promise<Array<{ title: string; abstract: string }>> {
  const { readSnapshot } = await import('../lib/arxiv/snapshot');
  const papers: Array<{ title: string; abstract: string }> = [];
  for await (const line of readSnapshot(file)) {
    if (line.item.ok) papers.push({ title: line.item.record.title, abstract: line.item.record.abstract });
    if (papers.length >= count) break;
  }
  return papers;
}

function printTable(rows: StageRow[], labels: string[]): void {
  const gb = (bytes: number | undefined) => (bytes ? (bytes / GB).toFixed(2) : '-');
  const header = ['stage', 'seconds', 'papers', 'papers/s', ...labels.map((label) => `${label} GB`), 'detail'];
  const body = rows.map((row) => [
    row.stage,
    row.seconds.toFixed(1),
    String(row.papers),
    row.seconds > 0 ? Math.round(row.papers / row.seconds).toString() : '-',
    ...labels.map((label) => gb(row.rss[label])),
    row.detail,
  ]);
  const widths = header.map((_, c) => Math.max(...[header, ...body].map((row) => row[c]!.length)));
  for (const row of [header, ...body])
    console.log(
      row
        .map((cell, c) => (c === 0 || c === row.length - 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join('  '),
    );
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
      note(`train on the papers published until ${options.trainUntil}…`);
      watch.enter('train');
      const trained = await runCli<{
        trainRows: number;
        validationRows: number;
        testRows: number;
        accuracy: number;
        macroF1: number;
        classes: string[];
        seconds: number;
      }>(['run', 'train', '--until', options.trainUntil], env);
      const trainedPapers = trained.trainRows + trained.validationRows + trained.testRows;
      rows.push({
        stage: `train (until ${options.trainUntil})`,
        seconds: trained.seconds,
        papers: trainedPapers,
        detail: `${trained.classes.length} classes, test accuracy ${trained.accuracy.toFixed(4)}, macro-F1 ${trained.macroF1.toFixed(3)}`,
        rss: watch.peaksOf('train'),
      });
      note('monitor the 2025–2026 papers…');
      watch.enter('monitor');
      const started = performance.now();
      const monitored = await runCli<{
        window: { found: number; compared: number };
        seconds: number;
        drift: boolean;
        qualityAlert: boolean;
      }>(['run', 'monitor', '--current', 'window:2025-01-01..2026-12-31', '--by', 'published', '--no-retrain'], env);
      rows.push({
        stage: 'monitor 2025–2026',
        seconds: (performance.now() - started) / 1000,
        papers: monitored.window.found,
        detail: `${monitored.window.compared} compared (fixed sample) of ${monitored.window.found}; workflow ${monitored.seconds.toFixed(1)} s; drift ${monitored.drift}, quality alert ${monitored.qualityAlert}`,
        rss: watch.peaksOf('monitor'),
      });
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
    const engines = ['temporal', 'redis', 'mongo', 'mlflow'];
    const labels = [
      ...watch.labels().filter((label) => !engines.includes(label)),
      ...engines.filter((engine) => watch.labels().includes(engine)),
    ];
    console.log(
      `\nbench:scale — ${options.multiply > 1 ? `the corpus ×${options.multiply} under derived ids${generated > 0 ? ` (${generated} lines)` : ''}` : 'the bundled corpus'}, local engines, peak RSS per process during each stage`,
    );
    printTable([...rows, ...scaleOut], labels);
    console.log('\ndisk:');
    for (const [engine, size] of Object.entries(disk)) console.log(`  ${engine.padEnd(13)} ${size}`);
    const ingest = rows.filter((row) => row.stage.startsWith('ingest'));
    const papersPerSecond = (list: StageRow[]) =>
      list.reduce((sum, row) => sum + row.papers, 0) /
      Math.max(
        1e-9,
        list.reduce((sum, row) => sum + row.seconds, 0),
      );
    const one = scaleOut.filter((row) => row.stage.startsWith('1 CPU'));
    const two = scaleOut.filter((row) => row.stage.startsWith('2 CPU'));
    if (one.length && two.length)
      console.log(
        `\nscale-out: 2 CPU worker processes ingest at ${(papersPerSecond(two) / papersPerSecond(one)).toFixed(2)}× the rate of 1`,
      );
    console.log(
      JSON.stringify({
        bench: 'scale',
        multiply: options.multiply,
        lines: generated || undefined,
        stages: [...rows, ...scaleOut],
        disk,
        ingestPapersPerSecond: papersPerSecond(ingest),
        scaleOutRatio: one.length && two.length ? papersPerSecond(two) / papersPerSecond(one) : null,
      }),
    );
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
