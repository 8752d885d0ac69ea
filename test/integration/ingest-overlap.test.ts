import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { FeatureStore, connectMongo, type MongoConnection } from '../../lib/features';
import { ingestWorkflow, type IngestInput, type IngestSummary } from '../../workflows';
import { removeIsolatedData } from '../support/cleanup';
import { isolatedSetup } from '../support/isolated-config';
import { sampleLines } from '../support/papers';
import { startWorkers, temporalClient, type RunningWorkers } from '../support/workers';

/**
 * The daily loop's case: a second delivery overlapping what is stored, some of it revised. It
 * must be counted exactly and cost, per paper, about what the first delivery into the store cost.
 */
describe('ingesting a delivery that overlaps the store (real Temporal, Redis, MongoDB)', () => {
  const { config, testId } = isolatedSetup('overlap', { INGEST_FILE_ROOTS: tmpdir() });
  const dir = mkdtempSync(join(tmpdir(), 'overlap-'));
  const lines = sampleLines(5_000);
  const papers = lines.map((line) => JSON.parse(line) as { id: string; abstract: string });
  const revise = (line: string) => {
    const paper = JSON.parse(line) as Record<string, unknown>;
    return JSON.stringify({ ...paper, abstract: `${String(paper.abstract)} This version corrects the main result.` });
  };
  // First delivery: papers 0–2,999. Second: 1,500–2,999 again (every fifth revised) and 3,000–4,499 new.
  const first = lines.slice(0, 3_000);
  const again = lines.slice(1_500, 3_000).map((line, index) => (index % 5 === 0 ? revise(line) : line));
  const second = [...again, ...lines.slice(3_000, 4_500)];
  const revisedIds = papers
    .slice(1_500, 3_000)
    .filter((_, index) => index % 5 === 0)
    .map((paper) => paper.id);
  const warmUp = lines.slice(4_900);

  let workers: RunningWorkers;
  let client: Client;
  let mongo: MongoConnection;

  const fileOf = (name: string, content: string[]) => {
    const path = join(dir, `${name}.jsonl`);
    writeFileSync(path, `${content.join('\n')}\n`);
    return path;
  };
  const input = (path: string): IngestInput => ({
    source: { kind: 'file', path },
    pageSize: 500,
    minBatch: 500,
    embedBatchSize: 250,
    embedder: { referenceSource: { kind: 'sample' }, referenceLimit: 600, dimensions: 32, maxFeatures: 3_000 },
    taskQueues: config.temporal.taskQueues,
  });
  const ingest = (path: string, suffix: string): Promise<IngestSummary> =>
    client.workflow.execute(ingestWorkflow, {
      taskQueue: config.temporal.taskQueues.io,
      workflowId: `${testId}-${suffix}`,
      args: [input(path)],
    });

  let one: IngestSummary;
  let two: IngestSummary;

  beforeAll(async () => {
    workers = await startWorkers(config);
    client = await temporalClient(config);
    mongo = await connectMongo(config.mongo.endpoint.url, config.mongo.database);
    // The embedder is fitted here, so neither timed delivery pays for it.
    await ingest(fileOf('warm-up', warmUp), 'warm-up');
    one = await ingest(fileOf('first', first), 'first');
    two = await ingest(fileOf('second', second), 'second');
  }, 600_000);
  afterAll(async () => {
    await workers?.stop();
    await client?.connection.close();
    await mongo?.close();
    await removeIsolatedData(config);
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts new, revised and unchanged papers exactly', () => {
    expect(one).toMatchObject({
      accepted: 3_000,
      embedded: 3_000,
      newPapers: 3_000,
      revised: 0,
      unchanged: 0,
      balanced: true,
    });
    expect(two).toMatchObject({
      accepted: 3_000,
      embedded: 3_000,
      newPapers: 1_500,
      revised: 300,
      unchanged: 1_200,
      balanced: true,
    });
  });

  it("serves each revised paper's new text and keeps the unchanged ones as the first delivery stored them", async () => {
    const features = new FeatureStore(mongo.db);
    expect(await features.count({ embedderVersion: two.embedderVersion })).toBe(4_500 + warmUp.length);
    const revisedRows = await features.byIds(two.embedderVersion, revisedIds);
    expect(revisedRows).toHaveLength(300);
    for (const row of revisedRows) {
      const original = papers.find((paper) => paper.id === row.arxivId)!;
      expect(row.text.abstractChars).toBe(original.abstract.length + ' This version corrects the main result.'.length);
      expect(row.lineage.ingestWorkflowId).toBe(two.workflowId);
    }
    const unchangedIds = papers
      .slice(1_500, 3_000)
      .filter((_, index) => index % 5 !== 0)
      .map((paper) => paper.id);
    const unchangedRows = await features.byIds(two.embedderVersion, unchangedIds);
    expect(unchangedRows).toHaveLength(1_200);
    expect(new Set(unchangedRows.map((row) => row.lineage.ingestWorkflowId))).toEqual(new Set([one.workflowId]));
    // Training reads one row per paper, the revised text among them.
    const selected = await features.select({ embedderVersion: two.embedderVersion });
    expect(selected).toHaveLength(4_500 + warmUp.length);
    expect(new Set(selected.map((row) => row.arxivId)).size).toBe(selected.length);
  });

  it('costs per paper no more than twice what the first delivery into the store cost', () => {
    const perPaper = (summary: IngestSummary) => summary.seconds / summary.accepted;
    expect(perPaper(two) / perPaper(one)).toBeLessThanOrEqual(2);
  });
});
