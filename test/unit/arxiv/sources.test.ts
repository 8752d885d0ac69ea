import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MAX_LINE_BYTES } from '../../../lib/arxiv/snapshot';
import type { SourceSpec } from '../../../lib/arxiv/source-spec';
import { SourceSpecError } from '../../../lib/arxiv/source-spec';
import {
  arxivSearchQuery,
  openSource,
  SAMPLE_PATH,
  type SourceOptions,
  type SourcePage,
} from '../../../lib/arxiv/sources';
import {
  acceptedRecords,
  collect,
  FIXTURES,
  fixturePath,
  readFixture,
  startServer,
  type RecordedRequest,
  type Reply,
  type TestServer,
} from './helpers';

/** Real arXiv API pages of `search_query=testing` (totalResults 214881), keyed by their start index. */
const TESTING_PAGES: Record<string, string> = {
  '0': readFixture('atom-2026', 'query-testing_start-0_max-10.xml'),
  '10': readFixture('atom-2026', 'query-testing_start-10_max-10.xml'),
  '20': readFixture('atom-2026', 'query-testing_start-20_max-10.xml'),
};
const NO_RESULTS = readFixture('atom-2026', 'id-0000.0000_no-results.xml');
const ERROR_FEED = readFixture('atom-2026', 'id-abc_error-feed_http-400.xml');
const DC_CS = readFixture('oai-pmh', 'listrecords_oai_dc_set-cs_2024-01-25_trimmed.xml');
const HEP_TH = readFixture('oai-pmh', 'listrecords_arXiv_set-physics-hep-th_2017-12-14_trimmed.xml');

/** The same real page, claiming a smaller result set (as a narrow query would). */
const withTotal = (xml: string, total: number) =>
  xml.replace(/<opensearch:totalResults>\d+</, `<opensearch:totalResults>${total}<`);
/** The same real page with its entries removed (the API's occasional empty page inside a result set). */
const withoutEntries = (xml: string) => xml.replace(/\s*<entry>[\s\S]*<\/entry>/, '');

const ids = (pages: SourcePage[]) => pages.flatMap((page) => acceptedRecords(page.items).map(({ id }) => id));
const param = (request: RecordedRequest, name: string) => request.url.searchParams.get(name);

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function options(overrides: Partial<SourceOptions> = {}): SourceOptions {
  return {
    pageSize: 10,
    arxivApiUrl: server?.url ?? 'http://127.0.0.1:9/api/query',
    oaiUrl: server?.url ?? 'http://127.0.0.1:9/oai2',
    requestIntervalMs: 1,
    fileRoots: [FIXTURES],
    maxLineBytes: DEFAULT_MAX_LINE_BYTES,
    ...overrides,
  };
}

describe('arxivSearchQuery', () => {
  it('leaves the query alone without a date window', () => {
    expect(arxivSearchQuery({ query: 'cat:cs.CL' })).toBe('cat:cs.CL');
  });

  it('adds a submittedDate window from the start of --from to the last minute of --until', () => {
    expect(arxivSearchQuery({ query: 'cat:cs.CL OR cat:cs.LG', from: '2024-01-01', until: '2024-01-31' })).toBe(
      '(cat:cs.CL OR cat:cs.LG) AND submittedDate:[202401010000 TO 202401312359]',
    );
  });

  it('leaves the other end of a half-open window unbounded', () => {
    expect(arxivSearchQuery({ query: 'cat:cs.CL', from: '2024-01-01' })).toBe(
      '(cat:cs.CL) AND submittedDate:[202401010000 TO 999912312359]',
    );
    expect(arxivSearchQuery({ query: 'cat:cs.CL', until: '2024-01-31' })).toBe(
      '(cat:cs.CL) AND submittedDate:[000001010000 TO 202401312359]',
    );
  });
});

