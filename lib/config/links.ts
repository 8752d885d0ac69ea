import type { AppConfig } from './app-config';

/** The Temporal Web UI page of a run, when the UI address is known. */
export function workflowUiLink(
  config: Pick<AppConfig, 'temporal'>,
  workflowId: string,
  runId: string,
): string | undefined {
  if (!config.temporal.uiUrl) return undefined;
  const base = config.temporal.uiUrl.replace(/\/$/, '');
  return `${base}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}
