import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '../lib/config/config';
import { resolveFromRoot } from '../lib/config/paths';
import { connectRedis } from '../lib/buffer/redis';
import { connectMongo } from '../lib/features/mongo';
import type { ModelFamily } from '../lib/model/family';
import { stackUp } from '../stack';
import { predictionDocuments } from '../api/routes/predict';
import { encodePrediction } from '../lib/predictions/prediction-document';
import { benchPredictor, samplePapers, TRAIN_PAPERS } from './api-target';
import { measureOwnWork, type StageMicroseconds } from './own-work';
import { peerPython } from './sklearn-peer';

/**
 * Serving speed: autocannon (-c 50, one real abstract per request, rotating over 200 papers of the
 * bundled sample the model did not train on) against, in the same run and each in a process of
 * its own: a bare Fastify route answering a constant; POST /v1/predict with one paper and with 32,
 * its prediction log appended to a real Redis stream (drained into a real MongoDB meanwhile by a
 * drainer process, as the I/O worker does) or off, in one process and as `--workers N`; and, when
 * .venv has MLflow and scikit-learn, `mlflow models serve` of a TF-IDF + LinearSVC pipeline
 * trained on the same papers. Then our own work per paper (µs), outside HTTP.
 */
const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 10);
const WARM_UP_SECONDS = 3;
const BATCH = 32;
const DATABASE = 'bench_api';
const STREAM = 'bench:api:predictions';
const WORKERS = Number(process.env.BENCH_API_WORKERS ?? availableParallelism());

function note(message: string): void {
  process.stderr.write(`[bench:api] ${message}\n`);
}

interface Figures {
  target: string;
  requestsPerSecond: number;
  papersPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  failed: number;
}

type Body = { method: 'POST'; path: string; headers: Record<string, string>; body: string };

async function load(url: string, requests: Body[], seconds: number) {
  return autocannon({ url, connections: CONNECTIONS, duration: seconds, requests });
}

async function measure(target: string, url: string, requests: Body[], papersPerRequest: number): Promise<Figures> {
  note(`${target}: warming up ${WARM_UP_SECONDS} s, then ${SECONDS} s at -c ${CONNECTIONS}…`);
  await load(url, requests, WARM_UP_SECONDS);
  const result = await load(url, requests, SECONDS);
  return {
    target,
    requestsPerSecond: result.requests.average,
    papersPerSecond: result.requests.average * papersPerRequest,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    failed: result.errors + result.timeouts + result.non2xx,
  };
}

function startTarget(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(resolveFromRoot('dist/bench/api-target.js'), args, {
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve({ child, port: message.port }));
    child.once('exit', (code) =>
      reject(new Error(`the ${args.join(' ')} target exited with code ${code} before listening`)),
    );
  });
}

function ask<T>(child: ChildProcess, what = 'log'): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (message: T) => resolve(message));
    child.send({ ask: what });
  });
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

async function waitForPing(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mlflow models serve exited with code ${child.exitCode}`);
    const ok = await fetch(`${url}/ping`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`mlflow models serve did not answer /ping within ${timeoutMs / 1000} s`);
}

async function startMlflowPeer(
  python: string,
  train: Array<{ title: string; abstract: string; label: string }>,
  dir: string,
): Promise<{ child: ChildProcess; url: string; model: string; vocabulary: number }> {
  const input = join(dir, 'train.json');
  writeFileSync(input, JSON.stringify(train));
  const modelDir = join(dir, 'peer-model');
  note('training the scikit-learn peer and saving it as an MLflow model…');
  const trained = spawnSync(python, [resolveFromRoot('bench/api_peer_mlflow.py'), input, modelDir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (trained.status !== 0) throw new Error(`the peer's training exited with code ${trained.status}`);
  const peer = JSON.parse(trained.stdout.trim().split('\n').pop()!) as { model: string; vocabulary: number };
  const port = await freePort();
  const venvBin = resolveFromRoot('.venv/bin');
  note(`starting mlflow models serve on port ${port} (1 worker, the default)…`);
  const child = spawn(
    join(venvBin, 'mlflow'),
    ['models', 'serve', '-m', modelDir, '-h', '127.0.0.1', '-p', String(port), '--env-manager', 'local'],
    {
      env: {
        ...process.env,
        PATH: `${venvBin}:${process.env.PATH ?? ''}`,
        MLFLOW_ALLOW_PICKLE_DESERIALIZATION: 'true',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    },
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4_000)));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForPing(url, child, 180_000);
  } catch (error) {
    process.stderr.write(stderr);
    throw error;
  }
  return { child, url, model: peer.model, vocabulary: peer.vocabulary };
}

function stopGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
}

interface OwnWorkRow {
  family: ModelFamily;
  /** Medians of µs per paper: embed, classify, the whole predict; and the log's document (hash, descriptors, BSON). */
  perPaperUs: StageMicroseconds & { logRecord: number; ownWork: number };
}
type OwnWorkFigures = OwnWorkRow[];

/** µs per paper of our own code for each family's bench model: the predictor's steps, then building the log's document. */
async function measureOwnWorkOfBenchModels(
  papers: ReadonlyArray<{ title: string; abstract: string }>,
): Promise<OwnWorkFigures> {
  const rows: OwnWorkFigures = [];
  for (const family of ['tfidf-linear', 'lsa-mlp'] as const) {
    const predictor = await benchPredictor(family);
    try {
      const { perPaperUs } = measureOwnWork(predictor, papers);
      const model = { name: 'bench', version: '1', runId: predictor.runId, embedderVersion: predictor.embedderVersion };
      const scored = papers.map((paper) => predictor.predict([paper]));
      const answered = scored.map(([prediction]) => ({
        category: prediction!.category,
        top: [{ category: prediction!.category, probability: 1 }],
      }));
      const times: number[] = [];
      for (let call = 0; call < 4_000; call += 1) {
        const i = call % papers.length;
        const started = process.hrtime.bigint();
        for (const document of predictionDocuments(
          'bench-request',
          new Date(),
          [papers[i]!],
          scored[i]!,
          [answered[i]!],
          model,
          false,
        ))
          encodePrediction(document);
        if (call >= 500) times.push(Number(process.hrtime.bigint() - started) / 1_000);
      }
      times.sort((a, b) => a - b);
      const logRecord = times[Math.floor(times.length / 2)]!;
      rows.push({ family, perPaperUs: { ...perPaperUs, logRecord, ownWork: perPaperUs.total + logRecord } });
    } finally {
      predictor.dispose();
    }
  }
  return rows;
}

