import type { ChildProcess } from 'node:child_process';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type Redis from 'ioredis';
import { connectRedis } from '../../lib/buffer';
import { FeatureStore, connectMongo, type MongoConnection } from '../../lib/features';
import { openObjectStore, RAW_PREFIX } from '../../lib/storage';
import type { EngineName } from '../../stack/engines';
import { ingestWorkflow, type IngestSummary } from '../../workflows';
import { removeIsolatedData } from '../support/cleanup';
import { isolatedSetup, type IsolatedSetup } from '../support/isolated-config';
import { installSmallEmbedder } from '../support/small-embedder';
import { spawnWorker, waitFor } from '../support/worker-process';
import { temporalClient } from '../support/workers';
import { freezeEngine, ingestionInvariants, killEngine, recordOutcome, restartEngine } from './harness';

const PAPERS = 1_200;
const MINUTE = 60_000;

/** One ingestion of the sample on its own names, with a worker process of its own; the fault is injected into it. */
interface Run {
  setup: IsolatedSetup;
  client: Client;
  mongo: MongoConnection;
  redis: Redis;
  /** The I/O worker (workflows, extraction) and the CPU worker (embedding), as separate processes. */
  workers: { io: ChildProcess; cpu: ChildProcess; replaced: ChildProcess[] };
  handle: WorkflowHandle<typeof ingestWorkflow>;
}

async function startRun(name: string): Promise<Run> {
  // Throttled embedding, a small buffer (so extraction waits on it) and short timeouts: faults land mid-stage.
  const setup = isolatedSetup(`faults-${name}`, {
    OBJECT_STORE_URL: `s3://arxiv-mlops-test/faults-${name}-${Date.now()}`,
    BUFFER_CLAIM_IDLE_MS: '3000',
    BUFFER_HIGH_WATER_MARK: '300',
  });
  const { config } = setup;
  await installSmallEmbedder(config);
  const client = await temporalClient(config);
  const mongo = await connectMongo(config.mongo.endpoint.url, config.mongo.database);
  const redis = await connectRedis(config.redis.url);
  const workers = {
    io: await spawnWorker(setup.env, ['--queue', 'io']),
    cpu: await spawnWorker(setup.env, ['--queue', 'cpu']),
    replaced: [],
  };
  const handle = await client.workflow.start(ingestWorkflow, {
    taskQueue: config.temporal.taskQueues.io,
    workflowId: `${setup.testId}-run`,
    args: [
      {
        source: { kind: 'sample' },
        limit: PAPERS,
        pageSize: 100,
        minBatch: 100,
        embedBatchSize: 50,
        maxEmbedRecordsPerSecond: 150,
        heartbeatTimeoutSeconds: 4,
        embedder: { referenceSource: { kind: 'sample' } },
        taskQueues: config.temporal.taskQueues,
      },
    ],
  });
  return { setup, client, mongo, redis, workers, handle };
}

async function stopRun(run: Run): Promise<void> {
  for (const worker of [run.workers.io, run.workers.cpu, ...run.workers.replaced])
    if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
  await run.client.connection.close();
  await run.mongo.close();
  run.redis.disconnect();
  await removeIsolatedData(run.setup.config);
}

const storedFeatures = (run: Run, atLeast: number) => async () => {
  const count = await new FeatureStore(run.mongo.db).count();
  return count >= atLeast ? count : undefined;
};

