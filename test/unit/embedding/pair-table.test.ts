import { PairTable } from '../../../lib/embedding/pair-table';

describe('PairTable', () => {
  it('numbers distinct pairs in the order first met, the same number on every meeting, across growth', () => {
    const table = new PairTable(4);
    const seen = new Map<string, number>();
    let state = 7;
    for (let step = 0; step < 50_000; step += 1) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      const first = state % 700;
      const second = (state >>> 10) % 300;
      const key = `${first},${second}`;
      const slot = table.slotOf(first, second);
      if (!seen.has(key)) {
        expect(slot).toBe(seen.size);
        seen.set(key, slot);
      } else {
        expect(slot).toBe(seen.get(key));
      }
    }
    expect(table.size).toBe(seen.size);
    expect(table.size).toBeGreaterThan(40_000); // well past the initial 4 buckets and 4,096 slots
    for (const [key, slot] of seen) expect(`${table.first(slot)},${table.second(slot)}`).toBe(key);
  });

  it('tells (a, b) from (b, a)', () => {
    const table = new PairTable();
    expect(table.slotOf(1, 2)).toBe(0);
    expect(table.slotOf(2, 1)).toBe(1);
    expect(table.slotOf(1, 2)).toBe(0);
  });
});
