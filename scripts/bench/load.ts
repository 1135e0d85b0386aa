/**
 * Load with autocannon: a fixed number of connections for a fixed time, each connection cycling
 * through a list of request bodies. Every response body is checked (no GraphQL `errors`, the
 * expected data present), and latencies are kept exactly (autocannon's own histogram rounds to
 * whole milliseconds, too coarse for sub-millisecond answers).
 */
import autocannon from 'autocannon';

export interface LoadRequest {
  /** JSON request body. */
  body: string;
  /** True when a response body carries the expected data and no errors. */
  check(body: string): boolean;
}

export interface LoadOptions {
  url: string;
  requests: LoadRequest[];
  connections: number;
  durationSeconds: number;
  headers?: Record<string, string>;
  /**
   * Each connection starts at its own place in the list (spread evenly) instead of all at the
   * first request, so that they do not ask for the same thing at the same moment.
   */
  stagger?: boolean;
}

export interface LoadResult {
  connections: number;
  durationSeconds: number;
  responses: number;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  socketErrors: number;
  /** 2xx answers whose body held `errors` or lacked the expected data. */
  badBodies: number;
  errors: number;
}

/** The value at quantile q of an ascending array (nearest rank). */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export function sortedLatencies(values: number[]): Float64Array {
  return Float64Array.from(values).sort();
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let badBodies = 0;
  const latencies: number[] = [];
  const requests = options.requests.map((request) => ({
    body: request.body,
    onResponse: (status: number, body: string) => {
      if (status >= 200 && status < 300 && !request.check(body)) badBodies++;
    },
  }));
  let clients = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: 'POST',
        connections: options.connections,
        duration: options.durationSeconds,
        headers: { 'content-type': 'application/json', ...options.headers },
        requests,
        setupClient: options.stagger
          ? (client) => {
              const start = Math.floor((clients++ * requests.length) / options.connections) % requests.length;
              client.setRequests([...requests.slice(start), ...requests.slice(0, start)]);
            }
          : undefined,
      },
      (error: unknown, finished: autocannon.Result) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
  const sorted = sortedLatencies(latencies);
  const socketErrors = result.errors;
  return {
    connections: options.connections,
    durationSeconds: result.duration,
    responses: latencies.length,
    requestsPerSecond: latencies.length / result.duration,
    p50Ms: percentile(sorted, 0.5),
    p90Ms: percentile(sorted, 0.9),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length > 0 ? sorted[sorted.length - 1] : Number.NaN,
    non2xx: result.non2xx,
    socketErrors,
    badBodies,
    errors: result.non2xx + socketErrors + badBodies,
  };
}
