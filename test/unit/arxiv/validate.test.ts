import { parseAtomPage } from '../../../lib/arxiv/atom';
import { rawExcerpt } from '../../../lib/arxiv/extracted';
import type { PaperRecord } from '../../../lib/arxiv/record';
import { parseSnapshotLine, readSnapshot } from '../../../lib/arxiv/snapshot';
import {
  FIELD_LIMITS,
  REJECT_REASONS,
  validateCandidate,
  type CandidateRecord,
  type RejectReason,
} from '../../../lib/arxiv/validate';
import { collect, fixtureLines, fixturePath, readFixture, rejectedItems } from './helpers';

/** Real Kaggle snapshot rows: 0704.0001 (hep-ph, hard-wrapped title) and 0704.0002 (math.CO cs.CG). */
const [diphotonLine, sparsityLine] = fixtureLines('snapshots', 'kaggle-snapshot_head50.jsonl') as [string, string];
const diphoton = JSON.parse(diphotonLine) as Record<string, unknown>;
const sparsity = JSON.parse(sparsityLine) as Record<string, unknown>;

/** The same paper as a candidate record (the shape sources hand to validateCandidate). */
const SPARSITY: CandidateRecord = {
  id: sparsity.id,
  title: sparsity.title,
  abstract: sparsity.abstract,
  categories: sparsity.categories,
  published: 'Sat, 31 Mar 2007 02:26:18 GMT',
  updated: sparsity.update_date,
};

function line(changes: Record<string, unknown>, drop: string[] = []): string {
  const row: Record<string, unknown> = { ...diphoton, ...changes };
  for (const key of drop) delete row[key];
  return JSON.stringify(row);
}

function accepted(candidate: CandidateRecord): PaperRecord {
  const result = validateCandidate(candidate);
  if (!result.ok) throw new Error(`expected the candidate to be accepted, got ${result.reason}: ${result.detail}`);
  return result.record;
}

function reasonOf(candidate: CandidateRecord): RejectReason | 'accepted' {
  const result = validateCandidate(candidate);
  return result.ok ? 'accepted' : result.reason;
}

const VALID_CODES = [
  ...'AI AR CC CE CG CL CR CV CY DB DC DL DM DS ET FL GL GR GT HC IR IT LG LO MA MM MS NA NE NI OH OS PF PL RO SC SD SE SI SY'
    .split(' ')
    .map((suffix) => `cs.${suffix}`),
  ...'AC AG AP AT CA CO CT CV DG DS FA GM'.split(' ').map((suffix) => `math.${suffix}`),
];

