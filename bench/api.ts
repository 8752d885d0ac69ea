import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '../lib/config/config';
import { resolveFromRoot } from '../lib/config/paths';
import { connectMongo } from '../lib/features/mongo';
import { stackUp } from '../stack';
import { samplePapers, TRAIN_PAPERS } from './api-target';
import { peerPython } from './sklearn-peer';

/**
 * Serving speed: autocannon (-c 50, one real abstract per request, rotating over 200 papers of the
 * bundled sample the model did not train on) against, in the same run and each in a process of
 * its own: a bare Fastify route answering a constant; POST /v1/predict with one paper and with 32;
 * and, when .venv has MLflow and scikit-learn, `mlflow models serve` of a TF-IDF + LinearSVC
 * pipeline trained on the same papers. Our API logs every prediction to a real MongoDB meanwhile.
 */
const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 10);
const WARM_UP_SECONDS = 3;
const BATCH = 32;
const DATABASE = 'bench_api';

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

function startTarget(mode: 'bare' | 'ours' | 'ours-unlogged' | 'ours-sparse', env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number; info: Record<string, number> }> {
  const child = fork(resolveFromRoot('dist/bench/api-target.js'), [mode], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (message: { port: number } & Record<string, number>) => resolve({ child, port: message.port, info: message }));
    child.once('exit', (code) => reject(new Error(`the ${mode} server exited with code ${code} before listening`)));
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
    const ok = await fetch(`${url}/ping`).then((response) => response.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`mlflow models serve did not answer /ping within ${timeoutMs / 1000} s`);
}

