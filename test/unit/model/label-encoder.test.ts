import { LabelEncoder } from '../../../lib/model/label-encoder';

describe('LabelEncoder', () => {
  it('fits sorted, unique classes and codes each label by its index, like scikit-learn', () => {
    const encoder = LabelEncoder.fromLabels(['math.ST', 'cs.LG', 'astro-ph', 'cs.LG', 'cs.AI']);
    expect(encoder.classes).toEqual(['astro-ph', 'cs.AI', 'cs.LG', 'math.ST']);
    expect(encoder.size).toBe(4);
    expect(['cs.LG', 'astro-ph', 'math.ST', 'cs.AI'].map((label) => encoder.encode(label))).toEqual([2, 0, 3, 1]);
  });

  it('decodes every code back to its label', () => {
    const encoder = LabelEncoder.fromLabels(['q-bio', 'hep-th', 'cs.CL']);
    for (const label of encoder.classes) expect(encoder.decode(encoder.encode(label))).toBe(label);
    expect(encoder.has('hep-th')).toBe(true);
    expect(encoder.has('hep-ph')).toBe(false);
  });

  it('names an unknown label and the known ones when encoding fails', () => {
    const encoder = LabelEncoder.fromLabels(['cs.AI', 'cs.LG']);
    expect(() => encoder.encode('cs.CV')).toThrow('unknown label "cs.CV" (known: cs.AI, cs.LG)');
  });

  it('refuses codes that name no class', () => {
    const encoder = LabelEncoder.fromLabels(['a', 'b']);
    for (const code of [-1, 2, 0.5]) expect(() => encoder.decode(code)).toThrow(`no class with code ${code}`);
  });

  it('round-trips through JSON as {type, classes}', () => {
    const encoder = LabelEncoder.fromLabels(['cs.LG', 'cs.AI', 'stat.ML']);
    const json = JSON.stringify(encoder);
    expect(JSON.parse(json)).toEqual({ type: 'LabelEncoder', classes: ['cs.AI', 'cs.LG', 'stat.ML'] });
    const restored = LabelEncoder.fromJSON(json);
    expect(restored.classes).toEqual(encoder.classes);
    expect(restored.encode('stat.ML')).toBe(2);
  });

  it('reads JSON without a type field', () => {
    expect(LabelEncoder.fromJSON('{"classes":["a","b"]}').classes).toEqual(['a', 'b']);
  });

  it.each([
    ['no classes', '{"type":"LabelEncoder"}'],
    ['non-string classes', '{"classes":["a",1]}'],
    ['another type', '{"type":"OneHotEncoder","classes":["a"]}'],
    ['not an object', 'null'],
  ])('rejects JSON with %s', (_case, json) => {
    expect(() => LabelEncoder.fromJSON(json)).toThrow('label encoder JSON must be');
  });

  it('rejects unsorted classes', () => {
    expect(() => new LabelEncoder(['b', 'a'])).toThrow('must be sorted');
    expect(() => LabelEncoder.fromJSON('{"classes":["cs.LG","cs.AI"]}')).toThrow('must be sorted');
  });

  it('rejects duplicate classes', () => {
    expect(() => new LabelEncoder(['a', 'a', 'b'])).toThrow('must be unique');
  });
});
