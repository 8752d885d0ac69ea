/*
 * Serving speed: autocannon (-c 50, one real abstract per request, rotating over 200 papers of the
 * bundled sample the model did not train on) against, in the same run and each in a process of
 * its own: a bare Fastify route answering a constant; POST /v1/predict with one paper and with 32,
 * its prediction log appended to a real Redis stream (drained into a real MongoDB meanwhile by a
 * drainer process, as the I/O worker does) or off, in one process and as `--workers N`; and, when
 * .venv has MLflow and scikit-learn, `mlflow models serve` of a TF-IDF + LinearSVC pipeline
 * trained on the same papers. Then our own work per paper (µs), outside HTTP.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../lib/config/config';
import { connectRedis } from '../lib/buffer/redis';
import { connectMongo } from '../lib/features/mongo';
import type { ModelFamily } from '../lib/model/family';
import { stackUp } from '../stack';
import { measure, type Body, type Figures } from './api-load';
import { ownWorkRows, predictLabel, reportApiBench, type LogFigures, type OwnWorkFigures } from './api-report';
import { note, WORKERS } from './api-settings';
import { samplePapers, TRAIN_PAPERS } from './api-target';
import { ask, startTarget, stopGroup } from './api-target-process';
import { startMlflowPeer } from './mlflow-peer';
import { measureOwnWorkOfBenchModels } from './own-work-of-bench-models';
import { peerPython } from './sklearn-peer';

const BATCH = 32;
const DATABASE = 'bench_api';
const STREAM = 'bench:api:predictions';

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
    await serveAndMeasure('tfidf-linear', 'redis', 1, [
      [predictLabel(1, 'on', 1), single('/v1/predict'), 1],
      [predictLabel(BATCH, 'on', 1), batches, BATCH],
      // The drain stores into MongoDB on these same two cores; paused, the row shows what the log costs the API itself.
      [`${predictLabel(1, 'on', 1)}, drainer paused (drained after)`, single('/v1/predict'), 1, 'drainer paused'],
    ]);
    await serveAndMeasure('tfidf-linear', 'off', 1, [[predictLabel(1, 'off', 1), single('/v1/predict'), 1]]);
    if (WORKERS > 1) {
      await serveAndMeasure('tfidf-linear', 'redis', WORKERS, [
        [predictLabel(1, 'on', WORKERS), single('/v1/predict'), 1],
      ]);
      await serveAndMeasure('tfidf-linear', 'off', WORKERS, [
        [predictLabel(1, 'off', WORKERS), single('/v1/predict'), 1],
      ]);
    }
    await serveAndMeasure('lsa-mlp', 'redis', 1, [
      [`${predictLabel(1, 'on', 1)}, lsa-mlp family`, single('/v1/predict'), 1],
    ]);

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
    ownWork = ownWorkRows(
      await measureOwnWorkOfBenchModels(served, { families: ['tfidf-linear', 'lsa-mlp'], logDocument: true }),
    );
  } finally {
    for (const child of children) if (child.exitCode === null) stopGroup(child);
    await mongo.db.dropDatabase().catch(() => undefined);
    await redis.del(STREAM).catch(() => undefined);
    redis.disconnect();
    await mongo.close();
    rmSync(dir, { recursive: true, force: true });
  }

  reportApiBench(figures, served.length, logged, ownWork, peerModel);
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench:api] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
