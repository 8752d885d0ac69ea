import { AtomFormatError, parseAtomPage } from '../../../lib/arxiv/atom';
import { isArxivCategory } from '../../../lib/arxiv/taxonomy';
import { acceptedRecords, onlyRecord, readFixture, rejectedItems } from './helpers';

const atom2026 = (name: string) => parseAtomPage(readFixture('atom-2026', name));
const atom2016 = (name: string) => parseAtomPage(readFixture('atom-2016', name));

describe('parseAtomPage', () => {
  describe('current API format (recorded 2026)', () => {
    const first = atom2026('query-testing_start-0_max-10.xml');
    const pages = [first, atom2026('query-testing_start-10_max-10.xml'), atom2026('query-testing_start-20_max-10.xml')];

    it('reads totalResults, startIndex and itemsPerPage from the opensearch elements', () => {
      expect(
        pages.map(({ totalResults, startIndex, itemsPerPage }) => ({ totalResults, startIndex, itemsPerPage })),
      ).toEqual([
        { totalResults: 214881, startIndex: 0, itemsPerPage: 10 },
        { totalResults: 214881, startIndex: 10, itemsPerPage: 10 },
        { totalResults: 214881, startIndex: 20, itemsPerPage: 10 },
      ]);
    });

    it('accepts every entry of a real results page, in feed order', () => {
      expect(pages.map((page) => acceptedRecords(page.items).length)).toEqual([10, 10, 10]);
      expect(acceptedRecords(first.items).map((record) => record.id)).toEqual([
        '2202.12139',
        '2405.13786',
        '2005.14124',
        '2204.08348',
        '2302.03287',
        '1202.4527',
        '2503.05378',
        '1205.1866',
        '2502.07719',
        '1812.11470',
      ]);
    });

    it('turns an entry into a normalized record: id without version, ISO UTC dates, primary category first', () => {
      expect(acceptedRecords(first.items)[0]).toEqual({
        id: '2202.12139',
        title: 'Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques',
        abstract: expect.stringMatching(
          /^Deep Learning \(DL\) has revolutionized the capabilities of vision-based systems/,
        ) as unknown as string,
        categories: ['cs.SE', 'cs.LG'],
        primaryCategory: 'cs.SE',
        published: '2022-02-24T15:05:19Z',
        updated: '2022-02-24T15:05:19Z',
      });
    });

    it('keeps first-version and last-update dates apart', () => {
      const record = acceptedRecords(first.items).find(({ id }) => id === '2005.14124');
      expect(record).toMatchObject({ published: '2020-05-28T16:19:50Z', updated: '2020-07-16T08:15:48Z' });
    });

    it('lists only taxonomy codes, primary first, on every record', () => {
      for (const record of pages.flatMap((page) => acceptedRecords(page.items))) {
        expect(record.categories[0]).toBe(record.primaryCategory);
        expect(record.categories.every(isArxivCategory)).toBe(true);
        expect(new Set(record.categories).size).toBe(record.categories.length);
      }
    });

    it('reads the primary category from arxiv:primary_category', () => {
      expect(onlyRecord(atom2026('id-quant-ph-0201082v1.xml').items)).toMatchObject({
        id: 'quant-ph/0201082',
        categories: ['quant-ph', 'cs.PL'],
        primaryCategory: 'quant-ph',
      });
    });

    it('reads an old-style id and its legacy archive category (astro-ph/0601001)', () => {
      expect(onlyRecord(atom2026('id-astro-ph-0601001.xml').items)).toMatchObject({
        id: 'astro-ph/0601001',
        categories: ['astro-ph'],
        primaryCategory: 'astro-ph',
        published: '2006-01-02T14:57:58Z',
      });
    });

    it('collapses whitespace and decodes XML entities in the abstract', () => {
      const { abstract } = onlyRecord(atom2026('id-astro-ph-0601001.xml').items);
      expect(abstract.startsWith('We derive the frequencies of hot Jupiters (HJs) with 3--5 day periods')).toBe(true);
      expect(abstract).toContain('following Gould & Morgan (2003)');
      expect(abstract).toContain('spectroscopic-followup limit of V_max<17.5.');
      expect(abstract).not.toMatch(/^\s|\s$|\s{2}/);
    });

    it('decodes UTF-8 text ($ω$Test)', () => {
      const titles = acceptedRecords(atom2026('query-testing_start-20_max-10.xml').items).map(({ title }) => title);
      expect(titles).toContain('$ω$Test: WebView-Oriented Testing for Android Applications');
    });

    it('accepts the paper whose title is literally "0" (2104.12255)', () => {
      expect(onlyRecord(atom2026('id-2104.12255v1_title-zero.xml').items)).toMatchObject({
        id: '2104.12255',
        title: '0',
        categories: ['cs.CR'],
        published: '2021-04-20T16:07:14Z',
      });
    });

    it('rejects the API error feed entry with reason api_error and keeps the entry', () => {
      const page = atom2026('id-abc_error-feed_http-400.xml');
      expect(page).toMatchObject({ totalResults: 1, startIndex: 0, itemsPerPage: 1 });
      expect(rejectedItems(page.items)).toEqual([
        {
          reason: 'api_error',
          detail: 'the arXiv API answered with an error: incorrect id format for abc',
          raw: expect.stringContaining('https://arxiv.org/api/errors#incorrect_id_format_for_abc') as unknown as string,
        },
      ]);
    });

    it('returns no items for a zero-result feed', () => {
      expect(atom2026('id-0000.0000_no-results.xml')).toEqual({
        totalResults: 0,
        startIndex: 0,
        itemsPerPage: 100,
        items: [],
      });
    });

    it('returns only the papers found when an id list names an unknown id', () => {
      const page = atom2026('id-0808.05394-and-1707.08567_one-found.xml');
      expect(page.totalResults).toBe(1);
      expect(onlyRecord(page.items)).toMatchObject({ id: '1707.08567', categories: ['cs.IT'] });
    });

    it('keeps cross-list order after the primary (1605.08386: math.CO then math.ST)', () => {
      expect(onlyRecord(atom2026('id-1605.08386.xml').items).categories).toEqual(['math.CO', 'math.ST']);
    });
  });

  describe('2016 API format (inline namespaces, <title type="html">)', () => {
    it('reads opensearch counts declared with inline namespaces', () => {
      const page = atom2016('query-au-del_maestro.xml');
      expect(page).toMatchObject({ totalResults: 31, startIndex: 0, itemsPerPage: 10 });
      expect(acceptedRecords(page.items)).toHaveLength(10);
    });

    it('reads old-style ids such as cond-mat/0603029', () => {
      expect(onlyRecord(atom2016('query-au-del_maestro_AND_ti-checkerboard.xml').items)).toEqual({
        id: 'cond-mat/0603029',
        title: 'From stripe to checkerboard order on the square lattice in the presence of quenched disorder',
        abstract: expect.stringMatching(
          /^We discuss the effects of quenched disorder on a model of charge density wave \(CDW\) ordering/,
        ) as unknown as string,
        categories: ['cond-mat.str-el', 'cond-mat.supr-con'],
        primaryCategory: 'cond-mat.str-el',
        published: '2006-03-02T02:22:45Z',
        updated: '2006-03-02T02:22:45Z',
      });
    });

    it('reads the primary category declared before the category list and joins hard-wrapped titles', () => {
      expect(onlyRecord(atom2016('id-1111.2011v2.xml').items)).toMatchObject({
        id: '1111.2011',
        title: 'Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit',
        categories: ['cond-mat.str-el', 'cond-mat.stat-mech'],
        primaryCategory: 'cond-mat.str-el',
        published: '2011-11-08T18:48:36Z',
        updated: '2012-04-02T12:38:54Z',
      });
    });

    it('mixes new- and old-style ids on one page', () => {
      const ids = acceptedRecords(atom2016('query-au-del_maestro_AND_ti-quantum_criticality.xml').items).map(
        ({ id }) => id,
      );
      expect(ids).toEqual(['1111.2011', 'cond-mat/0607501']);
    });
  });

  describe('malformed responses', () => {
    it('throws AtomFormatError for a document that is not an Atom feed', () => {
      expect(() => parseAtomPage(readFixture('oai-pmh', 'getrecord_arXiv_1401.2122.xml'))).toThrow(AtomFormatError);
    });

    it('throws AtomFormatError when the feed lacks opensearch:totalResults', () => {
      const xml = readFixture('atom-2026', 'id-1605.08386.xml').replace(
        /<opensearch:totalResults>\d+<\/opensearch:totalResults>/,
        '',
      );
      expect(() => parseAtomPage(xml)).toThrow(/totalResults is missing or not a number/);
    });
  });
});
