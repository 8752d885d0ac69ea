import type { SourceSpec } from '../../../lib/arxiv/source-spec';
import { openSource, type SourceOptions } from '../../../lib/arxiv/sources';
import {
  collect,
  ids,
  param,
  readFixture,
  sourceOptions,
  startServer,
  type RecordedRequest,
  type Reply,
  type TestServer,
} from './helpers';

const DC_CS = readFixture('oai-pmh', 'listrecords_oai_dc_set-cs_2024-01-25_trimmed.xml');
const HEP_TH = readFixture('oai-pmh', 'listrecords_arXiv_set-physics-hep-th_2017-12-14_trimmed.xml');

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const options = (overrides: Partial<SourceOptions> = {}) => sourceOptions(server?.url, overrides);

describe('openSource', () => {
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
});
