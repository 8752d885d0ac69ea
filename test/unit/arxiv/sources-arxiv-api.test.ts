import type { SourceSpec } from '../../../lib/arxiv/source-spec';
import { arxivSearchQuery, openSource, type SourceOptions, type SourcePage } from '../../../lib/arxiv/sources';
import { collect, ids, param, readFixture, sourceOptions, startServer, type Reply, type TestServer } from './helpers';

/** Real arXiv API pages of `search_query=testing` (totalResults 214881), keyed by their start index. */
const TESTING_PAGES: Record<string, string> = {
  '0': readFixture('atom-2026', 'query-testing_start-0_max-10.xml'),
  '10': readFixture('atom-2026', 'query-testing_start-10_max-10.xml'),
  '20': readFixture('atom-2026', 'query-testing_start-20_max-10.xml'),
};
const NO_RESULTS = readFixture('atom-2026', 'id-0000.0000_no-results.xml');
const ERROR_FEED = readFixture('atom-2026', 'id-abc_error-feed_http-400.xml');

/** The same real page, claiming a smaller result set (as a narrow query would). */
const withTotal = (xml: string, total: number) =>
  xml.replace(/<opensearch:totalResults>\d+</, `<opensearch:totalResults>${total}<`);
/** The same real page with its entries removed (the API's occasional empty page inside a result set). */
const withoutEntries = (xml: string) => xml.replace(/\s*<entry>[\s\S]*<\/entry>/, '');

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const options = (overrides: Partial<SourceOptions> = {}) => sourceOptions(server?.url, overrides);

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
});
