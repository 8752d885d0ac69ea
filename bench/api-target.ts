import Fastify from 'fastify';
import { buildApp } from '../api/app';
import { ModelHolder } from '../api/model-holder';
import { paperText, type PaperRecord } from '../lib/arxiv/record';
import { readSnapshot } from '../lib/arxiv/snapshot';
import { resolveFromRoot } from '../lib/config/paths';
import { DEFAULT_LSA_CONFIG, fitLsaEmbedder } from '../lib/embedding/lsa-embedder';
import { openMongo } from '../lib/features/mongo';
import { fitCandidate, type LabeledPaper } from '../lib/model/candidate-fit';
import { parseCandidate } from '../lib/model/candidates';
import type { ModelFamily } from '../lib/model/family';
import { stratifiedSplit } from '../lib/model/split';
import { PredictionLog } from '../lib/predictions/prediction-log';
import { textPredictor } from '../lib/tracking/serving-model';

/**
 * A server for bench:api, run as its own process so the load generator does not share its event
 * loop: `bare` is a Fastify route answering a constant; `ours` is the inference API with a model
 * trained here on the bundled sample and its prediction log writing to MongoDB (BENCH_MONGODB_URI);
 * `ours-unlogged` the same without the log (what a MongoDB on the same cores costs);
 * `ours-sparse` the API serving the tfidf-linear family instead, with its log.
 * Tells the parent its port over IPC.
 */
export const SAMPLE = resolveFromRoot('data/sample/arxiv-sample.jsonl.gz');
export const TRAIN_PAPERS = 4_000;

export async function samplePapers(): Promise<PaperRecord[]> {
  const papers: PaperRecord[] = [];
  for await (const { item } of readSnapshot(SAMPLE)) if (item.ok) papers.push(item.record);
  return papers;
}

async function bare(): Promise<number> {
  const app = Fastify({ logger: false });
  app.post('/bare', async () => ({ category: 'cs.LG' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as { port: number }).port;
}

/** The served model: an lsa-mlp (12 epochs at most) or a tfidf-linear candidate, trained as the pipeline trains candidates. */
async function ours(logged: boolean, family: ModelFamily): Promise<{ port: number; classes: number; dimensions: number; log: PredictionLog }> {
  const papers = (await samplePapers()).slice(0, TRAIN_PAPERS);
  const embedder = fitLsaEmbedder(papers.map(paperText), DEFAULT_LSA_CONFIG);
  const examples = papers.map((paper): LabeledPaper => ({ id: paper.id, label: paper.primaryCategory, vector: embedder.embed(paperText(paper)), text: paperText(paper), title: paper.title }));
  const split = stratifiedSplit(examples, (e) => e.label, (e) => e.id, { test: 0.1, validation: 0.1 }, 42);
  const trained = await fitCandidate(parseCandidate(family === 'lsa-mlp' ? 'lsa-mlp:maxEpochs=12' : family), split);
  const predictor = textPredictor({ runId: 'bench', family, model: trained.model, encoder: trained.encoder, embedderVersion: embedder.version }, embedder);
  const models = new ModelHolder({ predictor, modelName: 'bench', modelVersion: '1', chosenBy: 'alias', alias: 'champion', loadedAt: new Date() });
  const mongo = openMongo(process.env.BENCH_MONGODB_URI!, process.env.BENCH_MONGODB_DATABASE!, { serverSelectionTimeoutMS: 5_000, appName: 'bench-api' });
  const log = new PredictionLog(mongo.db);
  log.start();
  // As `mlops api` runs it (API_LOG_LEVEL=warn: no line per request), with a rate limit no client reaches.
  const app = buildApp({ models, log: logged ? log : undefined, mongoReachable: async () => true }, { logLevel: 'warn', limits: { requestsPerMinute: 100_000_000, papersPerMinute: 100_000_000 } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { port: (app.server.address() as { port: number }).port, classes: trained.encoder.classes.length, dimensions: embedder.dimensions, log };
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode === 'bare') {
    process.send!({ port: await bare() });
  } else if (mode === 'ours' || mode === 'ours-unlogged' || mode === 'ours-sparse') {
    const served = await ours(mode !== 'ours-unlogged', mode === 'ours-sparse' ? 'tfidf-linear' : 'lsa-mlp');
    process.send!({ port: served.port, classes: served.classes, dimensions: served.dimensions });
    process.on('message', (message: { ask?: string }) => {
      if (message.ask === 'log') void served.log.flush().then(() => process.send!({ written: served.log.writtenCount, backlog: served.log.backlog, dropped: served.log.droppedCount }));
    });
  } else {
    throw new Error(`usage: api-target bare|ours|ours-unlogged|ours-sparse (got ${mode})`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
