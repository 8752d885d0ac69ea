import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { AppConfig } from '../config/config';
import { projectRoot } from '../config/paths';
import { parseAtomPage, type AtomPage } from './atom';
import type { ExtractedItem } from './extracted';
import { HttpStatusError, PoliteFetcher } from './http';
import { parseOaiPage } from './oai';
import { readSnapshot } from './snapshot';
import { describeSource, SourceSpecError, type SourceCursor, type SourceSpec } from './source-spec';

export interface SourcePage {
  items: ExtractedItem[];
  /** Where to resume after this page. */
  cursor: SourceCursor;
  /** How many items the source says it holds in all, when it says. */
  expectedTotal?: number;
}

export interface PaperSource {
  readonly label: string;
  pages(from: SourceCursor): AsyncGenerator<SourcePage>;
}

export const SAMPLE_PATH = 'data/sample/arxiv-sample.jsonl.gz';

/** Where the worker may read `file:` sources from, and how long a line may be. */
export interface SnapshotLimits {
  /** Absolute folders; a file must lie inside one of them once symlinks are resolved. */
  fileRoots: readonly string[];
  maxLineBytes: number;
}

const isInside = (path: string, root: string) => {
  const fromRoot = relative(root, path);
  return fromRoot === '' || (!fromRoot.startsWith('..') && !isAbsolute(fromRoot));
};

function realRoot(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return resolve(root);
  }
}

/**
 * The snapshot file a source names, checked before anything is read: the bundled sample, or an
 * absolute path (a client resolves relative ones where the user typed them, never the worker)
 * to a regular file inside one of the allowed roots. Any other is a SourceSpecError, which fails
 * the run at once instead of being retried.
 */
export function resolveSnapshotPath(
  spec: { kind: 'sample' } | { kind: 'file'; path: string },
  fileRoots: readonly string[],
): string {
  if (spec.kind === 'sample') return resolve(projectRoot(), SAMPLE_PATH);
  if (!isAbsolute(spec.path)) {
    throw new SourceSpecError(
      `file:${spec.path} is a relative path: the client that starts the run resolves it (mlops run ingest does), the worker takes absolute paths only`,
    );
  }
  const roots = fileRoots.map(realRoot);
  const outside = () =>
    new SourceSpecError(
      `${spec.path} is outside the folders ingestion may read (INGEST_FILE_ROOTS: ${roots.join(', ')}): add its folder to INGEST_FILE_ROOTS`,
    );
  // Checked on the path as given (nothing is said about files elsewhere), then once symlinks are resolved.
  if (
    !roots.some((root) => isInside(resolve(spec.path), root)) &&
    !fileRoots.some((root) => isInside(resolve(spec.path), resolve(root)))
  )
    throw outside();
  let real: string;
  try {
    real = realpathSync(spec.path);
  } catch {
    throw new SourceSpecError(`snapshot file not found: ${spec.path}`);
  }
  if (!roots.some((root) => isInside(real, root))) throw outside();
  if (!statSync(real).isFile())
    throw new SourceSpecError(`${spec.path} is not a regular file: a snapshot is a .jsonl or .jsonl.gz file`);
  return real;
}

class SnapshotSource implements PaperSource {
  constructor(
    readonly label: string,
    private readonly path: string,
    private readonly pageSize: number,
    private readonly maxLineBytes: number,
  ) {}

  async *pages(from: SourceCursor): AsyncGenerator<SourcePage> {
    let items: ExtractedItem[] = [];
    let offset = from.offset;
    for await (const { line, item } of readSnapshot(this.path, {
      skipLines: from.offset,
      maxLineBytes: this.maxLineBytes,
    })) {
      items.push(item);
      offset = line;
      if (items.length >= this.pageSize) {
        yield { items, cursor: { offset } };
        items = [];
      }
    }
    if (items.length > 0) yield { items, cursor: { offset } };
  }
}

function compactDate(date: string, endOfDay: boolean): string {
  return `${date.replaceAll('-', '')}${endOfDay ? '2359' : '0000'}`;
}

/** The arXiv API's `search_query` with an optional submission-date window. */
export function arxivSearchQuery(spec: { query: string; from?: string; until?: string }): string {
  if (!spec.from && !spec.until) return spec.query;
  const from = spec.from ? compactDate(spec.from, false) : '000001010000';
  const until = spec.until ? compactDate(spec.until, true) : '999912312359';
  return `(${spec.query}) AND submittedDate:[${from} TO ${until}]`;
}

const MAX_ATOM_PAGE = 2_000;
const EMPTY_PAGE_RETRIES = 3;

class ArxivApiSource implements PaperSource {
  constructor(
    readonly label: string,
    private readonly spec: Extract<SourceSpec, { kind: 'arxiv' }>,
    private readonly apiUrl: string,
    private readonly fetcher: PoliteFetcher,
    private readonly pageSize: number,
  ) {}

