import { MockActivityEnvironment } from '@temporalio/testing';
import { createCpuActivities, openActivityDeps, type ActivityDeps } from '../../activities';
import type { PaperRecord } from '../../lib/arxiv/record';
import { parseSnapshotLine } from '../../lib/arxiv/snapshot';
import { DEFAULT_LSA_CONFIG, fitLsaEmbedder, saveEmbedder, type LsaEmbedder } from '../../lib/embedding';
import { DeadLetterStore } from '../../lib/deadletters';
import { removeIsolatedData } from '../support/cleanup';
import { isolatedSetup } from '../support/isolated-config';
import { sampleLines } from '../support/papers';

const records: PaperRecord[] = sampleLines(40).flatMap((line) => {
  const item = parseSnapshotLine(line);
  return item.ok ? [item.record] : [];
});

function tinyEmbedder(seed: number): LsaEmbedder {
  const texts = records.map((record) => `${record.title}. ${record.abstract}`);
  return fitLsaEmbedder(texts, {
    ...DEFAULT_LSA_CONFIG,
    dimensions: 8,
    powerIterations: 1,
    seed,
    tfidf: { ...DEFAULT_LSA_CONFIG.tfidf, maxFeatures: 500 },
  });
}

describe('the embedding activity (real Redis, MongoDB, object store)', () => {
  const { config, testId } = isolatedSetup('embed');
  let deps: ActivityDeps & { close(): Promise<void> };
  const a = tinyEmbedder(1);
  const b = tinyEmbedder(2);

  beforeAll(async () => {
    deps = await openActivityDeps(config);
    await saveEmbedder(deps.store, a, 'test');
    await saveEmbedder(deps.store, b, 'test');
  });
  afterAll(async () => {
    await deps?.close();
    await removeIsolatedData(config);
  });

  it("embeds each paper with the embedder its run stamped on it, whatever the consumer's own", async () => {
    const run = `${testId}-stamped`;
    const paper = (record: PaperRecord, itemNumber: number, embedderVersion?: string) => ({
      record,
      itemNumber,
      rawKey: 'raw/arxiv/dt=2026-11-26/x.jsonl.gz',
      ingestWorkflowId: run,
      embedderVersion,
    });
    await deps.stream.publish([
      ...records.slice(0, 3).map((record, i) => paper(record, i + 1, a.version)),
      ...records.slice(3, 5).map((record, i) => paper(record, i + 4)),
      paper(records[5]!, 6, 'lsa-0000000000000000'),
    ]);
    await deps.stream.markProducerDone(run);

    const result = await new MockActivityEnvironment().run(createCpuActivities(deps).embedFromBuffer, {
      embedderVersion: b.version,
      ingestWorkflowId: run,
      batchSize: 10,
    });

    expect(result).toMatchObject({ processed: 6, stored: 5, deadLettered: 1 });
    expect(await deps.features.count({ embedderVersion: a.version })).toBe(3);
    expect(await deps.features.count({ embedderVersion: b.version })).toBe(2);
    const [letter] = await new DeadLetterStore(deps.mongo.db).find({ ingestWorkflowId: run });
    expect(letter).toMatchObject({ stage: 'buffer', reason: 'undecodable_message' });
    expect(letter!.detail).toMatch(/could not embed with lsa-0000000000000000/);
    expect(await deps.stream.depth()).toEqual({ length: 0, pending: 0 });
    expect(await deps.stream.outcomes(run)).toEqual({
      stored: 5,
      inserted: 5,
      replaced: 0,
      unchanged: 0,
      deadLettered: 1,
    });
  });
  it('dead-letters a stream entry whose embedder version is a path (/, ..) instead of leaving it pending forever', async () => {
    const run = `${testId}-hostile`;
    const versions = ['../../secrets', 'lsa-x/../../y', 'embedders/lsa-1', '..', 'lsa\u0000x'];
    await deps.stream.publish(
      versions.map((embedderVersion, i) => ({
        record: records[i]!,
        itemNumber: i + 1,
        rawKey: 'raw/arxiv/dt=2026-11-26/x.jsonl.gz',
        ingestWorkflowId: run,
        embedderVersion,
      })),
    );
    await deps.stream.markProducerDone(run);

    const result = await new MockActivityEnvironment().run(createCpuActivities(deps).embedFromBuffer, {
      embedderVersion: a.version,
      ingestWorkflowId: run,
      batchSize: 10,
    });

    expect(result).toMatchObject({ processed: versions.length, stored: 0, deadLettered: versions.length });
    const letters = await new DeadLetterStore(deps.mongo.db).find({ ingestWorkflowId: run });
    expect(letters.map((letter) => letter.detail).sort()).toEqual(
      versions
        .map(
          (version) =>
            `embedder version ${JSON.stringify(version)} is not a version name (letters, digits, '.', '_' and '-')`,
        )
        .sort(),
    );
    expect(await deps.stream.depth()).toEqual({ length: 0, pending: 0 });
  });
});
