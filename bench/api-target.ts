import cluster from 'node:cluster';
import Fastify from 'fastify';
import { buildApp } from '../api/app';
import { ModelHolder } from '../api/model-holder';
import { connectRedis } from '../lib/buffer/redis';
import { paperText, type PaperRecord } from '../lib/arxiv/record';
import { readSnapshot } from '../lib/arxiv/snapshot';
import { resolveFromRoot } from '../lib/config/paths';
import { DeadLetterStore } from '../lib/deadletters/dead-letter-store';
import { DEFAULT_LSA_CONFIG, fitLsaEmbedder } from '../lib/embedding/lsa-embedder';
import { connectMongo } from '../lib/features/mongo';
import { fitCandidate, type LabeledPaper } from '../lib/model/candidate-fit';
import { parseCandidate } from '../lib/model/candidates';
import { isModelFamily, type ModelFamily } from '../lib/model/family';
import { stratifiedSplit } from '../lib/model/split';
import { PredictionDrainer } from '../lib/predictions/prediction-drainer';
import { PredictionPublisher, publisherConnection } from '../lib/predictions/prediction-publisher';
import { PredictionStore } from '../lib/predictions/prediction-store';
import { textPredictor, type TextPredictor } from '../lib/tracking/serving-model';

/**
 * A server for bench:api, run as its own process so the load generator does not share its event
 * loop, telling the parent its port over IPC:
 * - `bare`: a Fastify route answering a constant;
 * - `serve <family> <redis|off> <workers>`: the inference API with a model trained here on the
 *   bundled sample, its prediction log appended to a Redis stream (BENCH_REDIS_URL,
 *   BENCH_PREDICTION_STREAM) or off, in one process or as a cluster of that many workers (each
 *   trains the same model: the fit is seeded);
 * - `drain`: the I/O worker's drainer moving that stream into MongoDB (BENCH_MONGODB_URI).
 */
export const SAMPLE = resolveFromRoot('data/sample/arxiv-sample.jsonl.gz');
export const TRAIN_PAPERS = 4_000;

export async function samplePapers(): Promise<PaperRecord[]> {
  const papers: PaperRecord[] = [];
  for await (const { item } of readSnapshot(SAMPLE)) if (item.ok) papers.push(item.record);
  return papers;
}

/** The served model: an lsa-mlp (12 epochs at most) or a tfidf-linear candidate, trained as the pipeline trains candidates. */
export async function benchPredictor(family: ModelFamily): Promise<TextPredictor> {
  const papers = (await samplePapers()).slice(0, TRAIN_PAPERS);
  const embedder = fitLsaEmbedder(papers.map(paperText), DEFAULT_LSA_CONFIG);
  const examples = papers.map((paper): LabeledPaper => ({
    id: paper.id,
    label: paper.primaryCategory,
    vector: embedder.embed(paperText(paper)),
    text: paperText(paper),
    title: paper.title,
  }));
  const split = stratifiedSplit(
    examples,
    (e) => e.label,
    (e) => e.id,
    { test: 0.1, validation: 0.1 },
    42,
  );
  const trained = await fitCandidate(parseCandidate(family === 'lsa-mlp' ? 'lsa-mlp:maxEpochs=12' : family), split);
  return textPredictor(
    { runId: 'bench', family, model: trained.model, encoder: trained.encoder, embedderVersion: embedder.version },
    embedder,
  );
}

