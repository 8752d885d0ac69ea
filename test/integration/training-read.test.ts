import { MongoClient } from 'mongodb';
import { paperText, type PaperRecord } from '../../lib/arxiv/record';
import { fitLsaEmbedder } from '../../lib/embedding/lsa-embedder';
import { FeatureStore, type FeatureRow, type MongoConnection } from '../../lib/features';
import { fitCandidate, type CandidateData, type LabeledPaper } from '../../lib/model/candidate-fit';
import { parseCandidate } from '../../lib/model/candidates';
import { stratifiedSplit } from '../../lib/model/split';
import { samplePapers, SMALL_CONFIG } from '../unit/embedding/sample-corpus';
import { isolatedSetup } from '../support/isolated-config';

const EMBEDDER = 'lsa-test';
const lineage = { rawKey: 'raw/arxiv/dt=2026-12-04/sample.jsonl.gz', ingestWorkflowId: 'ingest-1' };

/** A training's data from the rows `select` read, split as the pipeline splits. */
function candidateData(rows: FeatureRow[]): CandidateData {
  const split = stratifiedSplit(
    rows,
    (row) => row.primaryCategory,
    (row) => row.arxivId,
    { test: 0.2, validation: 0.1 },
    42,
  );
  const asPaper = (row: FeatureRow): LabeledPaper => ({
    id: row.arxivId,
    label: row.primaryCategory,
    vector: row.vector,
  });
  return { train: split.train.map(asPaper), validation: split.validation.map(asPaper), test: split.test.map(asPaper) };
}

describe('a training reads its features in batches (real MongoDB-protocol server)', () => {
  const { config } = isolatedSetup('training-read');
  let mongo: MongoConnection;
  let features: FeatureStore;
  let papers: PaperRecord[];
  let revisedVector: Float32Array;
  const getMores: number[] = [];

  beforeAll(async () => {
    const client = await new MongoClient(config.mongo.endpoint.url, { monitorCommands: true }).connect();
    mongo = { client, db: client.db(config.mongo.database), close: () => client.close() };
    client.on('commandStarted', (event) => {
      if (event.commandName === 'getMore') getMores.push(Number((event.command as { batchSize?: number }).batchSize));
    });
    features = new FeatureStore(mongo.db);
    await features.ensureIndexes();
    const sample = await samplePapers(3_000);
    const counts = new Map<string, number>();
    for (const paper of sample) counts.set(paper.primaryCategory, (counts.get(paper.primaryCategory) ?? 0) + 1);
    const top = new Set(
      [...counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
        .map(([label]) => label),
    );
    papers = sample.filter((paper) => top.has(paper.primaryCategory));
    const embedder = fitLsaEmbedder(papers.map(paperText), SMALL_CONFIG);
    await features.upsert(
      EMBEDDER,
      papers.map((record) => ({ record, vector: embedder.embed(paperText(record)), lineage })),
    );
    // Revisions of a few papers: the read keeps their newest version only.
    const revised = papers
      .slice(0, 25)
      .map((record) => ({ ...record, abstract: `${record.abstract} Revised.`, updated: '2026-01-01T00:00:00Z' }));
    await features.upsert(
      EMBEDDER,
      revised.map((record) => ({ record, vector: embedder.embed(paperText(record)), lineage })),
    );
    revisedVector = embedder.embed(paperText(revised[0]!));
  }, 120_000);

  afterAll(async () => {
    await mongo.db.dropDatabase();
    await mongo.close();
  });

  it('reads the same rows, and trains the same model, with a batch far below the split as at once', async () => {
    getMores.length = 0;
    const atOnce = await features.select({ embedderVersion: EMBEDDER }, { batchSize: 100_000 });
    expect(getMores).toEqual([]);
    const inBatches = await features.select({ embedderVersion: EMBEDDER }, { batchSize: 16 });
    // Many replies of 16 documents each, never the answer whole.
    expect(getMores.length).toBeGreaterThan(papers.length / 16 - 2);
    expect(new Set(getMores)).toEqual(new Set([16]));

    expect(atOnce).toHaveLength(papers.length);
    expect(inBatches).toEqual(atOnce);
    expect(Array.from(atOnce.find((row) => row.arxivId === papers[0]!.id)!.vector)).toEqual(Array.from(revisedVector));

    const spec = parseCandidate('lsa-mlp:hiddenUnits=32:maxEpochs=4');
    const one = await fitCandidate(spec, candidateData(atOnce));
    const other = await fitCandidate(spec, candidateData(inBatches));
    try {
      expect(other.testPredictions).toEqual(one.testPredictions);
      const test = candidateData(atOnce).test;
      expect(Array.from(other.model.probabilities(test))).toEqual(Array.from(one.model.probabilities(test)));
    } finally {
      one.dispose();
      other.dispose();
    }
  }, 180_000);
});
