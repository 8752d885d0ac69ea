import { isValidArxivId } from '../../../lib/arxiv/record';
import { derivedId } from '../../../bench/multiply-corpus';

const real = ['2503.11794', '0704.0001', '1412.9999', 'cond-mat/9909265', 'math.AG/0601001', 'hep-th/9901001'];

describe('derived ids of a replayed corpus (bench:scale --multiply)', () => {
  it('leaves the first copy as it is', () => {
    for (const id of real) expect(derivedId(id, 0)).toBe(id);
  });

  it('gives every later copy a valid arXiv id no real paper has', () => {
    for (const id of real) {
      for (const copy of [1, 2, 9, 12]) {
        const derived = derivedId(id, copy);
        expect(isValidArxivId(derived)).toBe(true);
        expect(derived).toMatch(/synth/);
      }
    }
  });

  it('is one to one over papers and copies', () => {
    const ids = [...real, '1501.00001', '0801.1234', '2501.12345', '2501.02345'];
    const derived = ids.flatMap((id) => [0, 1, 2, 3, 10, 11].map((copy) => derivedId(id, copy)));
    expect(new Set(derived).size).toBe(derived.length);
  });
});
