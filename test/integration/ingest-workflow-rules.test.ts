import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { CpuActivities, EmbedResult, ExtractResult, IoActivities } from '../../activities';
import { loadConfig } from '../../lib/config/config';
import { rootCause } from '../../cli/temporal';
import { ingestWorkflow, type IngestInput } from '../../workflows';
import { temporalClient, workflowBundle } from '../support/workers';

/**
 * The ingestion workflow's orchestration rules, run on the real Temporal server with scripted
 * activities standing in for extraction and embedding, so each timing can be set exactly.
 */
describe('ingestion workflow orchestration', () => {
  const config = loadConfig();
  const queue = `rules-${randomBytes(3).toString('hex')}`;
  let client: Client;
  let connection: NativeConnection;

  /** What the scripted activities saw, in order. */
  let events: string[];
  let bufferLengths: number[];
  let releaseExtraction: () => void;
  let extractionFails: string | undefined;

  const extraction: ExtractResult = {
    extracted: 10,
    accepted: 10,
    rejected: 0,
    rejectedByReason: {},
    duplicates: 0,
    rawObjectCount: 1,
    rawManifest: 'manifests/ingest/x.json',
  };
  const embedding: EmbedResult = {
    processed: 10,
    stored: 10,
    inserted: 10,
    replaced: 0,
    unchanged: 0,
    deadLettered: 0,
  };

  const io: Partial<IoActivities> = {
    async extractToBuffer() {
      events.push('extract:start');
      if (extractionFails) throw ApplicationFailure.nonRetryable(extractionFails, 'SourceSpecError');
      await new Promise<void>((resolve) => (releaseExtraction = resolve));
      events.push('extract:done');
      return extraction;
    },
    async bufferDepth() {
      const length = bufferLengths.length > 1 ? bufferLengths.shift()! : bufferLengths[0]!;
      events.push(`depth:${length}`);
      return { length, pending: 0 };
    },
    async runOutcome() {
      return { stored: 10, inserted: 10, replaced: 0, unchanged: 0, deadLettered: 0 };
    },
  };
  const cpu: Partial<CpuActivities> = {
    async ensureEmbedder() {
      return {
        version: 'lsa-test',
        key: 'k',
        dimensions: 2,
        vocabulary: 2,
        documents: 2,
        explainedVariance: 1,
        referenceCorpus: 'test',
        fittedAt: '',
      };
    },
    async embedFromBuffer() {
      events.push('embed:start');
      releaseExtraction?.();
      return embedding;
    },
  };

  let stop: () => Promise<void>;

  beforeAll(async () => {
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR') });
    } catch {
      // another test file installed it first
    }
    client = await temporalClient(config);
    connection = await NativeConnection.connect({ address: config.temporal.endpoint.url });
    const bundle = await workflowBundle();
    const workers = await Promise.all([
      Worker.create({ connection, taskQueue: `${queue}-io`, workflowBundle: bundle, activities: io }),
      Worker.create({ connection, taskQueue: `${queue}-cpu`, activities: cpu }),
    ]);
    const running = Promise.all(workers.map((worker) => worker.run()));
    stop = async () => {
      workers.forEach((worker) => worker.shutdown());
      await running;
    };
  });
  afterAll(async () => {
    await stop?.();
    await connection?.close();
    await client?.connection.close();
  });

  beforeEach(() => {
    events = [];
    extractionFails = undefined;
    releaseExtraction = () => undefined;
  });

  const input: IngestInput = {
    source: { kind: 'sample' },
    minBatch: 500,
    embedder: { referenceSource: { kind: 'sample' } },
    taskQueues: { io: `${queue}-io`, cpu: `${queue}-cpu` },
  };
  const run = (suffix: string) =>
    client.workflow.execute(ingestWorkflow, {
      taskQueue: `${queue}-io`,
      workflowId: `${queue}-${suffix}`,
      args: [input],
    });

  it('starts embedding once the buffer holds minBatch records, while extraction is still running', async () => {
    bufferLengths = [0, 120, 499, 500];
    const summary = await run('fills');
    expect(events.indexOf('embed:start')).toBeGreaterThan(events.indexOf('depth:500'));
    expect(events.indexOf('embed:start')).toBeLessThan(events.indexOf('extract:done'));
    expect(events.filter((event) => event.startsWith('depth:'))).toEqual([
      'depth:0',
      'depth:120',
      'depth:499',
      'depth:500',
    ]);
    expect(summary).toMatchObject({ extracted: 10, embedded: 10, balanced: true, embedderVersion: 'lsa-test' });
  });

  it('never waits forever on a small batch: embedding starts when extraction ends with fewer', async () => {
    bufferLengths = [40];
    setTimeout(() => releaseExtraction(), 3_000);
    await run('small');
    expect(events.indexOf('embed:start')).toBeGreaterThan(events.indexOf('extract:done'));
    expect(events.filter((event) => event === 'depth:40').length).toBeGreaterThanOrEqual(1);
  });

  it('fails with the extraction error instead of embedding', async () => {
    bufferLengths = [0];
    extractionFails = 'source exploded';
    const failure = await run('fails').catch((error: Error) => error);
    expect(rootCause(failure as Error).message).toBe('source exploded');
    expect(events).not.toContain('embed:start');
  });
});
