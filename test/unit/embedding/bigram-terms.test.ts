import { BigramTerms } from '../../../lib/embedding/bigram-terms';
import { seededRandom } from '../../../lib/embedding/linalg';

describe('BigramTerms', () => {
  it('finds the term of every pair added, and -1 for a pair never added', () => {
    const random = seededRandom(3);
    const pairs = new Map<string, number>();
    while (pairs.size < 20_000)
      pairs.set(`${Math.floor(random() * 3_000)},${Math.floor(random() * 3_000)}`, pairs.size * 3 + 1);
    const table = new BigramTerms(pairs.size);
    for (const [key, term] of pairs) {
      const [first, second] = key.split(',').map(Number);
      table.add(first!, second!, term);
    }
    const found = [...pairs.keys()].map((key) => {
      const [first, second] = key.split(',').map(Number);
      return table.find(first!, second!);
    });
    expect(found).toEqual([...pairs.values()]);
    const absent: number[] = [];
    for (let probe = 0; probe < 5_000; probe += 1) {
      const [first, second] = [Math.floor(random() * 3_100), Math.floor(random() * 3_100)];
      if (!pairs.has(`${first},${second}`)) absent.push(table.find(first, second));
    }
    expect(new Set(absent)).toEqual(new Set([-1]));
  });

  it('tells (a, b) from (b, a), and holds term 0', () => {
    const table = new BigramTerms(2);
    table.add(1, 2, 0);
    expect(table.find(1, 2)).toBe(0);
    expect(table.find(2, 1)).toBe(-1);
    const empty = new BigramTerms(0);
    expect(empty.find(0, 0)).toBe(-1);
  });
});
