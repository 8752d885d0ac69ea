import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import {
  canonicalArxivId,
  collapseWhitespace,
  isValidArxivId,
  normalizeDate,
  paperText,
} from '../../../lib/arxiv/record';

describe('canonicalArxivId', () => {
  it.each([
    ['http://arxiv.org/abs/2202.12139v1', '2202.12139'],
    ['https://arxiv.org/abs/2104.12255v1', '2104.12255'],
    ['http://export.arxiv.org/abs/1111.2011v2', '1111.2011'],
    ['http://arxiv.org/abs/cond-mat/0603029v1', 'cond-mat/0603029'],
    ['http://arxiv.org/abs/quant-ph/0201082v1', 'quant-ph/0201082'],
    ['oai:arXiv.org:1401.2122', '1401.2122'],
    ['oai:arXiv.org:hep-th/9901001', 'hep-th/9901001'],
    ['arXiv:2401.14040v3', '2401.14040'],
    ['  0704.0001\n', '0704.0001'],
  ])('turns %j into %j', (raw, id) => {
    expect(canonicalArxivId(raw)).toBe(id);
  });

  it('leaves a malformed id for isValidArxivId to reject', () => {
    expect(canonicalArxivId('https://arxiv.org/api/errors#incorrect_id_format_for_abc')).toBe(
      'https://arxiv.org/api/errors#incorrect_id_format_for_abc',
    );
  });
});

describe('isValidArxivId', () => {
  it.each([
    '0704.0001',
    '2202.12139',
    '1401.2122',
    'astro-ph/0601001',
    'cond-mat/0603029',
    'hep-th/9901001',
    'math.GT/0309136',
  ])('accepts %s', (id) => {
    expect(isValidArxivId(id)).toBe(true);
  });

  it.each([
    '',
    'abc',
    '2202.12139v1',
    '2202.121390',
    '202.12139',
    'hep-th/990100',
    'HEP-TH/9901001',
    'http://arxiv.org/abs/2202.12139',
  ])('rejects %j', (id) => {
    expect(isValidArxivId(id)).toBe(false);
  });
});

describe('normalizeDate', () => {
  const FORMS: Array<[string, string]> = [
    ['2022-02-24T15:05:19Z', '2022-02-24T15:05:19Z'], // arXiv API <published>
    ['2016-10-09T00:00:00-04:00', '2016-10-09T04:00:00Z'], // 2016 feed <updated>
    ['2019-01-03 10:00:00', '2019-01-03T10:00:00Z'], // arxiver export `published`
    ['2019-01-03T10:00:00', '2019-01-03T10:00:00Z'], // ISO without a zone
    ['2019-01-03T10:00:00.250', '2019-01-03T10:00:00.250Z'],
    ['2014-12-29', '2014-12-29T00:00:00Z'], // OAI-PMH <created>, Kaggle update_date
    ['Mon, 2 Apr 2007 19:18:42 GMT', '2007-04-02T19:18:42Z'], // Kaggle versions[0].created
    ['2 Apr 2007 19:18:42 +0200', '2007-04-02T17:18:42Z'],
    ['2019-01-03T10:00:00.123456Z', '2019-01-03T10:00:00.123Z'],
    ['  2025-03-18\n', '2025-03-18T00:00:00Z'],
  ];

  it.each(FORMS)('normalizes %j to %j', (raw, iso) => {
    expect(normalizeDate(raw)).toBe(iso);
  });

  it.each([undefined, null, '', '   ', 'not a date', '2024-13-01', 1_175_541_522_000, { created: '2007-04-02' }])(
    'returns null for %j',
    (raw) => {
      expect(normalizeDate(raw)).toBeNull();
    },
  );

  it.each(['sometime in 2008', 'v2 1', '12/31/2007', 'Apr 2 2007'])(
    'returns null for free text %j instead of guessing a date in the host time zone',
    (raw) => {
      expect(normalizeDate(raw)).toBeNull();
    },
  );

  it('gives the same UTC time whatever the host time zone', () => {
    // Jest cannot change the time zone of its own process, so run record.ts in a child node with TZ set.
    const root = resolve(__dirname, '../../..');
    const script = `
      const { transformFileSync } = require('@swc/core');
      const { code } = transformFileSync(process.argv[1], {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' },
      });
      const mod = { exports: {} };
      new Function('module', 'exports', 'require', code)(mod, mod.exports, require);
      process.stdout.write(JSON.stringify(JSON.parse(process.argv[2]).map(mod.exports.normalizeDate)));
    `;
    const inputs = FORMS.map(([raw]) => raw);
    for (const tz of ['America/New_York', 'Asia/Kolkata']) {
      const output = execFileSync(
        process.execPath,
        ['-e', script, resolve(root, 'lib/arxiv/record.ts'), JSON.stringify(inputs)],
        {
          cwd: root,
          env: { ...process.env, TZ: tz },
          encoding: 'utf8',
        },
      );
      expect({ tz, dates: JSON.parse(output) as unknown }).toEqual({ tz, dates: FORMS.map(([, iso]) => iso) });
    }
  });
});

describe('collapseWhitespace', () => {
  it('turns hard-wrapped arXiv text into single-spaced text', () => {
    expect(
      collapseWhitespace(
        'Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large\n  Connectivity Limit',
      ),
    ).toBe('Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit');
    expect(collapseWhitespace('  We derive the\r\n\tfrequencies  ')).toBe('We derive the frequencies');
  });
});

describe('paperText', () => {
  it('joins title and abstract as the text a model reads', () => {
    expect(paperText({ title: '0', abstract: 'What is the funniest number in cryptography?' })).toBe(
      '0. What is the funniest number in cryptography?',
    );
  });
});
