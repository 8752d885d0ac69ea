import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PredictionLog } from '../lib/predictions/prediction-log';
import type { ModelHolder } from './model-holder';
import type { ModelReloader } from './model-reloader';

/**
 * The API's Prometheus metrics, in a registry of its own (an app per test, no global state):
 * requests and latency per route, predictions per class, the served model, the prediction log.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'method' | 'route' | 'status_code'>;
  readonly latency: Histogram<'method' | 'route'>;
  readonly predictions: Counter<'category' | 'model_version'>;

  constructor(models: ModelHolder, log: PredictionLog | undefined, reloader: ModelReloader | undefined) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'arxiv_api_' });
    this.requests = new Counter({ name: 'arxiv_api_requests_total', help: 'HTTP requests answered, by route and status', labelNames: ['method', 'route', 'status_code'], registers });
    this.latency = new Histogram({
      name: 'arxiv_api_request_duration_seconds',
      help: 'Time to answer a request, by route',
      labelNames: ['method', 'route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.predictions = new Counter({ name: 'arxiv_api_predictions_total', help: 'Papers classified, by predicted category', labelNames: ['category', 'model_version'], registers });
    const reloaded: Record<string, number> = {};
    new Counter({
      name: 'arxiv_api_model_reloads_total',
      help: 'Model reload checks, by outcome (swapped, unchanged, failed)',
      labelNames: ['outcome'],
      registers,
      collect() {
        for (const [outcome, count] of Object.entries(reloader?.outcomes ?? { swapped: 0, unchanged: 0, failed: 0 })) {
          if (count > (reloaded[outcome] ?? 0)) this.inc({ outcome }, count - (reloaded[outcome] ?? 0));
          else this.inc({ outcome }, 0);
          reloaded[outcome] = Math.max(reloaded[outcome] ?? 0, count);
        }
      },
    });
    new Gauge({
      name: 'arxiv_api_model_info',
      help: 'The served model (value 1), by name, version, run and embedder',
      labelNames: ['model_name', 'model_version', 'run_id', 'embedder_version', 'chosen_by'],
      registers,
      collect() {
        this.reset();
        if (!models.loaded) return;
        const served = models.current();
        this.set({ model_name: served.modelName, model_version: served.modelVersion ?? 'none', run_id: served.predictor.runId, embedder_version: served.predictor.embedderVersion, chosen_by: served.chosenBy }, 1);
      },
    });
    new Gauge({
      name: 'arxiv_api_model_loaded_timestamp_seconds',
      help: 'When the served model was loaded',
      registers,
      collect() {
        if (models.loaded) this.set(models.current().loadedAt.getTime() / 1000);
      },
    });
    new Gauge({
      name: 'arxiv_api_prediction_log_backlog',
      help: 'Predictions answered but not yet written to MongoDB',
      registers,
      collect() {
        this.set(log?.backlog ?? 0);
      },
    });
    // The log counts for itself; these counters catch up with its counts when scraped.
    const logCounter = (name: string, help: string, read: (log: PredictionLog) => number) => {
      let reported = 0;
      new Counter({
        name,
        help,
        registers,
        collect() {
          const now = log ? read(log) : 0;
          if (now > reported) this.inc(now - reported);
          reported = Math.max(reported, now);
        },
      });
    };
    logCounter('arxiv_api_prediction_log_written_total', 'Predictions written to MongoDB', (l) => l.writtenCount);
    logCounter('arxiv_api_prediction_log_dropped_total', 'Predictions dropped because the backlog was full (MongoDB down too long)', (l) => l.droppedCount);
    logCounter('arxiv_api_prediction_log_write_failures_total', 'Writes of the prediction log that failed (retried)', (l) => l.failedWriteCount);
  }
}