describe('validateCandidate', () => {
  it('strips the version and URL from the id', () => {
    expect(accepted({ ...SPARSITY, id: 'http://arxiv.org/abs/0704.0002v2' }).id).toBe('0704.0002');
  });

  it('accepts a real Kaggle record and normalizes it', () => {
    expect(validateCandidate(SPARSITY)).toEqual({
      ok: true,
      record: {
        id: '0704.0002',
        title: 'Sparsity-certifying Graph Decompositions',
        abstract: expect.stringMatching(
          /^We describe a new algorithm, the \$\(k,\\ell\)\$-pebble game with colors/,
        ) as unknown as string,
        categories: ['math.CO', 'cs.CG'],
        primaryCategory: 'math.CO',
        published: '2007-03-31T02:26:18Z',
        updated: '2008-12-13T00:00:00Z',
      },
    });
  });

  it('collapses the hard line breaks and indentation of titles and abstracts', () => {
    const record = accepted({ ...SPARSITY, title: diphoton.title, abstract: diphoton.abstract });
    expect(record.title).toBe('Calculation of prompt diphoton production cross sections at Tevatron and LHC energies');
    expect(record.abstract).toMatch(
      /^A fully differential calculation in perturbative quantum chromodynamics is presented/,
    );
    expect(record.abstract).not.toMatch(/\s{2}|\n/);
    expect(record.abstract.endsWith('selection of events.')).toBe(true);
  });

  it('puts the primary category first even when the source lists it later', () => {
    const record = accepted({ ...SPARSITY, categories: ['cs.CG', 'math.CO'], primaryCategory: 'math.CO' });
    expect(record.categories).toEqual(['math.CO', 'cs.CG']);
    expect(record.primaryCategory).toBe('math.CO');
  });

  it('adds the primary category when the category list lacks it', () => {
    expect(accepted({ ...SPARSITY, categories: 'cs.CG', primaryCategory: 'math.CO' }).categories).toEqual([
      'math.CO',
      'cs.CG',
    ]);
  });

  it('takes the first listed code as primary when the source names no (valid) primary', () => {
    expect(accepted({ ...SPARSITY, primaryCategory: '05C85' })).toMatchObject({
      categories: ['math.CO', 'cs.CG'],
      primaryCategory: 'math.CO',
    });
    expect(accepted({ ...SPARSITY, primaryCategory: undefined })).toMatchObject({
      categories: ['math.CO', 'cs.CG'],
      primaryCategory: 'math.CO',
    });
  });

  it('keeps only arXiv taxonomy codes, once each, from a string or an array', () => {
    // arxiver row 1301.6939: categories_raw mixes arXiv codes with MSC and ACM classes
    expect(
      accepted({ ...SPARSITY, categories: ['cs.CL', 'cs.LG', '68T50', 'G.1.3; H.3.1; I.2.7; I.2.6', 'cs.CL'] })
        .categories,
    ).toEqual(['cs.CL', 'cs.LG']);
    expect(accepted({ ...SPARSITY, categories: '  cs.CL\tcs.LG 68T50 cs.LG ' }).categories).toEqual(['cs.CL', 'cs.LG']);
  });

  it('leaves published and updated null when the source does not give a usable date', () => {
    expect(accepted({ ...SPARSITY, published: undefined, updated: 'sometime in 2008' })).toMatchObject({
      published: null,
      updated: null,
    });
  });

  it('accepts a title whose text is literally "0" (arXiv 2104.12255)', () => {
    expect(accepted({ ...SPARSITY, id: '2104.12255', title: '0' }).title).toBe('0');
  });

  it('accepts text exactly at the field limits and rejects one character more', () => {
    expect(reasonOf({ ...SPARSITY, title: 't'.repeat(FIELD_LIMITS.title) })).toBe('accepted');
    expect(reasonOf({ ...SPARSITY, title: 't'.repeat(FIELD_LIMITS.title + 1) })).toBe('field_too_long');
    expect(reasonOf({ ...SPARSITY, abstract: 'a'.repeat(FIELD_LIMITS.abstract) })).toBe('accepted');
    expect(reasonOf({ ...SPARSITY, abstract: 'a'.repeat(FIELD_LIMITS.abstract + 1) })).toBe('field_too_long');
    expect(reasonOf({ ...SPARSITY, categories: VALID_CODES.slice(0, FIELD_LIMITS.categories) })).toBe('accepted');
    expect(reasonOf({ ...SPARSITY, categories: VALID_CODES.slice(0, FIELD_LIMITS.categories + 1) })).toBe(
      'field_too_long',
    );
  });

  it('measures length after collapsing whitespace', () => {
    const wrapped = 'word\n  '.repeat(190); // 1,330 raw characters, 949 after collapsing
    expect(accepted({ ...SPARSITY, title: wrapped }).title).toHaveLength(949);
  });

  it('keeps tabs, line feeds and carriage returns as ordinary whitespace, not damage', () => {
    expect(reasonOf({ ...SPARSITY, abstract: 'Line one\r\n\tline two' })).toBe('accepted');
  });

  it.each([
    ['a NUL character', 'Sparsity-certifying\u0000 Graph Decompositions'],
    ['a DEL character', 'Sparsity-certifying\u007f Graph Decompositions'],
    ['the replacement character of a failed decoding', 'Bal\uFFFDzs and Berger'],
    ['a lone high surrogate (half of an emoji or math letter)', 'The \uD835 pebble game'],
    ['a lone low surrogate', 'The \uDC9C pebble game'],
  ])('rejects a title holding %s as invalid_text', (_what, title) => {
    expect(reasonOf({ ...SPARSITY, title })).toBe('invalid_text');
  });

  it('accepts properly paired surrogates (astral characters such as 𝒜)', () => {
    expect(reasonOf({ ...SPARSITY, title: 'The 𝒜-pebble game' })).toBe('accepted');
  });
});

