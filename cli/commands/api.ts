import type { AppConfig } from '../../lib/config/config';
import { startApi } from '../../api/server';
import type { Reporter } from '../output';

/** `mlops api`: serves predictions until interrupted (SIGINT/SIGTERM close it cleanly). */
export async function apiCommand(options: { host: string; port: number }, config: AppConfig, reporter: Reporter): Promise<number> {
  const api = await startApi(config, { ...options, logger: false });
  const served = (await api.app.inject({ method: 'GET', url: '/v1/model' })).json() as { model: { name: string; version: string | null; runId: string } };
  reporter.note(`api listening on ${api.url} — ${served.model.name} v${served.model.version ?? '-'} (run ${served.model.runId})`);
  reporter.note(`  try: curl -s -X POST ${api.url}/v1/predict -H 'content-type: application/json' -d '{"title":"Neural machine translation","abstract":"We translate text with neural networks."}'`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await api.close();
  reporter.note('api stopped');
  return 0;
}