describe('openSource', () => {
  describe('arXiv API (Atom paging)', () => {
    const spec: SourceSpec = { kind: 'arxiv', query: 'all:testing', from: '2012-01-01', until: '2025-12-31' };

    it('pages with start/max_results, sorted by submission date, and stops at totalResults', async () => {
      server = await startServer('/api/query', (request): Reply => ({
        body: withTotal(TESTING_PAGES[param(request, 'start') ?? ''] ?? NO_RESULTS, 30),
      }));
      const source = openSource(spec, options());
      const pages = await collect(source.pages({ offset: 0 }));

      expect(server.requests.map((request) => param(request, 'start'))).toEqual(['0', '10', '20']);
      for (const request of server.requests) {
        expect(request.url.pathname).toBe('/api/query');
        expect(param(request, 'search_query')).toBe('(all:testing) AND submittedDate:[201201010000 TO 202512312359]');
        expect(param(request, 'max_results')).toBe('10');
        expect(param(request, 'sortBy')).toBe('submittedDate');
        expect(param(request, 'sortOrder')).toBe('ascending');
      }
      expect(pages.map(({ cursor, expectedTotal, items }) => ({ cursor, expectedTotal, items: items.length }))).toEqual(
        [
          { cursor: { offset: 10 }, expectedTotal: 30, items: 10 },
          { cursor: { offset: 20 }, expectedTotal: 30, items: 10 },
          { cursor: { offset: 30 }, expectedTotal: 30, items: 10 },
        ],
      );
      expect(ids(pages).slice(0, 2)).toEqual(['2202.12139', '2405.13786']);
      expect(new Set(ids(pages)).size).toBe(30);
    });

    it('stops when a page past the end comes back empty', async () => {
      server = await startServer('/api/query', (request): Reply => ({
        body: TESTING_PAGES[param(request, 'start') ?? ''] ?? NO_RESULTS,
      }));
      const pages = await collect(openSource(spec, options()).pages({ offset: 0 }));
      expect(server.requests.map((request) => param(request, 'start'))).toEqual(['0', '10', '20', '30']);
      expect(ids(pages)).toHaveLength(30);
      expect(pages.at(-1)!.cursor).toEqual({ offset: 30 });
    });

    it('asks again when a page inside the result set comes back empty', async () => {
      let emptyAnswers = 0;
      server = await startServer('/api/query', (request): Reply => {
        const start = param(request, 'start') ?? '';
        if (start === '10' && emptyAnswers < 2) {
          emptyAnswers += 1;
          return { body: withoutEntries(TESTING_PAGES['10']!) };
        }
        return { body: withTotal(TESTING_PAGES[start] ?? NO_RESULTS, 30) };
      });
      const pages = await collect(openSource(spec, options()).pages({ offset: 0 }));
      expect(server.requests.map((request) => param(request, 'start'))).toEqual(['0', '10', '10', '10', '20']);
      expect(ids(pages)).toHaveLength(30);
    });

    it('fails (so the activity retries from its cursor) when a page inside the result set stays empty', async () => {
      server = await startServer('/api/query', (request): Reply => {
        const start = param(request, 'start') ?? '';
        return {
          body: withTotal(
            start === '10' ? withoutEntries(TESTING_PAGES['10']!) : (TESTING_PAGES[start] ?? NO_RESULTS),
            30,
          ),
        };
      });
      const pages: SourcePage[] = [];
      await expect(
        (async () => {
          for await (const page of openSource(spec, options()).pages({ offset: 0 })) pages.push(page);
        })(),
      ).rejects.toThrow(/start=10 of 30 results with an empty page/);
      expect(pages.map((page) => page.cursor)).toEqual([{ offset: 10 }]);
      expect(server.requests.map((request) => param(request, 'start'))).toEqual(['0', '10', '10', '10', '10']);
    });

    it('resumes from the cursor offset', async () => {
      server = await startServer('/api/query', (request): Reply => ({
        body: withTotal(TESTING_PAGES[param(request, 'start') ?? ''] ?? NO_RESULTS, 30),
      }));
      const pages = await collect(openSource(spec, options()).pages({ offset: 20 }));
      expect(server.requests.map((request) => param(request, 'start'))).toEqual(['20']);
      expect(ids(pages)[0]).toBe('2008.01944');
      expect(pages.map(({ cursor }) => cursor)).toEqual([{ offset: 30 }]);
    });

    it('yields nothing for a query without results', async () => {
      server = await startServer('/api/query', () => ({ body: NO_RESULTS }));
      expect(await collect(openSource(spec, options()).pages({ offset: 0 }))).toEqual([]);
      expect(server.requests).toHaveLength(1);
    });

    it('asks for at most 2,000 results per page', async () => {
      server = await startServer('/api/query', () => ({ body: NO_RESULTS }));
      await collect(openSource(spec, options({ pageSize: 5_000 })).pages({ offset: 0 }));
      expect(param(server.requests[0]!, 'max_results')).toBe('2000');
    });

    it("fails without retrying, with the error feed's message, when the API answers 400", async () => {
      server = await startServer('/api/query', () => ({ status: 400, body: ERROR_FEED }));
      await expect(
        collect(openSource({ kind: 'arxiv', query: 'id:abc' }, options()).pages({ offset: 0 })),
      ).rejects.toMatchObject({
        name: 'SourceSpecError',
        message: expect.stringContaining('incorrect id format for abc'),
      });
      expect(server.requests).toHaveLength(1);
    });

    it('is labelled with its description', () => {
      expect(openSource(spec, options()).label).toBe('arxiv:all:testing [2012-01-01 to 2025-12-31]');
    });
  });

  describe('OAI-PMH (resumptionToken paging)', () => {
    const spec: SourceSpec = {
      kind: 'oai',
      set: 'cs',
      metadataPrefix: 'oai_dc',
      from: '2024-01-25',
      until: '2024-01-26',
    };
    /** The real page's last two records, with the empty resumptionToken OAI-PMH sends on the last page. */
    const LAST_PAGE = DC_CS.replace(/<record>[\s\S]*?<\/record>\s*/g, (record) =>
      /2401\.140(38|40)/.test(record) ? record : '',
    ).replace(
      /<resumptionToken[^>]*>[^<]*<\/resumptionToken>/,
      '<resumptionToken cursor="1001" completeListSize="1162"/>',
    );

    function oaiServer(): Promise<TestServer> {
      return startServer('/oai2', (request): Reply =>
        param(request, 'resumptionToken') === '6960524|1001' ? { body: LAST_PAGE } : { body: DC_CS },
      );
    }

    it('follows the resumptionToken until it is absent', async () => {
      server = await oaiServer();
      const pages = await collect(openSource(spec, options()).pages({ offset: 0 }));

      const [first, second] = server.requests as [RecordedRequest, RecordedRequest];
      expect(server.requests).toHaveLength(2);
      expect(Object.fromEntries(first.url.searchParams)).toEqual({
        verb: 'ListRecords',
        metadataPrefix: 'oai_dc',
        set: 'cs',
        from: '2024-01-25',
        until: '2024-01-26',
      });
      expect(Object.fromEntries(second.url.searchParams)).toEqual({
        verb: 'ListRecords',
        resumptionToken: '6960524|1001',
      });
      expect(pages.map(({ cursor, expectedTotal, items }) => ({ cursor, expectedTotal, items: items.length }))).toEqual(
        [
          { cursor: { offset: 5, token: '6960524|1001' }, expectedTotal: 1162, items: 5 },
          { cursor: { offset: 7, token: undefined }, expectedTotal: 1162, items: 2 },
        ],
      );
      expect(ids(pages)).toEqual([
        '1303.2033',
        '2401.14034',
        '2401.14036',
        '2401.14038',
        '2401.14040',
        '2401.14038',
        '2401.14040',
      ]);
    });

    it('resumes with the token from the cursor', async () => {
      server = await oaiServer();
      const pages = await collect(openSource(spec, options()).pages({ offset: 5, token: '6960524|1001' }));
      expect(server.requests.map((request) => param(request, 'resumptionToken'))).toEqual(['6960524|1001']);
      expect(pages.map(({ cursor }) => cursor)).toEqual([{ offset: 7, token: undefined }]);
    });

    it('reads nothing more when a resumed harvest had already reached its last page', async () => {
      server = await oaiServer();
      expect(await collect(openSource(spec, options()).pages({ offset: 7 }))).toEqual([]);
      expect(server.requests).toHaveLength(0);
    });

    it('asks for the arXiv metadata format by default and leaves out an absent window', async () => {
      server = await startServer('/oai2', () => ({ body: HEP_TH }));
      const pages = await collect(
        openSource({ kind: 'oai', set: 'physics:hep-th', metadataPrefix: 'arXiv' }, options()).pages({ offset: 0 }),
      );
      expect(Object.fromEntries(server.requests[0]!.url.searchParams)).toEqual({
        verb: 'ListRecords',
        metadataPrefix: 'arXiv',
        set: 'physics:hep-th',
      });
      expect(ids(pages)).toEqual(['1412.8323', '1507.07790', '1607.01710']);
    });

    it('yields one empty page when no records match', async () => {
      const noRecordsMatch = HEP_TH.replace(
        /<ListRecords>[\s\S]*<\/ListRecords>/,
        '<error code="noRecordsMatch">No records match the request</error>',
      );
      server = await startServer('/oai2', () => ({ body: noRecordsMatch }));
      const pages = await collect(openSource(spec, options()).pages({ offset: 0 }));
      expect(pages).toEqual([{ items: [], cursor: { offset: 0, token: undefined }, expectedTotal: 0 }]);
    });

    it('waits out flow control (503 with Retry-After) before reading the page', async () => {
      server = await startServer('/oai2', (_request, index): Reply =>
        index === 0
          ? { status: 503, headers: { 'retry-after': '0' }, body: 'Retry after 0 seconds' }
          : { body: HEP_TH },
      );
      const pages = await collect(
        openSource({ kind: 'oai', set: 'physics:hep-th', metadataPrefix: 'arXiv' }, options()).pages({ offset: 0 }),
      );
      expect(server.requests).toHaveLength(2);
      expect(ids(pages)).toHaveLength(3);
    });

    it('fails with OaiError on other OAI-PMH errors', async () => {
      const badArgument = HEP_TH.replace(
        /<ListRecords>[\s\S]*<\/ListRecords>/,
        '<error code="badArgument">Invalid set</error>',
      );
      server = await startServer('/oai2', () => ({ body: badArgument }));
      await expect(collect(openSource(spec, options()).pages({ offset: 0 }))).rejects.toMatchObject({
        name: 'OaiError',
        code: 'badArgument',
      });
    });
  });

  describe('snapshot files', () => {
    const KAGGLE = fixturePath('snapshots', 'kaggle-snapshot_head50.jsonl');

    it('pages through a file and resumes after the last line of a page', async () => {
      const source = openSource({ kind: 'file', path: KAGGLE }, options({ pageSize: 20 }));
      expect(source.label).toBe(`file:${KAGGLE}`);
      const pages = await collect(source.pages({ offset: 0 }));
      expect(pages.map(({ cursor, items }) => ({ cursor, items: items.length }))).toEqual([
        { cursor: { offset: 20 }, items: 20 },
        { cursor: { offset: 40 }, items: 20 },
        { cursor: { offset: 50 }, items: 10 },
      ]);
      const resumed = await collect(source.pages({ offset: 40 }));
      expect(ids(resumed)).toEqual(ids(pages).slice(40));
      expect(ids(resumed)[0]).toBe('0704.0041');
    });

    it('refuses a relative path: the client that starts the run resolves it, never the worker', () => {
      const cwd = jest.spyOn(process, 'cwd').mockReturnValue(FIXTURES);
      try {
        expect(() => openSource({ kind: 'file', path: 'snapshots/kaggle-snapshot_head50.jsonl' }, options())).toThrow(
          new SourceSpecError(
            'file:snapshots/kaggle-snapshot_head50.jsonl is a relative path: the client that starts the run resolves it (mlops run ingest does), the worker takes absolute paths only',
          ),
        );
      } finally {
        cwd.mockRestore();
      }
    });

    it('refuses a file outside the allowed roots, without saying whether it exists', () => {
      for (const path of [
        '/proc/self/environ',
        '/etc/passwd',
        '/nonexistent/secret.jsonl',
        fixturePath('..', '..', 'support', 'papers.ts'),
        `${FIXTURES}-sibling/x.jsonl`,
      ]) {
        expect(() => openSource({ kind: 'file', path }, options())).toThrow(
          /is outside the folders ingestion may read \(INGEST_FILE_ROOTS: .*fixtures\/arxiv\): add its folder to INGEST_FILE_ROOTS/,
        );
      }
    });

    it('refuses a symbolic link inside a root that leads outside it', () => {
      const dir = mkdtempSync(join(tmpdir(), 'sources-link-'));
      try {
        symlinkSync('/etc/hostname', join(dir, 'innocent.jsonl'));
        expect(() =>
          openSource({ kind: 'file', path: join(dir, 'innocent.jsonl') }, options({ fileRoots: [dir] })),
        ).toThrow(/is outside the folders ingestion may read/);
        symlinkSync(fixturePath('snapshots', 'kaggle-snapshot_head50.jsonl'), join(dir, 'inside.jsonl'));
        expect(
          openSource({ kind: 'file', path: join(dir, 'inside.jsonl') }, options({ fileRoots: [dir, FIXTURES] })).label,
        ).toBe(`file:${join(dir, 'inside.jsonl')}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('refuses what is not a regular file (a device, a folder) even inside a root', () => {
      expect(() => openSource({ kind: 'file', path: '/dev/zero' }, options({ fileRoots: ['/dev'] }))).toThrow(
        /\/dev\/zero is not a regular file/,
      );
      expect(() => openSource({ kind: 'file', path: fixturePath('snapshots') }, options())).toThrow(
        /is not a regular file/,
      );
    });

    it('throws SourceSpecError for a file that does not exist', () => {
      expect(() => openSource({ kind: 'file', path: fixturePath('snapshots', 'missing.jsonl') }, options())).toThrow(
        SourceSpecError,
      );
      expect(() => openSource({ kind: 'file', path: fixturePath('snapshots', 'missing.jsonl') }, options())).toThrow(
        /snapshot file not found: .*missing\.jsonl/,
      );
    });

    it(`reads the bundled sample (${SAMPLE_PATH}) for "sample"`, async () => {
      const source = openSource({ kind: 'sample' }, options({ pageSize: 25 }));
      expect(source.label).toBe('sample');
      const pages = source.pages({ offset: 0 });
      try {
        const first = await pages.next();
        expect(first.done).toBe(false);
        const page = first.value as SourcePage;
        expect(acceptedRecords(page.items)).toHaveLength(25);
        expect(page.cursor).toEqual({ offset: 25 });
      } finally {
        await pages.return(undefined);
      }
    });
  });
});