  private pageUrl(start: number): string {
    const url = new URL(this.apiUrl);
    url.searchParams.set('search_query', arxivSearchQuery(this.spec));
    url.searchParams.set('sortBy', 'submittedDate');
    url.searchParams.set('sortOrder', 'ascending');
    url.searchParams.set('start', String(start));
    url.searchParams.set('max_results', String(Math.min(this.pageSize, MAX_ATOM_PAGE)));
    return url.href;
  }

  /** A 400 answer carries an Atom error feed; its message is what the user needs to see. */
  private async fetchPage(start: number): Promise<AtomPage> {
    try {
      return parseAtomPage(await this.fetcher.getText(this.pageUrl(start)));
    } catch (error) {
      if (error instanceof HttpStatusError && error.status === 400) {
        const reason = (() => {
          try {
            const rejected = parseAtomPage(error.body).items.find((item) => !item.ok);
            return rejected && !rejected.ok ? rejected.detail : undefined;
          } catch {
            return undefined;
          }
        })();
        throw new SourceSpecError(`the arXiv API rejected query "${this.spec.query}": ${reason ?? error.message}`);
      }
      throw error;
    }
  }

  async *pages(from: SourceCursor): AsyncGenerator<SourcePage> {
    let start = from.offset;
    for (;;) {
      let page = await this.fetchPage(start);
      // The API sometimes answers a page inside the result set with no entries; asking again helps.
      for (
        let retry = 0;
        page.items.length === 0 && start < page.totalResults && retry < EMPTY_PAGE_RETRIES;
        retry += 1
      ) {
        page = await this.fetchPage(start);
      }
      if (page.items.length === 0 && start < page.totalResults) {
        // Retryable: the extraction activity resumes from this cursor on its next attempt.
        throw new Error(
          `the arXiv API keeps answering start=${start} of ${page.totalResults} results with an empty page`,
        );
      }
      if (page.items.length === 0) return;
      start += page.items.length;
      yield { items: page.items, cursor: { offset: start }, expectedTotal: page.totalResults };
      if (start >= page.totalResults) return;
    }
  }
}

class OaiPmhSource implements PaperSource {
  constructor(
    readonly label: string,
    private readonly spec: Extract<SourceSpec, { kind: 'oai' }>,
    private readonly baseUrl: string,
    private readonly fetcher: PoliteFetcher,
  ) {}

  private pageUrl(token: string | undefined): string {
    const url = new URL(this.baseUrl);
    url.searchParams.set('verb', 'ListRecords');
    if (token) {
      url.searchParams.set('resumptionToken', token);
      return url.href;
    }
    url.searchParams.set('metadataPrefix', this.spec.metadataPrefix);
    url.searchParams.set('set', this.spec.set);
    if (this.spec.from) url.searchParams.set('from', this.spec.from);
    if (this.spec.until) url.searchParams.set('until', this.spec.until);
    return url.href;
  }

  async *pages(from: SourceCursor): AsyncGenerator<SourcePage> {
    if (from.offset > 0 && !from.token) return; // the previous run already read the last page
    let token = from.token;
    let offset = from.offset;
    for (;;) {
      const page = parseOaiPage(await this.fetcher.getText(this.pageUrl(token)));
      offset += page.items.length;
      token = page.resumptionToken;
      yield { items: page.items, cursor: { offset, token }, expectedTotal: page.completeListSize };
      if (!token) return;
    }
  }
}

export interface SourceOptions extends SnapshotLimits {
  pageSize: number;
  arxivApiUrl: string;
  oaiUrl: string;
  requestIntervalMs: number;
  onWait?: (ms: number, reason: string) => void;
}

/** The configured source settings (arXiv endpoints and pace, where files may be read from, line bound). */
export function sourceOptions(
  config: Pick<AppConfig, 'arxiv' | 'ingest'>,
  pageSize: number,
  onWait?: SourceOptions['onWait'],
): SourceOptions {
  return {
    pageSize,
    arxivApiUrl: config.arxiv.apiUrl,
    oaiUrl: config.arxiv.oaiUrl,
    requestIntervalMs: config.arxiv.requestIntervalMs,
    fileRoots: config.ingest.fileRoots,
    maxLineBytes: config.ingest.maxLineBytes,
    onWait,
  };
}

export function openSource(spec: SourceSpec, options: SourceOptions): PaperSource {
  const label = describeSource(spec);
  switch (spec.kind) {
    case 'sample':
    case 'file':
      return new SnapshotSource(
        label,
        resolveSnapshotPath(spec, options.fileRoots),
        options.pageSize,
        options.maxLineBytes,
      );
    case 'arxiv':
      return new ArxivApiSource(
        label,
        spec,
        options.arxivApiUrl,
        new PoliteFetcher({ minIntervalMs: options.requestIntervalMs, onWait: options.onWait }),
        options.pageSize,
      );
    case 'oai':
      return new OaiPmhSource(
        label,
        spec,
        options.oaiUrl,
        new PoliteFetcher({ minIntervalMs: options.requestIntervalMs, onWait: options.onWait }),
      );
  }
}
