import { HttpStatusError, MAX_RETRY_AFTER_MS, PoliteFetcher, retryAfterMs } from '../../../lib/arxiv/http';
import { closedPort, readFixture, startServer, type TestServer } from './helpers';

const PAGE = readFixture('atom-2026', 'id-1605.08386.xml');
/** The real answer of the arXiv API to `id_list=abc`: HTTP 400 with an error feed. */
const ERROR_FEED = readFixture('atom-2026', 'id-abc_error-feed_http-400.xml');

/** Timers may fire a millisecond or two early relative to Date.now(). */
const CLOCK_SLACK_MS = 5;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function waitsRecorder() {
  const waits: Array<{ ms: number; reason: string }> = [];
  return { waits, onWait: (ms: number, reason: string) => waits.push({ ms, reason }) };
}

describe('PoliteFetcher', () => {
  it('returns the body of a 200 answer and identifies itself with a user agent', async () => {
    server = await startServer('/api/query', () => ({ body: PAGE }));
    const fetcher = new PoliteFetcher({ minIntervalMs: 1, userAgent: 'arxiv-mlops-test/1.0' });
    await expect(fetcher.getText(`${server.url}?id_list=1605.08386`)).resolves.toBe(PAGE);
    expect(server.requests[0]!.headers['user-agent']).toBe('arxiv-mlops-test/1.0');
    expect(server.requests[0]!.url.searchParams.get('id_list')).toBe('1605.08386');
  });

  it('spaces requests by minIntervalMs and reports each wait', async () => {
    server = await startServer('/api/query', () => ({ body: PAGE }));
    const { waits, onWait } = waitsRecorder();
    // Measure when requests are sent: arrival times at the server also include connection setup.
    const sentAt: number[] = [];
    const realFetch = globalThis.fetch;
    const spy = jest.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
      sentAt.push(Date.now());
      return realFetch(input, init);
    });
    const fetcher = new PoliteFetcher({ minIntervalMs: 150, onWait });
    try {
      for (let index = 0; index < 3; index += 1) await fetcher.getText(server.url);
    } finally {
      spy.mockRestore();
    }
    expect(server.requests).toHaveLength(3);
    const [first, second, third] = sentAt as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(150 - CLOCK_SLACK_MS);
    expect(third - second).toBeGreaterThanOrEqual(150 - CLOCK_SLACK_MS);
    expect(waits).toHaveLength(2);
    expect(waits.every(({ reason, ms }) => reason === 'rate limit' && ms > 0 && ms <= 150)).toBe(true);
  });

  it('does not wait when the interval has already passed', async () => {
    server = await startServer('/api/query', () => ({ body: PAGE }));
    const { waits, onWait } = waitsRecorder();
    const fetcher = new PoliteFetcher({ minIntervalMs: 20, onWait });
    await fetcher.getText(server.url);
    await new Promise((resolve) => setTimeout(resolve, 40));
    await fetcher.getText(server.url);
    expect(waits).toEqual([]);
  });

  it('retries a 503, honouring Retry-After in seconds, and then succeeds', async () => {
    server = await startServer('/oai', (_request, index) =>
      index === 0 ? { status: 503, headers: { 'retry-after': '1' }, body: 'Retry after 1 second' } : { body: PAGE },
    );
    const { waits, onWait } = waitsRecorder();
    const fetcher = new PoliteFetcher({ minIntervalMs: 1, backoffBaseMs: 10, onWait });
    await expect(fetcher.getText(server.url)).resolves.toBe(PAGE);
    const [first, second] = server.requests.map(({ at }) => at) as [number, number];
    expect(second - first).toBeGreaterThanOrEqual(1000 - CLOCK_SLACK_MS);
    expect(waits).toEqual([
      {
        ms: 1000,
        reason: expect.stringMatching(
          /^retry 1\/4 after: GET .* answered 503: Retry after 1 second$/,
        ) as unknown as string,
      },
    ]);
  });

  it('caps a Retry-After that asks for too long (a day, a far date) at maxRetryAfterMs', async () => {
    server = await startServer('/oai', (_request, index) =>
      index === 0 ? { status: 503, headers: { 'retry-after': '86400' }, body: 'come back tomorrow' } : { body: PAGE },
    );
    const { waits, onWait } = waitsRecorder();
    await expect(
      new PoliteFetcher({ minIntervalMs: 1, backoffBaseMs: 10, maxRetryAfterMs: 50, onWait }).getText(server.url),
    ).resolves.toBe(PAGE);
    expect(waits.map(({ ms }) => ms)).toEqual([50]);
  });

  it('reads Retry-After as seconds or an HTTP date, within 0 and 5 minutes by default', () => {
    const now = Date.parse('2026-12-03T12:00:00Z');
    expect(MAX_RETRY_AFTER_MS).toBe(300_000);
    expect(retryAfterMs('86400', undefined, now)).toBe(300_000);
    expect(retryAfterMs('Infinity', undefined, now)).toBeUndefined();
    expect(retryAfterMs('1e308', undefined, now)).toBe(300_000);
    expect(retryAfterMs('-5', undefined, now)).toBe(0);
    expect(retryAfterMs('2', undefined, now)).toBe(2_000);
    expect(retryAfterMs('Thu, 03 Dec 2026 12:01:00 GMT', undefined, now)).toBe(60_000);
    expect(retryAfterMs('Fri, 01 Jan 2100 00:00:00 GMT', undefined, now)).toBe(300_000);
    expect(retryAfterMs('soon', undefined, now)).toBeUndefined();
    expect(retryAfterMs(null, undefined, now)).toBeUndefined();
  });

  it('backs off exponentially when there is no Retry-After', async () => {
    server = await startServer('/api/query', (_request, index) =>
      index < 3 ? { status: 502, body: 'Bad Gateway' } : { body: PAGE },
    );
    const { waits, onWait } = waitsRecorder();
    const fetcher = new PoliteFetcher({ minIntervalMs: 1, backoffBaseMs: 20, onWait });
    await expect(fetcher.getText(server.url)).resolves.toBe(PAGE);
    expect(waits.filter(({ reason }) => reason.startsWith('retry')).map(({ ms }) => ms)).toEqual([20, 40, 80]);
  });

  it('retries 429 Too Many Requests', async () => {
    server = await startServer('/api/query', (_request, index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '0' }, body: '' } : { body: PAGE },
    );
    const fetcher = new PoliteFetcher({ minIntervalMs: 1, backoffBaseMs: 1 });
    await expect(fetcher.getText(server.url)).resolves.toBe(PAGE);
    expect(server.requests).toHaveLength(2);
  });

  it('gives up after maxAttempts with the last retryable HttpStatusError', async () => {
    server = await startServer('/api/query', () => ({ status: 503, body: 'Service Unavailable' }));
    const fetcher = new PoliteFetcher({ minIntervalMs: 1, backoffBaseMs: 1, maxAttempts: 3 });
    const failure = fetcher.getText(server.url);
    await expect(failure).rejects.toBeInstanceOf(HttpStatusError);
    await expect(failure).rejects.toMatchObject({ status: 503, retryable: true, url: server.url });
    expect(server.requests).toHaveLength(3);
  });

  it('fails at once, without retrying, on a 400 (the arXiv API error feed for a malformed id)', async () => {
    server = await startServer('/api/query', () => ({ status: 400, body: ERROR_FEED }));
    const { waits, onWait } = waitsRecorder();
    const fetcher = new PoliteFetcher({ minIntervalMs: 1, backoffBaseMs: 1, onWait });
    const url = `${server.url}?id_list=abc`;
    const failure = fetcher.getText(url);
    await expect(failure).rejects.toBeInstanceOf(HttpStatusError);
    await expect(failure).rejects.toMatchObject({
      status: 400,
      retryable: false,
      message: expect.stringMatching(/^GET .*id_list=abc answered 400: <\?xml/),
    });
    expect(server.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('retries a request that times out', async () => {
    server = await startServer('/api/query', (_request, index) => (index === 0 ? undefined : { body: PAGE }));
    const fetcher = new PoliteFetcher({ minIntervalMs: 1, backoffBaseMs: 1, timeoutMs: 100 });
    await expect(fetcher.getText(server.url)).resolves.toBe(PAGE);
    expect(server.requests).toHaveLength(2);
  });

  it('retries network errors and then reports the last one', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/api/query`;
    const { waits, onWait } = waitsRecorder();
    const fetcher = new PoliteFetcher({ minIntervalMs: 1, backoffBaseMs: 1, maxAttempts: 2, onWait });
    await expect(fetcher.getText(url)).rejects.toThrow(`GET ${url} failed: fetch failed`);
    expect(waits.map(({ reason }) => reason)).toEqual([`retry 1/1 after: GET ${url} failed: fetch failed`]);
  });
});
