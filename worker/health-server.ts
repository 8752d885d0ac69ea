import { createServer, type Server } from 'node:http';

export interface HealthReport {
  healthy: boolean;
  detail: Record<string, unknown>;
}

/**
 * Answers `GET /healthz` with 200 while the report is healthy and 503 otherwise; a container's
 * HEALTHCHECK (bin/healthcheck.js) asks it, since a worker has no other port to look at.
 */
export function startHealthServer(port: number, host: string, report: () => HealthReport): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/healthz') {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Not Found' }));
      return;
    }
    const { healthy, detail } = report();
    response
      .writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: healthy ? 'ok' : 'unhealthy', ...detail }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
