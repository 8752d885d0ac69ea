// Source specifications as users write them. Pure (no I/O), so workflow code may import it.

/** Where papers come from, as given on the command line (`sample`, `file:PATH`, `arxiv:QUERY`, `oai:SET`). */
export type SourceSpec =
  | { kind: 'sample' }
  | { kind: 'file'; path: string }
  | { kind: 'arxiv'; query: string; from?: string; until?: string }
  | { kind: 'oai'; set: string; from?: string; until?: string; metadataPrefix: 'arXiv' | 'oai_dc' };

/** Resume position: items consumed so far, plus the OAI-PMH resumption token when there is one. */
export interface SourceCursor {
  offset: number;
  token?: string;
}

export class SourceSpecError extends Error {
  override readonly name = 'SourceSpecError';
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `2024-02-29` yes; `2023-02-29`, `2024-13-01` and `2024-1-5` no. */
function isCalendarDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const [year, month, day] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Checks a --from/--until window of calendar days (either end may be open). */
export function checkDayWindow(window: { from?: string; until?: string }): void {
  for (const [name, value] of Object.entries(window)) {
    if (value !== undefined && !isCalendarDate(value))
      throw new SourceSpecError(`--${name} must be YYYY-MM-DD, got "${value}"`);
  }
  if (window.from !== undefined && window.until !== undefined && window.from > window.until) {
    throw new SourceSpecError(`--from ${window.from} is after --until ${window.until}: the window would be empty`);
  }
}

export function parseSourceSpec(text: string, window: { from?: string; until?: string } = {}): SourceSpec {
  checkDayWindow(window);
  if (text === 'sample') return { kind: 'sample' };
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  const argument = colon < 0 ? '' : text.slice(colon + 1).trim();
  if (!argument) {
    throw new SourceSpecError(
      `unknown source "${text}": use sample, file:PATH, arxiv:QUERY (e.g. arxiv:cat:cs.CL) or oai:SET (e.g. oai:cs)`,
    );
  }
  switch (kind) {
    case 'file':
      return { kind: 'file', path: argument };
    case 'arxiv':
      return { kind: 'arxiv', query: argument, ...window };
    case 'oai': {
      const at = argument.indexOf('@');
      const set = (at < 0 ? argument : argument.slice(0, at)).trim();
      const prefix = at < 0 ? undefined : argument.slice(at + 1);
      if (!set)
        throw new SourceSpecError(`"${text}" names no OAI-PMH set: use oai:SET or oai:SET@oai_dc (e.g. oai:cs@oai_dc)`);
      if (prefix !== undefined && prefix !== 'oai_dc' && prefix !== 'arXiv') {
        throw new SourceSpecError(`unknown OAI-PMH metadata format "${prefix}": use arXiv or oai_dc`);
      }
      return { kind: 'oai', set, metadataPrefix: prefix === 'oai_dc' ? 'oai_dc' : 'arXiv', ...window };
    }
    default:
      throw new SourceSpecError(`unknown source kind "${kind}": use sample, file:PATH, arxiv:QUERY or oai:SET`);
  }
}

export function describeSource(spec: SourceSpec): string {
  switch (spec.kind) {
    case 'sample':
      return 'sample';
    case 'file':
      return `file:${spec.path}`;
    case 'arxiv':
      return `arxiv:${spec.query}${spec.from || spec.until ? ` [${spec.from ?? '…'} to ${spec.until ?? '…'}]` : ''}`;
    case 'oai':
      return `oai:${spec.set}${spec.metadataPrefix === 'oai_dc' ? '@oai_dc' : ''}${spec.from || spec.until ? ` [${spec.from ?? '…'} to ${spec.until ?? '…'}]` : ''}`;
  }
}
