import { referenceDataCsv, type ReferenceRow } from '../../../lib/model/reference-data';

function row(overrides: Partial<ReferenceRow> = {}): ReferenceRow {
  return {
    arxivId: '2401.00001',
    published: new Date('2024-01-02T03:04:05Z'),
    vector: Float32Array.from([0.5, -0.25, 1]),
    label: 'cs.LG',
    prediction: 'cs.AI',
    titleChars: 42,
    abstractChars: 900,
    abstractWords: 150,
    oovShare: 0.125,
    ...overrides,
  };
}

/** RFC 4180 fields of one line (no embedded newlines in these tests). */
function fields(line: string): string[] {
  const out: string[] = [];
  const pattern = /(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g;
  for (const match of line.matchAll(pattern))
    out.push(match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2]!);
  return out;
}

describe('referenceDataCsv', () => {
  it('has the header arxiv_id, published, emb_0..emb_{d-1}, label, prediction and the text descriptors', () => {
    const [header] = referenceDataCsv([row()]).split('\n');
    expect(header).toBe(
      'arxiv_id,published,emb_0,emb_1,emb_2,label,prediction,title_chars,abstract_chars,abstract_words,oov_share',
    );
  });

  it('writes one line per row in header order, ending with a newline', () => {
    const csv = referenceDataCsv([
      row(),
      row({ arxivId: '2401.00002', published: null, label: 'math.ST', prediction: 'math.ST', oovShare: undefined }),
    ]);
    expect(csv.endsWith('\n')).toBe(true);
    const lines = csv.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(fields(lines[1]!)).toEqual([
      '2401.00001',
      '2024-01-02T03:04:05.000Z',
      '0.5000000',
      '-0.2500000',
      '1.000000',
      'cs.LG',
      'cs.AI',
      '42',
      '900',
      '150',
      '0.125000',
    ]);
    expect(fields(lines[2]!).slice(0, 2)).toEqual(['2401.00002', '']);
    // A paper embedded before the out-of-vocabulary share was stored leaves its field empty.
    expect(fields(lines[2]!)).toHaveLength(11);
    expect(fields(lines[2]!)[10]).toBe('');
  });

  it('writes embedding values that parse back to the stored float32 within 7 significant digits', () => {
    const vector = Float32Array.from([0.123456789, -3.14159265, 1e-7]);
    const values = fields(referenceDataCsv([row({ vector })]).split('\n')[1]!)
      .slice(2, 5)
      .map(Number);
    values.forEach((value, i) => expect(value).toBeCloseTo(vector[i]!, 6));
  });

  it('quotes fields with commas, quotes or newlines, doubling inner quotes', () => {
    const csv = referenceDataCsv([row({ arxivId: 'hep-th/9901001,v2', label: 'say "hi"', prediction: 'line\nbreak' })]);
    expect(csv).toContain('"hep-th/9901001,v2"');
    expect(csv).toContain('"say ""hi"""');
    expect(csv).toContain('"line\nbreak"');
  });

  it('writes just the header for no rows, without a blank line', () => {
    expect(referenceDataCsv([])).toBe(
      'arxiv_id,published,label,prediction,title_chars,abstract_chars,abstract_words,oov_share\n',
    );
  });

  it('refuses rows whose embeddings differ in length from the first', () => {
    expect(() => referenceDataCsv([row(), row({ arxivId: 'x', vector: new Float32Array(2) })])).toThrow(
      'reference row x has 2 embedding dimensions, the first row 3',
    );
  });
});
