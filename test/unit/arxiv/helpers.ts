import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { ExtractedItem } from '../../../lib/arxiv/extracted';
import type { PaperRecord } from '../../../lib/arxiv/record';
import { DEFAULT_MAX_LINE_BYTES } from '../../../lib/arxiv/snapshot';
import type { SourceOptions, SourcePage } from '../../../lib/arxiv/sources';
import type { RejectReason } from '../../../lib/arxiv/validate';

/** Real arXiv API / OAI-PMH responses and snapshot lines (see test/fixtures/arxiv/README.md). */
export const FIXTURES = resolve(__dirname, '../../fixtures/arxiv');

export function fixturePath(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

export function readFixture(...parts: string[]): string {
  return readFileSync(fixturePath(...parts), 'utf8');
}

export function fixtureLines(...parts: string[]): string[] {
  return readFixture(...parts)
    .split('\n')
    .filter((line) => line.trim() !== '');
}

export function acceptedRecords(items: ExtractedItem[]): PaperRecord[] {
  return items.flatMap((item) => (item.ok ? [item.record] : []));
}

export function rejectedItems(items: ExtractedItem[]): Array<{ reason: RejectReason; detail: string; raw: string }> {
  return items.flatMap((item) => (item.ok ? [] : [{ reason: item.reason, detail: item.detail, raw: item.raw }]));
}

/** The one accepted record of a validation, failing the test with the reject reason otherwise. */
export function onlyRecord(items: ExtractedItem[]): PaperRecord {
  expect(items).toHaveLength(1);
  const [item] = items;
  if (!item!.ok) throw new Error(`expected an accepted record, got ${item!.reason}: ${item!.detail}`);
  return item!.record;
}

export interface RecordedRequest {
  url: URL;
  /** Date.now() when the request arrived. */
  at: number;
  headers: IncomingHttpHeaders;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body: string;
}

export interface TestServer {
  /** Base URL, e.g. http://127.0.0.1:41234/api/query */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * A local HTTP server on 127.0.0.1 (ephemeral port) that answers each GET with `route`'s reply.
 * `route` returning undefined leaves the request hanging (to exercise client timeouts).
 */
export async function startServer(
  path: string,
  route: (request: RecordedRequest, index: number) => Reply | undefined,
): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const request: RecordedRequest = {
      url: new URL(req.url ?? '/', 'http://127.0.0.1'),
      at: Date.now(),
      headers: req.headers,
    };
    requests.push(request);
    const reply = route(request, requests.length - 1);
    if (!reply) return;
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/xml; charset=utf-8', ...reply.headers });
    res.end(reply.body);
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}

/** A port nothing listens on (bound once, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  return port;
}

/** Collects every page an async generator yields. */
export async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(page);
  return all;
}

/**
 * Options for openSource in tests: pages of ten, the arXiv API and OAI-PMH at `serverUrl` (a port
 * nothing answers on without one), no wait between requests, the fixtures as the only file root.
 */
export function sourceOptions(serverUrl: string | undefined, overrides: Partial<SourceOptions> = {}): SourceOptions {
  return {
    pageSize: 10,
    arxivApiUrl: serverUrl ?? 'http://127.0.0.1:9/api/query',
    oaiUrl: serverUrl ?? 'http://127.0.0.1:9/oai2',
    requestIntervalMs: 1,
    fileRoots: [FIXTURES],
    maxLineBytes: DEFAULT_MAX_LINE_BYTES,
    ...overrides,
  };
}

/** The ids of the accepted records of every page, in order. */
export const ids = (pages: SourcePage[]) => pages.flatMap((page) => acceptedRecords(page.items).map(({ id }) => id));

/** A query parameter of a recorded request. */
export const param = (request: RecordedRequest, name: string) => request.url.searchParams.get(name);
