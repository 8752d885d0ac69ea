import { OaiError, parseOaiPage } from '../../../lib/arxiv/oai';
import { acceptedRecords, onlyRecord, readFixture, rejectedItems } from './helpers';

const HEP_TH = readFixture('oai-pmh', 'listrecords_arXiv_set-physics-hep-th_2017-12-14_trimmed.xml');
const HEP_EX = readFixture('oai-pmh', 'listrecords_arXiv_set-physics-hep-ex_2017-12-14_trimmed.xml');
const GET_RECORD = readFixture('oai-pmh', 'getrecord_arXiv_1401.2122.xml');
const DC_CS = readFixture('oai-pmh', 'listrecords_oai_dc_set-cs_2024-01-25_trimmed.xml');

/** The real response with its ListRecords replaced by OAI-PMH <error> elements (same envelope). */
function withErrors(xml: string, errors: string): string {
  return xml.replace(/<ListRecords>[\s\S]*<\/ListRecords>/, errors);
}

/** The real response with one record turned into a deletion notice, as OAI-PMH repositories send them. */
function markDeleted(xml: string, identifier: string): string {
  return xml.replace(/<record>[\s\S]*?<\/record>/g, (record) =>
    record.includes(`<identifier>${identifier}</identifier>`)
      ? `<record>\n<header status="deleted">\n<identifier>${identifier}</identifier>\n<datestamp>2024-01-26</datestamp>\n<setSpec>cs</setSpec>\n</header>\n</record>`
      : record,
  );
}