async function bare(): Promise<number> {
  const app = Fastify({ logger: false });
  app.post('/bare', async () => ({ category: 'cs.LG' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as { port: number }).port;
}

async function serve(
  family: ModelFamily,
  logged: boolean,
  clustered: boolean,
): Promise<{ port: number; log: PredictionPublisher | undefined }> {
  const predictor = await benchPredictor(family);
  const models = new ModelHolder({
    predictor,
    modelName: 'bench',
    modelVersion: '1',
    chosenBy: 'alias',
    alias: 'champion',
    loadedAt: new Date(),
  });
  let log: PredictionPublisher | undefined;
  if (logged) {
    log = new PredictionPublisher(publisherConnection(process.env.BENCH_REDIS_URL!), {
      stream: process.env.BENCH_PREDICTION_STREAM!,
      maxBacklog: 100_000,
      maxBacklogBytes: 256 * 1024 * 1024,
    });
    log.start();
  }
  // As `mlops api` runs it (API_LOG_LEVEL=warn: no line per request), with a rate limit no client reaches.
  const app = buildApp(
    { models, log, redisReachable: async () => true },
    { logLevel: 'warn', clustered, limits: { requestsPerMinute: 100_000_000, papersPerMinute: 100_000_000 } },
  );
  await app.listen({ host: '127.0.0.1', port: Number(process.env.BENCH_PORT ?? 0) });
  return { port: (app.server.address() as { port: number }).port, log };
}

/** The primary of a cluster target: forks the workers and tells the parent once they all listen. */
function servePrimary(workers: number): void {
  let listening = 0;
  const appended = new Map<number, { appended: number; backlog: number }>();
  cluster.on('message', (worker, message: { port?: number; appended?: number; backlog?: number }) => {
    if (typeof message !== 'object' || message === null) return;
    if (message.port !== undefined && (listening += 1) === workers) process.send!({ port: message.port, workers });
    if (message.appended !== undefined)
      appended.set(worker.id, { appended: message.appended, backlog: message.backlog ?? 0 });
  });
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  for (let i = 0; i < workers; i += 1) cluster.fork({ BENCH_PORT: String(port) });
  process.on('message', (message: { ask?: string }) => {
    if (message.ask !== 'log') return;
    appended.clear();
    for (const worker of Object.values(cluster.workers ?? {})) worker?.send({ ask: 'log' });
    const wait = setInterval(() => {
      if (appended.size < workers) return;
      clearInterval(wait);
      const sum = [...appended.values()].reduce(
        (total, part) => ({ appended: total.appended + part.appended, backlog: total.backlog + part.backlog }),
        { appended: 0, backlog: 0 },
      );
      process.send!(sum);
    }, 20);
  });
}

async function drain(): Promise<void> {
  const redis = await connectRedis(process.env.BENCH_REDIS_URL!, 'bench-api-drainer');
  const mongo = await connectMongo(process.env.BENCH_MONGODB_URI!, process.env.BENCH_MONGODB_DATABASE!);
  const newDrainer = () =>
    new PredictionDrainer(redis, new PredictionStore(mongo.db, 0), new DeadLetterStore(mongo.db), {
      stream: process.env.BENCH_PREDICTION_STREAM!,
      group: 'bench',
      consumer: 'bench-drainer',
    });
  let drainer = newDrainer();
  let stored = 0;
  let duplicates = 0;
  await drainer.ensureGroup();
  drainer.start();
  process.send!({ port: 0 });
  // `pause` and `resume` let the bench tell the API's own cost of the log from the drain's, which shares these cores.
  process.on('message', (message: { ask?: string }) => {
    if (message.ask === 'log')
      void drainer.depth().then((depth) =>
        process.send!({
          stored: stored + drainer.stats.stored,
          duplicates: duplicates + drainer.stats.duplicates,
          depth,
        }),
      );
    if (message.ask === 'pause') {
      void drainer.stop().then(() => {
        stored += drainer.stats.stored;
        duplicates += drainer.stats.duplicates;
        drainer = newDrainer();
        process.send!({ paused: true });
      });
    }
    if (message.ask === 'resume') {
      drainer.start();
      process.send!({ resumed: true });
    }
  });
}

async function main(): Promise<void> {
  const [mode, family = 'tfidf-linear', logging = 'redis', workerCount = '1'] = process.argv.slice(2);
  if (mode === 'bare') {
    process.send!({ port: await bare() });
  } else if (mode === 'drain') {
    await drain();
  } else if (mode === 'serve' && isModelFamily(family)) {
    const workers = Number(workerCount);
    if (workers > 1 && cluster.isPrimary) return servePrimary(workers);
    const served = await serve(family, logging === 'redis', workers > 1);
    process.send!({ port: served.port });
    process.on('message', (message: { ask?: string }) => {
      // After the requests still in flight when the load stopped.
      if (message.ask === 'log')
        setTimeout(
          () => process.send!({ appended: served.log?.appendedCount ?? 0, backlog: served.log?.backlog ?? 0 }),
          1_000,
        );
    });
  } else {
    throw new Error(
      `usage: api-target bare | drain | serve lsa-mlp|tfidf-linear redis|off <workers> (got ${process.argv.slice(2).join(' ')})`,
    );
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