describe('reject reasons of validateCandidate and parseSnapshotLine', () => {
  /** One small realistic snapshot line per reason, derived from the real Kaggle row 0704.0001. */
  const CASES: Array<{ reason: RejectReason; what: string; raw: string; detail: RegExp }> = [
    {
      reason: 'malformed_json',
      what: 'a line cut off mid-record',
      raw: diphotonLine.slice(0, 180),
      detail: /^not valid JSON/,
    },
    {
      reason: 'not_an_object',
      what: 'a JSON array',
      raw: JSON.stringify([diphoton.id, diphoton.title]),
      detail: /not an object/,
    },
    { reason: 'not_an_object', what: 'JSON null', raw: 'null', detail: /not an object/ },
    { reason: 'missing_id', what: 'a record without id', raw: line({}, ['id']), detail: /no id/ },
    { reason: 'missing_id', what: 'a blank id', raw: line({ id: '  ' }), detail: /no id/ },
    {
      reason: 'invalid_id',
      what: 'an id that is no arXiv identifier',
      raw: line({ id: 'abc' }),
      detail: /"abc" is not an arXiv identifier/,
    },
    {
      reason: 'missing_title',
      what: 'a whitespace-only title',
      raw: line({ title: ' \n  ' }),
      detail: /0704\.0001 has no title/,
    },
    {
      reason: 'missing_abstract',
      what: 'a record without abstract',
      raw: line({}, ['abstract']),
      detail: /0704\.0001 has no abstract/,
    },
    {
      reason: 'no_arxiv_category',
      what: 'only MSC/ACM classes',
      raw: line({ categories: '68T50 I.2.7' }),
      detail: /no arXiv taxonomy category/,
    },
    {
      reason: 'field_too_long',
      what: 'a 10,001-character abstract',
      raw: line({ abstract: 'x'.repeat(10_001) }),
      detail: /abstract has 10001 characters \(limit 10000\)/,
    },
    {
      reason: 'invalid_text',
      what: 'a mis-decoded author name in the abstract',
      raw: line({ abstract: 'Bal\uFFFDzs et al. compute diphotons.' }),
      detail: /abstract holds control or replacement characters/,
    },
  ];

  it.each(CASES)('rejects $what as $reason and keeps the raw line', ({ reason, raw, detail }) => {
    const item = parseSnapshotLine(raw);
    expect(item).toEqual({ ok: false, reason, detail: expect.stringMatching(detail) as unknown as string, raw });
  });

  it('covers every reason in REJECT_REASONS (api_error comes from the arXiv API error feed, line_too_long from the snapshot reader)', async () => {
    const [apiError] = rejectedItems(parseAtomPage(readFixture('atom-2026', 'id-abc_error-feed_http-400.xml')).items);
    const [tooLong] = await collect(
      readSnapshot(fixturePath('snapshots', 'kaggle-snapshot_head50.jsonl'), { maxLineBytes: 100 }),
    );
    const produced = new Set<RejectReason>([
      ...CASES.map(({ reason }) => reason),
      apiError!.reason,
      ...(tooLong!.item.ok ? [] : [tooLong!.item.reason]),
    ]);
    expect([...REJECT_REASONS].filter((reason) => !produced.has(reason))).toEqual([]);
  });

  it('bounds the raw text kept with a rejected huge line', () => {
    const huge = line({ abstract: 'y'.repeat(30_000) });
    const item = parseSnapshotLine(huge);
    expect(item.ok).toBe(false);
    if (item.ok) return;
    expect(item.raw).toBe(rawExcerpt(huge));
    expect(item.raw.startsWith(huge.slice(0, 20_000))).toBe(true);
    expect(item.raw).toMatch(new RegExp(`…\\[${huge.length - 20_000} more characters\\]$`));
  });
});
