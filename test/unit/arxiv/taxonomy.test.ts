import { categoryFromSubject, categoryName, isArxivCategory } from '../../../lib/arxiv/taxonomy';

describe('isArxivCategory', () => {
  it.each([
    'cs.CL',
    'cs.SE',
    'eess.AS',
    'math.CO',
    'stat.ML',
    'q-fin.TR',
    'cond-mat.str-el',
    'physics.ins-det',
    'astro-ph.CO',
    'hep-th',
    'quant-ph',
    'gr-qc',
  ])('knows the taxonomy code %s', (code) => {
    expect(isArxivCategory(code)).toBe(true);
  });

  it.each(['astro-ph', 'cond-mat', 'cmp-lg', 'supr-con'])(
    'knows the legacy archive %s that old papers carry as a category',
    (code) => {
      expect(isArxivCategory(code)).toBe(true);
    },
  );

  it.each(['cs', 'cs.cl', 'CS.CL', 'cs.XX', '68T50', 'I.2.7', 'I.2.7; I.2.6', ''])(
    'rejects %j (not an arXiv taxonomy code)',
    (code) => {
      expect(isArxivCategory(code)).toBe(false);
    },
  );
});

describe('categoryName', () => {
  it('gives the display name of a code', () => {
    expect(categoryName('cs.CL')).toBe('Computation and Language');
    expect(categoryName('hep-th')).toBe('High Energy Physics - Theory');
    expect(categoryName('astro-ph')).toBe('Astrophysics');
  });

  it('is undefined for an unknown code', () => {
    expect(categoryName('68T50')).toBeUndefined();
  });
});

describe('categoryFromSubject', () => {
  it.each([
    // the subjects of the real oai_dc fixture (listrecords_oai_dc_set-cs_2024-01-25_trimmed.xml)
    ['Computer Science - Data Structures and Algorithms', 'cs.DS'],
    ['Computer Science - Information Theory', 'cs.IT'],
    ['Mathematics - Numerical Analysis', 'math.NA'],
    ['Computer Science - Computer Vision and Pattern Recognition', 'cs.CV'],
    ['Computer Science - Computation and Language', 'cs.CL'],
    // archives that are categories of their own
    ['High Energy Physics - Theory', 'hep-th'],
    ['Quantum Physics', 'quant-ph'],
    ['General Relativity and Quantum Cosmology', 'gr-qc'],
    // same display name in two groups
    ['Mathematics - Mathematical Physics', 'math.MP'],
    ['Mathematical Physics', 'math-ph'],
    ['Computer Science - Systems and Control', 'cs.SY'],
    ['Electrical Engineering and Systems Science - Systems and Control', 'eess.SY'],
    ['Condensed Matter - Strongly Correlated Electrons', 'cond-mat.str-el'],
  ])('maps %j to %s', (subject, code) => {
    expect(categoryFromSubject(subject)).toBe(code);
  });

  it('ignores case and hard-wrapped whitespace', () => {
    expect(categoryFromSubject('  computer science -\n  COMPUTATION AND LANGUAGE ')).toBe('cs.CL');
  });

  it.each(['Computer Science - Something Else', 'cs.CL', '68T50', ''])('is undefined for %j', (subject) => {
    expect(categoryFromSubject(subject)).toBeUndefined();
  });
});
