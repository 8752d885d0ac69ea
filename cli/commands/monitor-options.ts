import { resolve } from 'node:path';
import { isTestName, TEST_NAMES, type DataDriftOptions, type EmbeddingMethodName } from '../../lib/drift';
import type { DriftSignal } from '../../lib/monitoring/analysis';
import type { WindowSpec } from '../../lib/monitoring/current-window';

/** `--reference`: the serving run (default), a training run, or a CSV. */
export type ReferenceSpec = { kind: 'serving' } | { kind: 'run'; runId: string } | { kind: 'file'; path: string };
/** `--current`: a window of stored papers (scored by the serving model in a workflow), or a CSV. */
export type CurrentSpec = { kind: 'window'; window: WindowSpec } | { kind: 'file'; path: string };

export class MonitorArgumentError extends Error {
  override readonly name = 'MonitorArgumentError';
}

export function parseReference(text: string | undefined): ReferenceSpec {
  if (!text || text === 'serving') return { kind: 'serving' };
  if (text.startsWith('run:') && text.length > 4) return { kind: 'run', runId: text.slice(4) };
  if (text.startsWith('file:') && text.length > 5) return { kind: 'file', path: resolve(text.slice(5)) };
  throw new MonitorArgumentError(`--reference "${text}": use serving, run:<training run id> or file:<csv>`);
}

/**
 * `window:<days>`, `window:<from>..<until>` (days or ISO times, either side optional): stored
 * papers; `predictions:<days>` or `predictions:<from>..<until>`: what the API served; `file:<csv>`.
 */
export function parseCurrent(text: string | undefined, by: 'published' | 'ingested'): CurrentSpec {
  const value = text ?? 'window:7';
  if (value.startsWith('file:') && value.length > 5) return { kind: 'file', path: resolve(value.slice(5)) };
  const prefix = ['window:', 'predictions:'].find((candidate) => value.startsWith(candidate));
  if (prefix) {
    const body = value.slice(prefix.length);
    const counted: WindowSpec['by'] = prefix === 'predictions:' ? 'predicted' : by;
    if (/^\d+(\.\d+)?$/.test(body) && Number(body) > 0)
      return { kind: 'window', window: { by: counted, days: Number(body) } };
    const range = /^([^.]*)\.\.([^.]*(?:\.\d+Z?)?)$/.exec(body);
    if (range && (range[1] || range[2]))
      return {
        kind: 'window',
        window: { by: counted, ...(range[1] ? { from: range[1] } : {}), ...(range[2] ? { until: range[2] } : {}) },
      };
  }
  throw new MonitorArgumentError(
    `--current "${value}": use window:<days>, window:<from>..<until>, predictions:<days>, predictions:<from>..<until> or file:<csv>`,
  );
}

export interface MonitorOptions {
  reference?: string;
  current?: string;
  by?: 'published' | 'ingested';
  out?: string;
  retrain?: boolean;
  cooldownHours?: number;
  dailyCap?: number;
  maxF1Drop?: number;
  driftShare?: number;
  stattest?: string;
  threshold?: number;
  embeddingMethod?: EmbeddingMethodName;
  alertOn?: string;
}

/** The drift options the flags ask for; a test name not in the registry is a usage error. */
export function driftOptions(options: MonitorOptions): DataDriftOptions {
  const { stattest } = options;
  if (stattest !== undefined && !isTestName(stattest))
    throw new MonitorArgumentError(`--stattest "${stattest}": use one of ${TEST_NAMES.join(', ')}`);
  return {
    ...(options.driftShare !== undefined ? { driftShare: options.driftShare } : {}),
    ...(stattest !== undefined ? { test: stattest } : {}),
    ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
  };
}

export function alertOn(options: MonitorOptions): DriftSignal[] | undefined {
  if (options.alertOn === undefined) return undefined;
  const signals = options.alertOn
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  for (const signal of signals) {
    if (!['dataset', 'embedding', 'prediction'].includes(signal))
      throw new MonitorArgumentError(`--alert-on "${signal}": use dataset, embedding and/or prediction`);
  }
  return signals as DriftSignal[];
}
