import { throttledReport } from '../../../lib/logging/throttled-report';

/** A clock the test moves by hand. */
function manualClock(start: number) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('throttledReport', () => {
  it('reports the first call, drops the ones within the interval, and reports again once it has passed', () => {
    const clock = manualClock(0);
    const seen: string[] = [];
    const report = throttledReport(1_000, (message: string) => seen.push(message), clock.now);
    expect(report('a')).toBe(true);
    clock.advance(999);
    expect(report('b')).toBe(false);
    clock.advance(1);
    expect(report('c')).toBe(true);
    clock.advance(500);
    expect(report('d')).toBe(false);
    expect(seen).toEqual(['a', 'c']);
  });

  it('counts the interval from the last report, not from the last call', () => {
    const clock = manualClock(50_000);
    const seen: number[] = [];
    const report = throttledReport(10_000, (n: number) => seen.push(n), clock.now);
    for (let n = 0; n < 30; n += 1) {
      report(n);
      clock.advance(1_000); // a call every second: one report in ten
    }
    expect(seen).toEqual([0, 10, 20]);
  });

  it('passes every argument through, and reports a first call even at time 0', () => {
    const seen: Array<[Error, number]> = [];
    const report = throttledReport(
      1_000,
      (error: Error, backlog: number) => seen.push([error, backlog]),
      () => 0,
    );
    const error = new Error('down');
    expect(report(error, 3)).toBe(true);
    expect(report(error, 4)).toBe(false);
    expect(seen).toEqual([[error, 3]]);
  });

  it('uses the wall clock by default', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const seen: string[] = [];
      const report = throttledReport(10_000, (message: string) => seen.push(message));
      report('a');
      jest.advanceTimersByTime(9_999);
      report('b');
      jest.advanceTimersByTime(1);
      report('c');
      expect(seen).toEqual(['a', 'c']);
    } finally {
      jest.useRealTimers();
    }
  });
});
