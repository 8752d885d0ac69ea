import {
  KEY_LIMIT,
  LOG_BATCH_LIMITS,
  PARAM_VALUE_LIMIT,
  splitLogBatch,
  type LogBatch,
} from '../../../lib/tracking/log-batches';
import type { Metric, Param, RunTag } from '../../../lib/tracking/types';

const metrics = (n: number): Metric[] =>
  Array.from({ length: n }, (_, i) => ({ key: `loss_${i % 7}`, value: i, timestamp: 1_700_000_000_000 + i, step: i }));
const params = (n: number): Param[] => Array.from({ length: n }, (_, i) => ({ key: `param_${i}`, value: String(i) }));
const tags = (n: number): RunTag[] => Array.from({ length: n }, (_, i) => ({ key: `tag_${i}`, value: `v${i}` }));

function expectWithinLimits(batches: LogBatch[]): void {
  for (const batch of batches) {
    expect(batch.metrics.length).toBeLessThanOrEqual(1000);
    expect(batch.params.length).toBeLessThanOrEqual(100);
    expect(batch.tags.length).toBeLessThanOrEqual(100);
    expect(batch.metrics.length + batch.params.length + batch.tags.length).toBeLessThanOrEqual(1000);
    expect(batch.metrics.length + batch.params.length + batch.tags.length).toBeGreaterThan(0);
  }
}

describe('splitLogBatch', () => {
  it('uses MLflow LogBatch limits: 1000 metrics, 100 params, 100 tags, 1000 entries per request', () => {
    expect(LOG_BATCH_LIMITS).toEqual({ metrics: 1000, params: 100, tags: 100, total: 1000 });
    expect(PARAM_VALUE_LIMIT).toBe(6000);
    expect(KEY_LIMIT).toBe(250);
  });

  it('sends no request for no entries', () => {
    expect(splitLogBatch({})).toEqual([]);
    expect(splitLogBatch({ metrics: [], params: [], tags: [] })).toEqual([]);
  });

  it('sends a small batch as one request with every kind present', () => {
    const entries = { metrics: metrics(3), params: params(2), tags: tags(1) };
    expect(splitLogBatch(entries)).toEqual([entries]);
  });

  it('splits 2,500 metrics, 150 params and 120 tags into the fewest requests (3) within every limit', () => {
    const entries = { metrics: metrics(2_500), params: params(150), tags: tags(120) };
    const batches = splitLogBatch(entries);
    expect(batches).toHaveLength(Math.ceil((2_500 + 150 + 120) / 1000));
    expectWithinLimits(batches);
    expect(batches.map((batch) => [batch.metrics.length, batch.params.length, batch.tags.length])).toEqual([
      [800, 100, 100],
      [930, 50, 20],
      [770, 0, 0],
    ]);
  });

  it('keeps every entry once, in its kind order', () => {
    const entries = { metrics: metrics(2_500), params: params(150), tags: tags(120) };
    const batches = splitLogBatch(entries);
    expect(batches.flatMap((batch) => batch.metrics)).toEqual(entries.metrics);
    expect(batches.flatMap((batch) => batch.params)).toEqual(entries.params);
    expect(batches.flatMap((batch) => batch.tags)).toEqual(entries.tags);
  });

  it('splits params alone by 100 and metrics alone by 1000', () => {
    expect(splitLogBatch({ params: params(250) }).map((batch) => batch.params.length)).toEqual([100, 100, 50]);
    expect(splitLogBatch({ tags: tags(100) }).map((batch) => batch.tags.length)).toEqual([100]);
    expect(splitLogBatch({ metrics: metrics(2_001) }).map((batch) => batch.metrics.length)).toEqual([1000, 1000, 1]);
  });

  it('does not change the caller’s arrays', () => {
    const entries = { metrics: metrics(1_500), params: params(120), tags: tags(3) };
    splitLogBatch(entries);
    expect(entries.metrics).toHaveLength(1_500);
    expect(entries.params).toHaveLength(120);
  });

  it('honours smaller limits', () => {
    const batches = splitLogBatch(
      { metrics: metrics(10), params: params(3) },
      { metrics: 4, params: 2, tags: 2, total: 5 },
    );
    expect(batches.map((batch) => [batch.metrics.length, batch.params.length])).toEqual([
      [3, 2],
      [4, 1],
      [3, 0],
    ]);
  });

  it('refuses a limit that could never drain its entries instead of looping forever', () => {
    expect(() => splitLogBatch({ params: params(1) }, { metrics: 10, params: 0, tags: 10, total: 10 })).toThrow(
      'log batch limit "params" must be a positive integer, got 0',
    );
  });

  it('accepts a param value of exactly 6000 characters and refuses a longer one, pointing to artifacts', () => {
    expect(splitLogBatch({ params: [{ key: 'classes', value: 'x'.repeat(6000) }] })).toHaveLength(1);
    expect(() => splitLogBatch({ params: [{ key: 'classes', value: 'x'.repeat(6001) }] })).toThrow(
      'param "classes" has a value of 6001 characters; MLflow keeps at most 6000: log it as an artifact',
    );
  });

  it.each([
    ['metric', { metrics: [{ key: 'm'.repeat(251), value: 1, timestamp: 0 }] }],
    ['param', { params: [{ key: 'p'.repeat(251), value: '1' }] }],
    ['tag', { tags: [{ key: 't'.repeat(251), value: '1' }] }],
  ])('refuses a %s key longer than 250 characters, naming its kind and length', (kind, entries) => {
    expect(() => splitLogBatch(entries)).toThrow(
      new RegExp(`^${kind} key "${kind[0]}{40}…" is 251 characters; MLflow accepts keys of at most 250`),
    );
  });

  it('accepts keys of exactly 250 characters', () => {
    expect(splitLogBatch({ tags: [{ key: 't'.repeat(250), value: '1' }] })).toHaveLength(1);
  });
});
