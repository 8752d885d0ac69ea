import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, Registry } from 'prom-client';

/**
 * `mlops api --workers N`: N server processes on one port (Node's cluster: the primary accepts and
 * hands connections round-robin), each with the model loaded and reloaded on its own. The primary
 * serves nothing itself: it starts the workers, starts again one that dies, adds their metrics up
 * for whichever worker is asked for /metrics, and stops them all on SIGINT/SIGTERM.
 */

type ClusterMessage =
  | { type: 'arxiv-api:listening'; url: string; model: string }
  | { type: 'arxiv-api:failed'; message: string }
  | { type: 'arxiv-api:stopped'; appended: number; backlog: number }
  | { type: 'arxiv-api:metrics?'; id: number }
  | { type: 'arxiv-api:metrics'; id: number; text?: string; error?: string };

const isClusterMessage = (message: unknown): message is ClusterMessage =>
  typeof message === 'object' &&
  message !== null &&
  String((message as { type?: unknown }).type).startsWith('arxiv-api:');

const STOP_GRACE_MS = 30_000;
/** A worker that dies sooner than this after its start is restarted with a growing delay. */
const QUICK_DEATH_MS = 30_000;

export interface PrimaryOutcome {
  url: string;
  model: string;
}

export interface ClusterSummary {
  appended: number;
  backlog: number;
  restarts: number;
}

export interface ApiCluster {
  /** Resolves once every worker listens (rejects if one fails to start). */
  ready: Promise<PrimaryOutcome>;
  /** Stops every worker (SIGTERM: each offers its backlog to Redis once more) and sums what they logged. */
  stop(): Promise<ClusterSummary>;
}

/** In the primary: forks `count` workers running this same command line. */
export function startApiCluster(
  count: number,
  onWorkerDied: (id: number, code: number | null, signal: string | null, restartInMs: number) => void,
): ApiCluster {
  const aggregator = new AggregatorRegistry();
  const summary: ClusterSummary = { appended: 0, backlog: 0, restarts: 0 };
  let stopping = false;
  let starting = true;
  let resolveReady: (outcome: PrimaryOutcome) => void = () => undefined;
  let rejectReady: (error: Error) => void = () => undefined;
  const ready = new Promise<PrimaryOutcome>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  const listening = new Set<number>();

  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isClusterMessage(message)) return;
    if (message.type === 'arxiv-api:listening') {
      listening.add(worker.id);
      if (starting && listening.size === count) {
        starting = false;
        resolveReady({ url: message.url, model: message.model });
      }
    } else if (message.type === 'arxiv-api:failed') {
      if (starting) {
        starting = false;
        rejectReady(new Error(message.message));
      }
    } else if (message.type === 'arxiv-api:stopped') {
      summary.appended += message.appended;
      summary.backlog += message.backlog;
    } else if (message.type === 'arxiv-api:metrics?') {
      aggregator.clusterMetrics().then(
        (text) => worker.isConnected() && worker.send({ type: 'arxiv-api:metrics', id: message.id, text }),
        (error: Error) =>
          worker.isConnected() && worker.send({ type: 'arxiv-api:metrics', id: message.id, error: error.message }),
      );
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    listening.delete(worker.id);
    if (stopping) return;
    if (starting) {
      starting = false;
      rejectReady(new Error(`API worker ${worker.id} exited with ${signal ?? `code ${code}`} before listening`));
      return;
    }
    // A worker that dies while serving is replaced, the others answering meanwhile; one that keeps
    // dying soon after its start is replaced ever more slowly (each start loads the model).
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
    quickDeaths = lived < QUICK_DEATH_MS ? quickDeaths + 1 : 0;
    const delayMs = quickDeaths === 0 ? 0 : Math.min(1_000 * 2 ** (quickDeaths - 1), 60_000);
    onWorkerDied(worker.id, code, signal, delayMs);
    summary.restarts += 1;
    // Not unref'd: with every worker dead, the pending restart is what keeps the primary alive.
    const restart = setTimeout(() => {
      restarts.delete(restart);
      if (!stopping) fork();
    }, delayMs);
    restarts.add(restart);
  });
  const restarts = new Set<NodeJS.Timeout>();
  const startedAt = new Map<number, number>();
  let quickDeaths = 0;
  const fork = () => startedAt.set(cluster.fork().id, Date.now());
  for (let i = 0; i < count; i += 1) fork();

  return {
    ready,
    async stop() {
      stopping = true;
      for (const restart of restarts) clearTimeout(restart);
      const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve) => {
              if (worker.isDead()) return resolve();
              // A worker that has not closed within the grace period is killed.
              const kill = setTimeout(() => worker.process.kill('SIGKILL'), STOP_GRACE_MS);
              // Its last message (what it logged) arrives before its channel closes: wait for both.
              let waiting = 2;
              const done = () => {
                if ((waiting -= 1) > 0) return;
                clearTimeout(kill);
                resolve();
              };
              worker.once('exit', done);
              if (worker.isConnected()) worker.once('disconnect', done);
              else done();
              worker.process.kill('SIGTERM');
            }),
        ),
      );
      return summary;
    },
  };
}

/** In a worker: tells the primary how the start went. */
export function tellPrimary(
  message:
    | { type: 'arxiv-api:listening'; url: string; model: string }
    | { type: 'arxiv-api:failed'; message: string }
    | { type: 'arxiv-api:stopped'; appended: number; backlog: number },
): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

let metricsAsked = 0;

/**
 * In a worker: offers `registry` to the primary's aggregation, and returns what /metrics answers
 * with: every worker's metrics added up (counters and gauges summed; the model's info is labelled
 * per worker), asked of the primary over IPC.
 */
export function clusterMetrics(registry: Registry): () => Promise<string> {
  answerMetricsRequests();
  AggregatorRegistry.setRegistries([registry]);
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = (metricsAsked += 1);
      const timer = setTimeout(() => {
        process.off('message', onAnswer);
        reject(new Error('the primary did not answer with the metrics within 5 s'));
      }, 5_000);
      const onAnswer = (message: unknown) => {
        if (!isClusterMessage(message) || message.type !== 'arxiv-api:metrics' || message.id !== id) return;
        clearTimeout(timer);
        process.off('message', onAnswer);
        if (message.text !== undefined) resolve(message.text);
        else reject(new Error(message.error ?? 'no metrics'));
      };
      process.on('message', onAnswer);
      process.send!({ type: 'arxiv-api:metrics?', id });
    });
}

/** In a worker: answers the primary's requests for this worker's metrics (idempotent; until clusterMetrics(), with none). */
let answering = false;
export function answerMetricsRequests(): void {
  if (answering) return;
  answering = true;
  AggregatorRegistry.setRegistries([new Registry()]);
  new AggregatorRegistry(); // its constructor installs the answer
}

export const isApiWorker = () => cluster.isWorker;

/** The worker's label in metrics: its cluster id, or 0 for a single process. */
export const workerLabel = () => String(cluster.worker?.id ?? 0);