function printOwnWork(rows: OwnWorkFigures): void {
  console.log('\nour own work per paper, one paper per call (median µs), outside HTTP:');
  const table = [['family', 'embed', 'classify', 'predict', 'log document', 'own work']];
  for (const row of rows) {
    const us = row.perPaperUs;
    table.push([
      row.family,
      us.embed.toFixed(1),
      us.classify.toFixed(1),
      us.total.toFixed(1),
      us.logRecord.toFixed(1),
      us.ownWork.toFixed(1),
    ]);
  }
  const widths = table[0]!.map((_, c) => Math.max(...table.map((line) => line[c]!.length)));
  for (const line of table)
    console.log(line.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   '));
  console.log('(aim: own work ≤ 100 µs per paper)');
}

interface LogFigures {
  appended: number;
  backlog: number;
  stored: number;
  duplicates: number;
  depth: number;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const engines = [...(config.mongo.endpoint.external ? [] : ['mongo']), ...(config.redis.external ? [] : ['redis'])];
  if (engines.length > 0) {
    note(`starting the local ${engines.join(' and ')} (the prediction log goes through them)…`);
    await stackUp(config, { engines });
  }
  const papers = await samplePapers();
  const served = papers
    .slice(TRAIN_PAPERS, TRAIN_PAPERS + 200)
    .map(({ title, abstract }) => ({ title, abstract: abstract.slice(0, 10_000) }));
  const json = { 'content-type': 'application/json' };
  const single = (path: string) =>
    served.map((paper): Body => ({ method: 'POST', path, headers: json, body: JSON.stringify(paper) }));
  const batches = Array.from({ length: served.length / 8 }, (_, i): Body => ({
    method: 'POST',
    path: '/v1/predict',
    headers: json,
    body: JSON.stringify({ items: Array.from({ length: BATCH }, (_, j) => served[(i * 8 + j) % served.length]) }),
  }));
  const peerBodies = served.map((paper): Body => ({
    method: 'POST',
    path: '/invocations',
    headers: json,
    body: JSON.stringify({ dataframe_records: [paper] }),
  }));

  const dir = mkdtempSync(join(tmpdir(), 'bench-api-'));
  const children: ChildProcess[] = [];
  const figures: Figures[] = [];
  let peerModel: string | null = null;
  const logged: LogFigures = { appended: 0, backlog: 0, stored: 0, duplicates: 0, depth: 0 };
  const mongo = await connectMongo(config.mongo.endpoint.url, DATABASE);
  const redis = await connectRedis(config.redis.url, 'bench-api');
  let ownWork: OwnWorkFigures | null = null;
  try {
    await mongo.db.dropDatabase();
    await redis.del(STREAM);
    const env = {
      ...process.env,
      BENCH_MONGODB_URI: config.mongo.endpoint.url,
      BENCH_MONGODB_DATABASE: DATABASE,
      BENCH_REDIS_URL: config.redis.url,
      BENCH_PREDICTION_STREAM: STREAM,
    };
    const bare = await startTarget(['bare'], env);
    children.push(bare.child);
    figures.push(
      await measure('bare Fastify route (constant answer)', `http://127.0.0.1:${bare.port}`, single('/bare'), 1),
    );
    stopGroup(bare.child);

    note("starting the drainer (the I/O worker's, in a process of its own)…");
    const drainer = await startTarget(['drain'], env);
    children.push(drainer.child);

    /** One served target: trained, measured with each body set, its log's counts added up, stopped. */
    const serveAndMeasure = async (
      family: ModelFamily,
      logging: 'redis' | 'off',
      workers: number,
      rows: Array<[string, Body[], number, 'drainer paused'?]>,
    ) => {
      note(
        `training the served ${family} model on ${TRAIN_PAPERS} papers of the bundled sample${workers > 1 ? ` in each of ${workers} workers` : ''}…`,
      );
      const target = await startTarget(['serve', family, logging, String(workers)], env);
      children.push(target.child);
      const url = `http://127.0.0.1:${target.port}`;
      const check = await fetch(`${url}/v1/predict`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify(served[0]),
      });
      if (check.status !== 200) throw new Error(`POST /v1/predict answered ${check.status}: ${await check.text()}`);
      for (const [name, bodies, perRequest, paused] of rows) {
        if (paused) await ask(drainer.child, 'pause');
        figures.push(await measure(name, url, bodies, perRequest));
        if (paused) await ask(drainer.child, 'resume');
      }
      const counts = await ask<{ appended: number; backlog: number }>(target.child);
      logged.appended += counts.appended;
      logged.backlog += counts.backlog;
      stopGroup(target.child);
      await new Promise((resolve) => target.child.once('exit', resolve));
    };
    const label = (papersPerRequest: number, log: string, workers: number) =>
      `POST /v1/predict, ${papersPerRequest} paper${papersPerRequest > 1 ? 's' : ''}, log ${log}, ${workers} worker${workers > 1 ? 's' : ''}`;
    await serveAndMeasure('tfidf-linear', 'redis', 1, [
      [label(1, 'on', 1), single('/v1/predict'), 1],
      [label(BATCH, 'on', 1), batches, BATCH],
      // The drain stores into MongoDB on these same two cores; paused, the row shows what the log costs the API itself.
      [`${label(1, 'on', 1)}, drainer paused (drained after)`, single('/v1/predict'), 1, 'drainer paused'],
    ]);
    await serveAndMeasure('tfidf-linear', 'off', 1, [[label(1, 'off', 1), single('/v1/predict'), 1]]);
    if (WORKERS > 1) {
      await serveAndMeasure('tfidf-linear', 'redis', WORKERS, [[label(1, 'on', WORKERS), single('/v1/predict'), 1]]);
      await serveAndMeasure('tfidf-linear', 'off', WORKERS, [[label(1, 'off', WORKERS), single('/v1/predict'), 1]]);
    }
    await serveAndMeasure('lsa-mlp', 'redis', 1, [[`${label(1, 'on', 1)}, lsa-mlp family`, single('/v1/predict'), 1]]);

    note('waiting for the drainer to store what the stream holds…');
    for (
      let depth = await redis.xlen(STREAM), waited = 0;
      depth > 0 && waited < 120;
      waited += 1, depth = await redis.xlen(STREAM)
    )
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    const drained = await ask<{ stored: number; duplicates: number; depth: number }>(drainer.child);
    Object.assign(logged, drained);
    stopGroup(drainer.child);

    const python = peerPython();
    if (python && spawnSync(python, ['-c', 'import mlflow'], { stdio: 'ignore' }).status === 0) {
      const train = papers
        .slice(0, TRAIN_PAPERS)
        .map(({ title, abstract, primaryCategory }) => ({ title, abstract, label: primaryCategory }));
      const peer = await startMlflowPeer(python, train, dir);
      children.push(peer.child);
      peerModel = peer.model;
      const probe = await fetch(`${peer.url}/invocations`, {
        method: 'POST',
        headers: json,
        body: peerBodies[0]!.body,
      });
      if (probe.status !== 200) throw new Error(`mlflow models serve answered ${probe.status}: ${await probe.text()}`);
      figures.push(await measure('mlflow models serve, 1 paper (peer)', peer.url, peerBodies, 1));
      stopGroup(peer.child);
    } else {
      note('no MLflow + scikit-learn in .venv: the peer is skipped (npm run setup installs them)');
    }

    note('our own work per paper, outside HTTP (both families)…');
    ownWork = await measureOwnWorkOfBenchModels(served);
  } finally {
    for (const child of children) if (child.exitCode === null) stopGroup(child);
    await mongo.db.dropDatabase().catch(() => undefined);
    await redis.del(STREAM).catch(() => undefined);
    redis.disconnect();
    await mongo.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const find = (prefix: string) => figures.find((figure) => figure.target.startsWith(prefix));
  const bareRoute = figures[0]!;
  const on1 = find(label1('on', 1))!;
  const off1 = find(label1('off', 1))!;
  const onN = find(label1('on', WORKERS));
  const offN = find(label1('off', WORKERS));
  const peer = figures.find((figure) => figure.target.includes('(peer)'));
  const rows = [['', 'req/s', 'papers/s', 'p50 ms', 'p99 ms', 'requests', 'failed']];
  for (const f of figures)
    rows.push([
      f.target,
      f.requestsPerSecond.toFixed(0),
      f.papersPerSecond.toFixed(0),
      f.p50Ms.toFixed(1),
      f.p99Ms.toFixed(1),
      String(f.requests),
      String(f.failed),
    ]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  console.log(
    `\nautocannon -c ${CONNECTIONS}, ${SECONDS} s per target after ${WARM_UP_SECONDS} s of warm-up, on ${served.length} real abstracts; tfidf-linear unless said`,
  );
  for (const row of rows)
    console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   '));
  const best = onN && onN.requestsPerSecond > on1.requestsPerSecond ? onN : on1;
  const logShare = on1.requestsPerSecond / off1.requestsPerSecond;
  const logShareN = onN && offN ? onN.requestsPerSecond / offN.requestsPerSecond : null;
  const paused = figures.find((figure) => figure.target.endsWith('drainer paused (drained after)'));
  const pausedShare = paused ? paused.requestsPerSecond / off1.requestsPerSecond : null;
  const overPeer = peer ? best.requestsPerSecond / peer.requestsPerSecond : null;
  console.log(
    `log on / log off: ${(logShare * 100).toFixed(1)}% with 1 worker${logShareN === null ? '' : `, ${(logShareN * 100).toFixed(1)}% with ${WORKERS}`} (aim ≥ 80%)` +
      `${pausedShare === null ? '' : `, ${(pausedShare * 100).toFixed(1)}% with the drainer paused`}; ` +
      `${overPeer === null ? '' : `${overPeer.toFixed(1)}× the MLflow peer (aim ≥ 20×); `}p99 ${best.p99Ms.toFixed(1)} ms log on (aim < 30 ms)`,
  );
  console.log(
    `prediction log: ${logged.appended} appended to Redis by the API (${logged.backlog} left in backlogs), ${logged.stored} stored in MongoDB by the drainer (${logged.duplicates} duplicates skipped), ${logged.depth} left in the stream`,
  );
  if (ownWork) printOwnWork(ownWork);
  console.log(
    JSON.stringify({
      connections: CONNECTIONS,
      seconds: SECONDS,
      workers: WORKERS,
      targets: figures,
      bareRequestsPerSecond: bareRoute.requestsPerSecond,
      logOnShareOfLogOff: logShare,
      logOnShareOfLogOffWorkers: logShareN,
      logOnDrainerPausedShareOfLogOff: pausedShare,
      workersSpeedup: onN ? onN.requestsPerSecond / on1.requestsPerSecond : null,
      predictOverMlflowPeer: overPeer,
      bestP99Ms: best.p99Ms,
      peerModel,
      predictionLog: logged,
      ownWork,
    }),
  );
}

const label1 = (log: string, workers: number) =>
  `POST /v1/predict, 1 paper, log ${log}, ${workers} worker${workers > 1 ? 's' : ''}`;

main().catch((error: unknown) => {
  process.stderr.write(`[bench:api] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
