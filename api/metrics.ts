import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PredictionPublisher } from '../lib/predictions/prediction-publisher';
import type { ModelHolder } from './model-holder';
import type { ModelReloader } from './model-reloader';

/**
 * A counter of something that counts for itself (the prediction log, the reloader): when scraped,
 * it catches up with `read()`, one value per label value (`''`: no label).
 */
function catchUpCounter(
  registers: Registry[],
  name: string,
  help: string,
  read: () => Record<string, number>,
  label?: string,
): void {
  const reported = new Map<string, number>();
  new Counter({
    name,
    help,
    labelNames: label ? [label] : [],
    registers,
    collect() {
      for (const [value, count] of Object.entries(read())) {
        const labels = label ? { [label]: value } : {};
        this.inc(labels, Math.max(0, count - (reported.get(value) ?? 0)));
        reported.set(value, Math.max(reported.get(value) ?? 0, count));
      }
    },
  });
}

/**
 * The API's Prometheus metrics, in a registry of its own (an app per test, no global state):
 * requests and latency per route, predictions per class, the served model, the prediction log.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'method' | 'route' | 'status_code'>;
  readonly latency: Histogram<'method' | 'route'>;
  readonly predictions: Counter<'category' | 'model_version'>;

  /** `worker`: this process's label on the served model's info (`--workers N` runs several). */
  constructor(
    models: ModelHolder,
    log: PredictionPublisher | undefined,
    reloader: ModelReloader | undefined,
    worker = '0',
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'arxiv_api_' });
    this.requests = new Counter({
      name: 'arxiv_api_requests_total',
      help: 'HTTP requests answered, by route and status',
      labelNames: ['method', 'route', 'status_code'],
      registers,
    });
    this.latency = new Histogram({
      name: 'arxiv_api_request_duration_seconds',
      help: 'Time to answer a request, by route',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.predictions = new Counter({
      name: 'arxiv_api_predictions_total',
      help: 'Papers classified, by predicted category',
      labelNames: ['category', 'model_version'],
      registers,
    });
    catchUpCounter(
      registers,
      'arxiv_api_model_reloads_total',
      'Model reload checks, by outcome (swapped, unchanged, failed)',
      () => ({ ...(reloader?.outcomes ?? { swapped: 0, unchanged: 0, failed: 0 }) }),
      'outcome',
    );
    new Gauge({
      name: 'arxiv_api_model_info',
      help: 'The served model (value 1), by name, version, run and embedder, and the API worker serving it',
      labelNames: ['model_name', 'model_version', 'run_id', 'embedder_version', 'chosen_by', 'worker'],
      registers,
      collect() {
        this.reset();
        if (!models.loaded) return;
        const served = models.current();
        this.set(
          {
            model_name: served.modelName,
            model_version: served.modelVersion ?? 'none',
            run_id: served.predictor.runId,
            embedder_version: served.predictor.embedderVersion,
            chosen_by: served.chosenBy,
            worker,
          },
          1,
        );
      },
    });
    new Gauge({
      name: 'arxiv_api_model_loaded_timestamp_seconds',
      help: 'When the served model was loaded (the latest of the workers)',
      aggregator: 'max',
      registers,
      collect() {
        if (models.loaded) this.set(models.current().loadedAt.getTime() / 1000);
      },
    });
    new Gauge({
      name: 'arxiv_api_prediction_log_backlog',
      help: 'Predictions answered but not yet appended to the Redis stream (Redis unreachable)',
      registers,
      collect() {
        this.set(log?.backlog ?? 0);
      },
    });
    new Gauge({
      name: 'arxiv_api_prediction_log_backlog_bytes',
      help: 'Memory those predictions hold, roughly (bounded by PREDICTION_LOG_MAX_BACKLOG_BYTES)',
      registers,
      collect() {
        this.set(log?.backlogBytes ?? 0);
      },
    });
    const logCount = (read: (log: PredictionPublisher) => number) => () => ({ '': log ? read(log) : 0 });
    catchUpCounter(
      registers,
      'arxiv_api_prediction_log_appended_total',
      'Predictions appended to the Redis stream (the I/O worker stores them in MongoDB)',
      logCount((l) => l.appendedCount),
    );
    catchUpCounter(
      registers,
      'arxiv_api_prediction_log_dropped_total',
      'Predictions dropped because the backlog was full (Redis away too long)',
      logCount((l) => l.droppedCount),
    );
    catchUpCounter(
      registers,
      'arxiv_api_prediction_log_dropped_bytes_total',
      'Bytes of the predictions dropped because the backlog was full',
      logCount((l) => l.droppedByteCount),
    );
    catchUpCounter(
      registers,
      'arxiv_api_prediction_log_append_failures_total',
      'Appends to Redis that failed (their predictions wait in the backlog)',
      logCount((l) => l.failedAppendCount),
    );
  }
}
