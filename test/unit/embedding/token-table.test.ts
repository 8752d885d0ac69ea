import { seededRandom } from '../../../lib/embedding/linalg';
import { TokenTable } from '../../../lib/embedding/token-table';
import { TokenSpans } from '../../../lib/embedding/tokenize';

function randomWord(random: () => number): string {
  const letters = 'abcdefghijklmnopqrstuvwxyzé0_';
  const length = 2 + Math.floor(random() * 9);
  return Array.from({ length }, () => letters[Math.floor(random() * letters.length)]).join('');
}

describe('TokenTable', () => {
  it('numbers tokens in the order first added, the same number on every meeting, across growth', () => {
    const table = new TokenTable();
    const numbers = new Map<string, number>();
    const random = seededRandom(5);
    const given: number[] = [];
    const expected: number[] = [];
    for (let step = 0; step < 30_000; step += 1) {
      const word = randomWord(random);
      given.push(table.idOf(word));
      if (!numbers.has(word)) numbers.set(word, numbers.size);
      expected.push(numbers.get(word)!);
    }
    expect(given).toEqual(expected);
    expect(table.size).toBe(numbers.size);
    expect(table.size).toBeGreaterThan(20_000); // far past the first 2,048 buckets and 8,192 code units
  });

  it('finds each token of a scanned text where it is, and -1 for a token never added', () => {
    const table = new TokenTable();
    for (const token of ['graph', 'neural', 'networks', 'schrödinger', '𝐀𝐁', 'x²']) table.idOf(token);
    const spans = new TokenSpans().scan('Graph Neural Networks, unknown: Schrödinger 𝐀𝐁 x² graphs GRAPH');
    const found = Array.from({ length: spans.count }, (_, i) =>
      table.lookup(spans.lower, spans.starts[i]!, spans.ends[i]!, spans.hashes[i]!),
    );
    expect(found).toEqual([0, 1, 2, -1, 3, 4, 5, -1, 0]);
  });

  it('tells apart tokens of the same hash bucket, and a token from its prefixes and extensions', () => {
    const table = new TokenTable();
    const words = Array.from({ length: 5_000 }, (_, i) => `t${i}x`);
    words.forEach((word) => table.idOf(word));
    const spans = new TokenSpans().scan(`${words.join(' ')} t17 t17xx t5000x`);
    const found = Array.from({ length: spans.count }, (_, i) =>
      table.lookup(spans.lower, spans.starts[i]!, spans.ends[i]!, spans.hashes[i]!),
    );
    expect(found).toEqual([...words.keys(), -1, -1, -1]);
  });
});

describe('TokenSpans', () => {
  it('says where each token is in the lower-cased text, the source kept as given, its arrays grown and reused', () => {
    const spans = new TokenSpans();
    const long = Array.from({ length: 600 }, (_, i) => `Word${i}`).join(' ');
    spans.scan(long);
    expect(spans.source).toBe(long);
    expect(spans.count).toBe(600);
    expect(spans.lower.slice(spans.starts[599]!, spans.ends[599]!)).toBe('word599');
    spans.scan('Two tokens');
    expect(spans.count).toBe(2);
    expect([
      spans.lower.slice(spans.starts[0]!, spans.ends[0]!),
      spans.lower.slice(spans.starts[1]!, spans.ends[1]!),
    ]).toEqual(['two', 'tokens']);
  });
});