/** The run's result, asked again while the Temporal server itself is down. */
async function resultAcrossOutages(run: Run): Promise<IngestSummary> {
  const deadline = Date.now() + 5 * MINUTE;
  for (;;) {
    try {
      return await run.handle.result();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/**
 * Runs one scenario: waits for the injection point, injects the fault (returning when the
 * component is back), waits for the run to complete and checks every invariant.
 */
async function scenario(
  name: string,
  inject: (run: Run) => Promise<{ injectedAt: string; downtimeMs: number }>,
  alsoHolds: (run: Run) => Promise<string[]> = async () => [],
): Promise<void> {
  const run = await startRun(
    name
      .replace(/[^a-z0-9]+/gi, '-')
      .toLowerCase()
      .slice(0, 24),
  );
  let recorded = false;
  try {
    const { injectedAt, downtimeMs } = await inject(run);
    const back = Date.now();
    expect((await run.handle.describe()).status.name).toBe('RUNNING');
    const summary = await resultAcrossOutages(run);
    const recoveredMs = Date.now() - back;
    const broken = [
      ...(await ingestionInvariants({ config: run.setup.config, mongo: run.mongo, redis: run.redis }, summary, PAPERS)),
      ...(await alsoHolds(run)),
    ];
    recorded = true;
    recordOutcome({
      scenario: name,
      injectedAt,
      downtimeSeconds: downtimeMs / 1000,
      recoveredSeconds: recoveredMs / 1000,
      invariants: broken.length === 0 ? 'all hold' : broken.join('; '),
    });
    expect(broken).toEqual([]);
    expect(summary).toMatchObject({ extracted: PAPERS, embedded: PAPERS - summary.duplicates, balanced: true });
  } catch (error) {
    if (!recorded)
      recordOutcome({
        scenario: name,
        injectedAt: '-',
        downtimeSeconds: NaN,
        recoveredSeconds: NaN,
        invariants: `FAILED: ${(error as Error).message.split('\n')[0]}`,
      });
    throw error;
  } finally {
    await stopRun(run);
  }
}

/** SIGKILL an engine once `ready` says the run is far enough, restart it after `pauseMs`. */
function killAndRestart(engine: EngineName, pauseMs: number, ready: (run: Run) => Promise<string>) {
  return async (run: Run) => {
    const injectedAt = await ready(run);
    const started = Date.now();
    await killEngine(run.setup.config, engine);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    await restartEngine(run.setup.config, engine);
    return { injectedAt, downtimeMs: Date.now() - started };
  };
}

/** SIGKILL one worker process once `ready` says so; a new one takes its queue 2 s later. */
function killWorkerAndRestart(queue: 'io' | 'cpu', ready: (run: Run) => Promise<string>) {
  return async (run: Run) => {
    const injectedAt = await ready(run);
    const started = Date.now();
    const worker = run.workers[queue];
    worker.kill('SIGKILL');
    await new Promise((resolve) => worker.once('exit', resolve));
    await new Promise((resolve) => setTimeout(resolve, 2000));
    run.workers.replaced.push(await spawnWorker(run.setup.env, ['--queue', queue]));
    return { injectedAt, downtimeMs: Date.now() - started };
  };
}

/** The embedding activity really was interrupted and retried, not merely finished before the kill. */
async function embeddingRetried(run: Run): Promise<string[]> {
  const history = await run.handle.fetchHistory();
  const attempts = (history.events ?? []).flatMap((event) =>
    event.activityTaskStartedEventAttributes ? [event.activityTaskStartedEventAttributes.attempt ?? 1] : [],
  );
  return Math.max(...attempts) > 1 ? [] : ['no activity was retried: the kill missed the embedding'];
}

const afterFeatures = (count: number) => async (run: Run) =>
  `${await waitFor(storedFeatures(run, count), `${count} stored features`)} features stored`;

const afterFirstRawBatch = async (run: Run) => {
  const store = openObjectStore(run.setup.config);
  try {
    const keys = await waitFor(async () => {
      const listed = await store.list(`${RAW_PREFIX}/`);
      return listed.length >= 1 ? listed : undefined;
    }, 'the first raw batch');
    return `${keys.length} raw batch(es) landed`;
  } finally {
    await store.close();
  }
};

describe('fault injection: the ingestion completes with nothing lost or duplicated', () => {
  it(
    'survives the CPU worker killed with SIGKILL mid-embedding',
    async () => {
      await scenario(
        'CPU worker SIGKILL mid-embedding',
        killWorkerAndRestart('cpu', afterFeatures(200)),
        embeddingRetried,
      );
    },
    6 * MINUTE,
  );

  it(
    'survives the I/O worker killed with SIGKILL mid-extraction',
    async () => {
      await scenario('I/O worker SIGKILL mid-extraction', killWorkerAndRestart('io', afterFirstRawBatch));
    },
    6 * MINUTE,
  );

  it(
    'survives Redis killed with SIGKILL mid-ingestion (append-only file)',
    async () => {
      await scenario('Redis SIGKILL mid-ingestion', killAndRestart('redis', 2000, afterFeatures(200)));
    },
    6 * MINUTE,
  );

  it(
    'survives the MongoDB-protocol server killed with SIGKILL mid-embedding',
    async () => {
      await scenario('MongoDB server SIGKILL mid-embedding', killAndRestart('mongo', 2000, afterFeatures(200)));
    },
    6 * MINUTE,
  );

  it(
    'survives the S3 server killed with SIGKILL while raw batches land',
    async () => {
      await scenario('S3 server SIGKILL while raw batches land', killAndRestart('s3', 3000, afterFirstRawBatch));
    },
    6 * MINUTE,
  );

  it(
    'survives the Temporal server killed with SIGKILL mid-ingestion (persistent database)',
    async () => {
      await scenario('Temporal server SIGKILL mid-ingestion', killAndRestart('temporal', 3000, afterFeatures(200)));
    },
    6 * MINUTE,
  );

  it(
    'survives the MongoDB-protocol server frozen (SIGSTOP) past the heartbeat timeout, then continued',
    async () => {
      await scenario('MongoDB frozen 10 s (SIGSTOP)', async (run) => {
        const injectedAt = await afterFeatures(200)(run);
        const started = Date.now();
        await freezeEngine(run.setup.config, 'mongo', 10_000);
        return { injectedAt, downtimeMs: Date.now() - started };
      });
    },
    6 * MINUTE,
  );
});
