import fp from 'fastify-plugin';
import { clusterMetrics, workerLabel } from '../cluster';
import { ApiMetrics } from '../metrics';

export interface MetricsOptions {
  /** One of the workers of `mlops api --workers N`: /metrics adds up every worker's. */
  clustered: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The API's Prometheus metrics (a registry per app). */
    apiMetrics: ApiMetrics;
    /** What /metrics answers: this process's metrics, or every worker's added up (`--workers N`). */
    metricsText(): Promise<string>;
  }
}

/** Prometheus metrics: every answer counted and timed by route, the served model and the prediction log. */
export default fp<MetricsOptions>(
  async (app, { clustered }) => {
    const metrics = new ApiMetrics(app.models, app.predictionLog, app.reloader, workerLabel());
    app.decorate('apiMetrics', metrics);
    app.decorate('metricsText', clustered ? clusterMetrics(metrics.registry) : () => metrics.registry.metrics());
    app.addHook('onResponse', async (request, reply) => {
      // Unmatched URLs share one label, so scanners cannot grow the metric without bound.
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.requests.inc({ method: request.method, route, status_code: String(reply.statusCode) });
      metrics.latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    });
  },
  { name: 'api-metrics', dependencies: ['api-serving'] },
);
