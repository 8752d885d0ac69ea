import { describeSource, parseSourceSpec, SourceSpecError, type SourceSpec } from '../../../lib/arxiv/source-spec';

describe('parseSourceSpec', () => {
  it('reads "sample"', () => {
    expect(parseSourceSpec('sample')).toEqual({ kind: 'sample' });
  });

  it('reads file:PATH, trimming the path', () => {
    expect(parseSourceSpec('file:data/arxiv/arxiver_2013-2025.jsonl.gz')).toEqual({
      kind: 'file',
      path: 'data/arxiv/arxiver_2013-2025.jsonl.gz',
    });
    expect(parseSourceSpec('file: /srv/snapshots/kaggle.jsonl ')).toEqual({
      kind: 'file',
      path: '/srv/snapshots/kaggle.jsonl',
    });
  });

  it('reads arxiv:QUERY, keeping the colons of the query', () => {
    expect(parseSourceSpec('arxiv:cat:cs.CL')).toEqual({ kind: 'arxiv', query: 'cat:cs.CL' });
    expect(parseSourceSpec('arxiv:au:del_maestro AND ti:checkerboard')).toEqual({
      kind: 'arxiv',
      query: 'au:del_maestro AND ti:checkerboard',
    });
  });

  it('attaches the --from/--until window to arxiv and oai sources', () => {
    expect(parseSourceSpec('arxiv:cat:cs.CL', { from: '2024-01-01', until: '2024-01-31' })).toEqual({
      kind: 'arxiv',
      query: 'cat:cs.CL',
      from: '2024-01-01',
      until: '2024-01-31',
    });
    expect(parseSourceSpec('oai:cs', { from: '2024-01-25' })).toEqual({
      kind: 'oai',
      set: 'cs',
      metadataPrefix: 'arXiv',
      from: '2024-01-25',
    });
  });

  it('reads oai:SET with the arXiv metadata format by default', () => {
    expect(parseSourceSpec('oai:cs')).toEqual({ kind: 'oai', set: 'cs', metadataPrefix: 'arXiv' });
    expect(parseSourceSpec('oai:physics:hep-th')).toEqual({
      kind: 'oai',
      set: 'physics:hep-th',
      metadataPrefix: 'arXiv',
    });
    expect(parseSourceSpec('oai:cs@arXiv')).toEqual({ kind: 'oai', set: 'cs', metadataPrefix: 'arXiv' });
  });

  it('reads oai:SET@oai_dc', () => {
    expect(parseSourceSpec('oai:cs@oai_dc')).toEqual({ kind: 'oai', set: 'cs', metadataPrefix: 'oai_dc' });
  });

  it('accepts a one-day window and a leap day', () => {
    expect(parseSourceSpec('arxiv:cat:cs.CL', { from: '2024-02-29', until: '2024-02-29' })).toMatchObject({
      from: '2024-02-29',
      until: '2024-02-29',
    });
  });

  it.each([
    ['', /unknown source ""/],
    ['file', /unknown source "file"/],
    ['file:', /unknown source "file:"/],
    ['arxiv:   ', 'unknown source "arxiv:   "'],
    ['ftp:example.org/arxiv.jsonl', /unknown source kind "ftp"/],
    ['samples', /unknown source "samples": use sample, file:PATH/],
    ['oai:cs@marc21', /unknown OAI-PMH metadata format "marc21"/],
    ['oai:cs@oai_dc@arXiv', /unknown OAI-PMH metadata format "oai_dc@arXiv"/],
    ['oai:@oai_dc', /names no OAI-PMH set/],
  ])('rejects %j', (text, message: RegExp | string) => {
    expect(() => parseSourceSpec(text)).toThrow(SourceSpecError);
    expect(() => parseSourceSpec(text)).toThrow(message);
  });

  it.each([
    ['from', '2024/01/01'],
    ['from', '24-01-01'],
    ['until', '2024-1-5'],
    ['until', '2024-01-01T00:00:00Z'],
    ['from', '2024-13-01'],
    ['from', '2023-02-29'],
    ['until', '2024-04-31'],
  ])('rejects --%s %j', (name, value) => {
    expect(() => parseSourceSpec('arxiv:cat:cs.CL', { [name]: value })).toThrow(
      new SourceSpecError(`--${name} must be YYYY-MM-DD, got "${value}"`),
    );
  });

  it('rejects a window that ends before it starts', () => {
    expect(() => parseSourceSpec('oai:cs', { from: '2024-02-01', until: '2024-01-31' })).toThrow(
      /--from 2024-02-01 is after --until 2024-01-31/,
    );
  });

  it('throws errors named SourceSpecError (the activity layer marks them non-retryable by name)', () => {
    expect(() => parseSourceSpec('ftp:x')).toThrow(
      expect.objectContaining({ name: 'SourceSpecError' }) as unknown as Error,
    );
  });
});

describe('describeSource', () => {
  it.each<[SourceSpec, string]>([
    [{ kind: 'sample' }, 'sample'],
    [{ kind: 'file', path: '/srv/kaggle.jsonl' }, 'file:/srv/kaggle.jsonl'],
    [{ kind: 'arxiv', query: 'cat:cs.CL' }, 'arxiv:cat:cs.CL'],
    [
      { kind: 'arxiv', query: 'cat:cs.CL', from: '2024-01-01', until: '2024-01-31' },
      'arxiv:cat:cs.CL [2024-01-01 to 2024-01-31]',
    ],
    [{ kind: 'arxiv', query: 'cat:cs.CL', from: '2024-01-01' }, 'arxiv:cat:cs.CL [2024-01-01 to …]'],
    [{ kind: 'oai', set: 'cs', metadataPrefix: 'arXiv' }, 'oai:cs'],
    [{ kind: 'oai', set: 'cs', metadataPrefix: 'oai_dc', until: '2024-01-31' }, 'oai:cs@oai_dc [… to 2024-01-31]'],
  ])('describes %j as %j', (spec, label) => {
    expect(describeSource(spec)).toBe(label);
  });

  it('round-trips what users type for the default formats', () => {
    for (const text of ['sample', 'file:/srv/kaggle.jsonl', 'arxiv:cat:cs.CL', 'oai:physics:hep-th']) {
      expect(describeSource(parseSourceSpec(text))).toBe(text);
    }
  });
});