async function startMlflowPeer(python: string, train: Array<{ title: string; abstract: string; label: string }>, dir: string): Promise<{ child: ChildProcess; url: string; model: string; vocabulary: number }> {
  const input = join(dir, 'train.json');
  writeFileSync(input, JSON.stringify(train));
  const modelDir = join(dir, 'peer-model');
  note('training the scikit-learn peer and saving it as an MLflow model…');
  const trained = spawnSync(python, [resolveFromRoot('bench/api_peer_mlflow.py'), input, modelDir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (trained.status !== 0) throw new Error(`the peer's training exited with code ${trained.status}`);
  const peer = JSON.parse(trained.stdout.trim().split('\n').pop()!) as { model: string; vocabulary: number };
  const port = await freePort();
  const venvBin = resolveFromRoot('.venv/bin');
  note(`starting mlflow models serve on port ${port} (1 worker, the default)…`);
  const child = spawn(join(venvBin, 'mlflow'), ['models', 'serve', '-m', modelDir, '-h', '127.0.0.1', '-p', String(port), '--env-manager', 'local'], {
    env: { ...process.env, PATH: `${venvBin}:${process.env.PATH ?? ''}`, MLFLOW_ALLOW_PICKLE_DESERIALIZATION: 'true' },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
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

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.mongo.endpoint.external) {
    note('starting the local MongoDB-protocol server (the prediction log writes to it)…');
    await stackUp(config, { engines: ['mongo'] });
  }
  const papers = await samplePapers();
  const served = papers.slice(TRAIN_PAPERS, TRAIN_PAPERS + 200).map(({ title, abstract }) => ({ title, abstract: abstract.slice(0, 10_000) }));
  const json = { 'content-type': 'application/json' };
  const single = (path: string) => served.map((paper): Body => ({ method: 'POST', path, headers: json, body: JSON.stringify(paper) }));
  const batches = Array.from({ length: served.length / 8 }, (_, i): Body => ({
    method: 'POST',
    path: '/v1/predict',
    headers: json,
    body: JSON.stringify({ items: Array.from({ length: BATCH }, (_, j) => served[(i * 8 + j) % served.length]) }),
  }));
  const peerBodies = served.map((paper): Body => ({ method: 'POST', path: '/invocations', headers: json, body: JSON.stringify({ dataframe_records: [paper] }) }));

  const dir = mkdtempSync(join(tmpdir(), 'bench-api-'));
  const children: ChildProcess[] = [];
  const figures: Figures[] = [];
  let peerModel: string | null = null;
  let logged: { written: number; backlog: number; dropped: number } | null = null;
  const mongo = await connectMongo(config.mongo.endpoint.url, DATABASE);
  try {
    await mongo.db.dropDatabase();
    const env = { ...process.env, BENCH_MONGODB_URI: config.mongo.endpoint.url, BENCH_MONGODB_DATABASE: DATABASE };
    const bare = await startTarget('bare', env);
    children.push(bare.child);
    figures.push(await measure('bare Fastify route (constant answer)', `http://127.0.0.1:${bare.port}`, single('/bare'), 1));
    bare.child.kill('SIGTERM');

    note(`training the served model on ${TRAIN_PAPERS} papers of the bundled sample…`);
    const ours = await startTarget('ours', env);
    children.push(ours.child);
    const url = `http://127.0.0.1:${ours.port}`;
    const check = await fetch(`${url}/v1/predict`, { method: 'POST', headers: json, body: JSON.stringify(served[0]) });
    if (check.status !== 200) throw new Error(`POST /v1/predict answered ${check.status}: ${await check.text()}`);
    figures.push(await measure('POST /v1/predict, 1 paper', url, single('/v1/predict'), 1));
    figures.push(await measure(`POST /v1/predict, ${BATCH} papers`, url, batches, BATCH));
    logged = await new Promise((resolve) => {
      ours.child.once('message', (message: { written: number; backlog: number; dropped: number }) => resolve(message));
      ours.child.send({ ask: 'log' });
    });
    ours.child.kill('SIGTERM');

    note('the same API without its prediction log (MongoDB shares these cores)…');
    const unlogged = await startTarget('ours-unlogged', env);
    children.push(unlogged.child);
    figures.push(await measure('POST /v1/predict, 1 paper, no prediction log', `http://127.0.0.1:${unlogged.port}`, single('/v1/predict'), 1));
    unlogged.child.kill('SIGTERM');

    note('the API serving the tfidf-linear family (same papers, with its prediction log)…');
    const sparse = await startTarget('ours-sparse', env);
    children.push(sparse.child);
    figures.push(await measure('POST /v1/predict, 1 paper, tfidf-linear family', `http://127.0.0.1:${sparse.port}`, single('/v1/predict'), 1));
    figures.push(await measure(`POST /v1/predict, ${BATCH} papers, tfidf-linear family`, `http://127.0.0.1:${sparse.port}`, batches, BATCH));
    sparse.child.kill('SIGTERM');

    const python = peerPython();
    if (python && spawnSync(python, ['-c', 'import mlflow'], { stdio: 'ignore' }).status === 0) {
      const train = papers.slice(0, TRAIN_PAPERS).map(({ title, abstract, primaryCategory }) => ({ title, abstract, label: primaryCategory }));
      const peer = await startMlflowPeer(python, train, dir);
      children.push(peer.child);
      peerModel = peer.model;
      const probe = await fetch(`${peer.url}/invocations`, { method: 'POST', headers: json, body: peerBodies[0]!.body });
      if (probe.status !== 200) throw new Error(`mlflow models serve answered ${probe.status}: ${await probe.text()}`);
      figures.push(await measure('mlflow models serve, 1 paper (peer)', peer.url, peerBodies, 1));
      stopGroup(peer.child);
    } else {
      note('no MLflow + scikit-learn in .venv: the peer is skipped (npm run setup installs them)');
    }
  } finally {
    for (const child of children) if (child.exitCode === null) stopGroup(child);
    await mongo.db.dropDatabase().catch(() => undefined);
    await mongo.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const [bareRoute, predictOne] = [figures[0]!, figures[1]!];
  const peer = figures.find((figure) => figure.target.includes('(peer)'));
  const rows = [['', 'req/s', 'papers/s', 'p50 ms', 'p99 ms', 'requests', 'failed']];
  for (const f of figures) rows.push([f.target, f.requestsPerSecond.toFixed(0), f.papersPerSecond.toFixed(0), f.p50Ms.toFixed(1), f.p99Ms.toFixed(1), String(f.requests), String(f.failed)]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  console.log(`\nautocannon -c ${CONNECTIONS}, ${SECONDS} s per target after ${WARM_UP_SECONDS} s of warm-up, on ${served.length} real abstracts`);
  for (const row of rows) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   '));
  const ofBare = predictOne.requestsPerSecond / bareRoute.requestsPerSecond;
  const overPeer = peer ? predictOne.requestsPerSecond / peer.requestsPerSecond : null;
  console.log(`single-paper predict: ${(ofBare * 100).toFixed(1)}% of the bare route's req/s (aim ≥ 30%)${overPeer === null ? '' : `, ${overPeer.toFixed(1)}× the MLflow peer (aim ≥ 20×)`}, p99 ${predictOne.p99Ms.toFixed(1)} ms (aim < 20 ms)`);
  if (logged) console.log(`prediction log: ${logged.written} predictions written to MongoDB, ${logged.backlog} left, ${logged.dropped} dropped`);
  console.log(
    JSON.stringify({
      connections: CONNECTIONS,
      seconds: SECONDS,
      targets: figures,
      predictShareOfBare: ofBare,
      predictOverMlflowPeer: overPeer,
      peerModel,
      predictionLog: logged,
    }),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench:api] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
