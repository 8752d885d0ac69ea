import type { AppConfig } from '../../lib/config/config';
import { startApi } from '../../api/server';
import type { Reporter } from '../output';

const EXAMPLE = {
  title: 'Neural machine translation by jointly learning to align and translate',
  abstract: 'We conjecture that a fixed-length vector is a bottleneck and propose to let the model search for the parts of the source sentence relevant to each target word.',
};

/** What to paste to try the API: a curl, and the page's address. */
export function tryItLines(url: string): string[] {
  const body = JSON.stringify(EXAMPLE).replace(/'/g, "'\\''");
  return [`  try it: curl -s -X POST ${url}/v1/predict -H 'content-type: application/json' -d '${body}'`, `  page:   ${url}/   docs: ${url}/docs   metrics: ${url}/metrics`];
}

/** `mlops api`: serves predictions until interrupted (SIGINT/SIGTERM close it cleanly, flushing the prediction log). */
export async function apiCommand(options: { host: string; port: number; logLevel?: string; waitForModel?: boolean }, config: AppConfig, reporter: Reporter): Promise<number> {
  const api = await startApi(config, options);
  const answer = await api.app.inject({ method: 'GET', url: '/v1/model' });
  if (answer.statusCode === 200) {
    const served = answer.json() as { model: { name: string; version: string | null; runId: string } };
    reporter.note(`api listening on ${api.url} — ${served.model.name} v${served.model.version ?? '-'} (run ${served.model.runId})`);
  } else {
    reporter.note(`api listening on ${api.url} — no model promoted yet: predictions answer 503 until a training promotes one`);
  }
  for (const line of tryItLines(api.url)) reporter.note(line);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await api.close();
  reporter.note(`api stopped (${api.log.writtenCount} predictions written to MongoDB${api.log.backlog > 0 ? `, ${api.log.backlog} could not be` : ''})`);
  return 0;
}
