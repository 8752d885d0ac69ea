import autocannon from 'autocannon';
import { CONNECTIONS, note, SECONDS, WARM_UP_SECONDS } from './api-settings';

/** One target's figures under autocannon's load. */
export interface Figures {
  target: string;
  requestsPerSecond: number;
  papersPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  failed: number;
}

/** One request autocannon sends. */
export type Body = { method: 'POST'; path: string; headers: Record<string, string>; body: string };

async function load(url: string, requests: Body[], seconds: number) {
  return autocannon({ url, connections: CONNECTIONS, duration: seconds, requests });
}

/** Warms the target up, then loads it with the requests in turn: its throughput and latency. */
export async function measure(
  target: string,
  url: string,
  requests: Body[],
  papersPerRequest: number,
): Promise<Figures> {
  note(`${target}: warming up ${WARM_UP_SECONDS} s, then ${SECONDS} s at -c ${CONNECTIONS}…`);
  await load(url, requests, WARM_UP_SECONDS);
  const result = await load(url, requests, SECONDS);
  return {
    target,
    requestsPerSecond: result.requests.average,
    papersPerSecond: result.requests.average * papersPerRequest,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    failed: result.errors + result.timeouts + result.non2xx,
  };
}