describe('parseOaiPage', () => {
  describe('arXiv metadata format', () => {
    it('reads every record of a ListRecords page in order', () => {
      const page = parseOaiPage(HEP_TH);
      expect(acceptedRecords(page.items).map(({ id }) => id)).toEqual(['1412.8323', '1507.07790', '1607.01710']);
      expect(page).toMatchObject({ deleted: 0, resumptionToken: undefined, completeListSize: undefined });
    });

    it('splits the categories string, primary first, and takes created/updated as dates', () => {
      expect(acceptedRecords(parseOaiPage(HEP_TH).items)[0]).toEqual({
        id: '1412.8323',
        title: 'Toolbox for reconstructing quantum theory from rules on information acquisition',
        abstract: expect.stringMatching(
          /^We develop an operational approach for reconstructing the quantum theory of qubit systems/,
        ) as unknown as string,
        categories: ['quant-ph', 'gr-qc', 'hep-th', 'math-ph', 'math.MP', 'physics.hist-ph'],
        primaryCategory: 'quant-ph',
        published: '2014-12-29T00:00:00Z',
        updated: '2017-12-13T00:00:00Z',
      });
    });

    it('keeps LaTeX in titles while joining their hard-wrapped lines', () => {
      const titles = acceptedRecords(parseOaiPage(HEP_EX).items).map(({ title }) => title);
      expect(titles).toEqual([
        'Evaluation of Silicon Photomultipliers for use as Photosensors in Liquid Xenon Detectors',
        'R-Parity Violation at the LHC',
        'Implications of right-handed neutrinos in $B-L$ extended standard model with scalar dark matter',
      ]);
    });

    it('reads a GetRecord response', () => {
      const page = parseOaiPage(GET_RECORD);
      expect(onlyRecord(page.items)).toMatchObject({
        id: '1401.2122',
        title: 'New integrable (3+1)-dimensional systems and contact geometry',
        categories: ['math.AP', 'hep-th', 'math-ph', 'math.DG', 'math.MP', 'nlin.SI'],
        published: '2014-01-09T00:00:00Z',
        updated: '2017-10-23T00:00:00Z',
      });
      expect(page.resumptionToken).toBeUndefined();
    });
  });

  describe('oai_dc metadata format', () => {
    const page = parseOaiPage(DC_CS);

    it('takes the id from the header identifier (oai:arXiv.org:1303.2033 → 1303.2033)', () => {
      expect(acceptedRecords(page.items).map(({ id }) => id)).toEqual([
        '1303.2033',
        '2401.14034',
        '2401.14036',
        '2401.14038',
        '2401.14040',
      ]);
    });

    it('maps subjects to category codes through the taxonomy', () => {
      expect(acceptedRecords(page.items).map(({ categories }) => categories)).toEqual([
        ['cs.DS', 'cs.IT', 'math.NA'],
        ['cs.CV'],
        ['cs.CV'],
        ['cs.CV'],
        ['cs.CL'],
      ]);
    });

    it('takes the abstract from the description that is not a "Comment:" line', () => {
      const [edft, , , , chatgpt] = acceptedRecords(page.items);
      expect(edft!.abstract.startsWith('This summary of the doctoral thesis is created')).toBe(true);
      expect(edft!.abstract).not.toContain('Comment:');
      expect(chatgpt!.abstract.endsWith('but performs significantly worse in detecting short-term changes.')).toBe(
        true,
      );
    });

    it('takes the first date as published and the last as updated', () => {
      const [edft, skeleton] = acceptedRecords(page.items);
      expect(edft).toMatchObject({ published: '2013-03-08T00:00:00Z', updated: '2024-01-23T00:00:00Z' });
      expect(skeleton).toMatchObject({ published: '2024-01-25T00:00:00Z', updated: null });
    });

    it('reads the resumptionToken and completeListSize', () => {
      expect(page.resumptionToken).toBe('6960524|1001');
      expect(page.completeListSize).toBe(1162);
    });

    it('treats an empty resumptionToken as the last page but keeps completeListSize', () => {
      const last = DC_CS.replace(
        /<resumptionToken[^>]*>[^<]*<\/resumptionToken>/,
        '<resumptionToken cursor="1001" completeListSize="1162"/>',
      );
      expect(parseOaiPage(last)).toMatchObject({ resumptionToken: undefined, completeListSize: 1162 });
    });

    it('rejects a record whose subjects name no arXiv category', () => {
      const xml = DC_CS.replace(
        '<dc:subject>Computer Science - Computation and Language</dc:subject>',
        '<dc:subject>Computational linguistics</dc:subject>',
      );
      expect(rejectedItems(parseOaiPage(xml).items)).toEqual([
        {
          reason: 'no_arxiv_category',
          detail: '2401.14040 has no arXiv taxonomy category',
          raw: expect.stringContaining('(Chat)GPT v BERT') as unknown as string,
        },
      ]);
    });
  });

  describe('deleted records', () => {
    it('skips them and counts them', () => {
      const page = parseOaiPage(markDeleted(DC_CS, 'oai:arXiv.org:2401.14036'));
      expect(page.deleted).toBe(1);
      expect(acceptedRecords(page.items).map(({ id }) => id)).toEqual([
        '1303.2033',
        '2401.14034',
        '2401.14038',
        '2401.14040',
      ]);
      expect(rejectedItems(page.items)).toEqual([]);
    });
  });

  describe('OAI-PMH errors', () => {
    it('turns noRecordsMatch into an empty last page', () => {
      const xml = withErrors(HEP_TH, '<error code="noRecordsMatch">No records match the request</error>');
      expect(parseOaiPage(xml)).toEqual({ items: [], deleted: 0, resumptionToken: undefined, completeListSize: 0 });
    });

    it('throws OaiError with the code and message for any other error', () => {
      const xml = withErrors(
        DC_CS,
        '<error code="badResumptionToken">The resumptionToken 6960524|1001 has expired</error>',
      );
      expect(() => parseOaiPage(xml)).toThrow(OaiError);
      expect(() => parseOaiPage(xml)).toThrow(
        expect.objectContaining({
          code: 'badResumptionToken',
          message: 'OAI-PMH error badResumptionToken: The resumptionToken 6960524|1001 has expired',
        }) as unknown as Error,
      );
    });

    it('reports every error when the response holds several', () => {
      const xml = withErrors(
        HEP_TH,
        '<error code="cannotDisseminateFormat">Unknown metadata format marc</error>\n<error code="badArgument">Invalid set physics:nope</error>',
      );
      expect(() => parseOaiPage(xml)).toThrow(
        expect.objectContaining({
          name: 'OaiError',
          code: 'cannotDisseminateFormat',
          message:
            'OAI-PMH error cannotDisseminateFormat: Unknown metadata format marc; badArgument: Invalid set physics:nope',
        }) as unknown as Error,
      );
    });

    it('throws OaiError badResponse for a document that is not OAI-PMH', () => {
      expect(() => parseOaiPage(readFixture('atom-2026', 'id-1605.08386.xml'))).toThrow(
        expect.objectContaining({ code: 'badResponse' }) as unknown as Error,
      );
    });
  });
});
