import type Redis from 'ioredis';
import type { PaperRecord } from '../../lib/arxiv/record';
import { PaperStream, connectRedis, type BufferedPaper } from '../../lib/buffer';
import { isolatedSetup } from '../support/isolated-config';

function paper(n: number, run = 'ingest-a'): BufferedPaper & { itemNumber: number } {
  const record: PaperRecord = {
    id: `2501.${String(n).padStart(5, '0')}`,
    title: `Paper ${n}`,
    abstract: `Abstract ${n}`,
    categories: ['cs.CL'],
    primaryCategory: 'cs.CL',
    published: null,
    updated: null,
  };
  return { record, rawKey: 'raw/arxiv/dt=2026-11-26/x.jsonl.gz', ingestWorkflowId: run, itemNumber: n };
}

describe('paper stream (real Redis)', () => {
  const { config } = isolatedSetup('stream');
  let redis: Redis;
  let stream: PaperStream;

  beforeAll(async () => {
    redis = await connectRedis(config.redis.url);
  });
  beforeEach(async () => {
    const name = `${config.buffer.stream}:${expect.getState().currentTestName?.replace(/\W+/g, '-')}`;
    stream = new PaperStream(redis, { ...config.buffer, stream: name, highWaterMark: 5, claimIdleMs: 300 });
    await stream.ensureGroup();
  });
  afterAll(async () => {
    const keys = await redis.keys(`${config.buffer.stream}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('delivers published papers to a consumer with their lineage', async () => {
    expect(await stream.publish([paper(1), paper(2)])).toEqual({ published: 2, duplicates: 0 });
    const messages = await stream.read('consumer-1', 10, 100);
    expect(messages.map((m) => m.paper?.record.id)).toEqual(['2501.00001', '2501.00002']);
    expect(messages[0]!.paper).toMatchObject({
      rawKey: 'raw/arxiv/dt=2026-11-26/x.jsonl.gz',
      ingestWorkflowId: 'ingest-a',
    });
    expect(await stream.depth()).toEqual({ length: 2, pending: 2 });
  });

  it('removes a message only when it is acknowledged, and counts each message once per run', async () => {
    await stream.publish([paper(1), paper(2), paper(3)]);
    const messages = await stream.read('consumer-1', 10, 100);
    const outcomes = ['inserted', 'replaced', 'unchanged'] as const;
    const entries = messages.map((m, index) => ({ id: m.id, ingestWorkflowId: 'ingest-a', outcome: outcomes[index]! }));
    expect(await stream.acknowledge(entries.slice(0, 2))).toBe(2);
    expect(await stream.depth()).toEqual({ length: 1, pending: 1 });
    expect(await stream.acknowledge(entries)).toBe(1); // the first two are already acknowledged
    expect(await stream.depth()).toEqual({ length: 0, pending: 0 });
    expect(await stream.outcomes('ingest-a')).toEqual({
      stored: 3,
      inserted: 1,
      replaced: 1,
      unchanged: 1,
      deadLettered: 0,
    });
  });

  it('skips a re-published page silently and counts a paper listed twice as a duplicate', async () => {
    await stream.publish([paper(1), paper(2)]);
    expect(await stream.publish([paper(1), paper(2)])).toEqual({ published: 0, duplicates: 0 });
    const listedAgain = { ...paper(1), itemNumber: 7 };
    expect(await stream.publish([listedAgain, paper(3)])).toEqual({ published: 1, duplicates: 1 });
    expect(await stream.publish([paper(1, 'ingest-b')])).toEqual({ published: 1, duplicates: 0 });
    expect((await stream.depth()).length).toBe(4);
  });

  it('holds producers back above the high-water mark instead of trimming', async () => {
    await stream.publish([1, 2, 3, 4, 5].map((n) => paper(n)));
    let done = false;
    const blocked = stream.publish([paper(6)]).then((result) => {
      done = true;
      return result;
    });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(done).toBe(false);
    expect((await stream.depth()).length).toBe(5);
    const messages = await stream.read('consumer-1', 2, 100);
    await stream.acknowledge(
      messages.map((m) => ({ id: m.id, ingestWorkflowId: 'ingest-a', outcome: 'inserted' as const })),
    );
    expect(await blocked).toEqual({ published: 1, duplicates: 0 });
    expect((await stream.depth()).length).toBe(4);
  });

  it("reclaims a crashed consumer's pending messages after the idle time", async () => {
    await stream.publish([paper(1), paper(2)]);
    const taken = await stream.read('crashed-consumer', 10, 100);
    expect(taken).toHaveLength(2);
    expect(await stream.read('survivor', 10, 100)).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const reclaimed = await stream.read('survivor', 10, 100);
    expect(reclaimed.map((m) => m.id)).toEqual(taken.map((m) => m.id));
  });

  it('hands undecodable messages to the consumer with the reason instead of dropping them', async () => {
    await redis.xadd(stream.options.stream, '*', 'paper', '{not json', 'raw', 'k', 'run', 'ingest-a');
    const [message] = await stream.read('consumer-1', 10, 100);
    expect(message!.paper).toBeUndefined();
    expect(message!.error).toMatch(/not JSON/);
    expect(message!.fields.run).toBe('ingest-a');
  });

  it('reports a well-formed message whose paper is incomplete, so the consumer can dead-letter it', async () => {
    await redis.xadd(
      stream.options.stream,
      '*',
      'paper',
      JSON.stringify({ id: '2501.00001', title: 'No abstract' }),
      'raw',
      'k',
      'run',
      'ingest-a',
    );
    const [message] = await stream.read('consumer-1', 10, 100);
    expect(message!.paper).toBeUndefined();
    expect(message!.error).toBe('paper.abstract is not a string');
  });

  it('remembers that a run has finished publishing', async () => {
    expect(await stream.isProducerDone('ingest-z')).toBe(false);
    await stream.markProducerDone('ingest-z');
    expect(await stream.isProducerDone('ingest-z')).toBe(true);
  });
});
