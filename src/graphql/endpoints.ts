/**
 * The HTTP endpoints beside /graphql, as yoga plugins: `/health` (the process answers), `/ready`
 * (the database answers) and `/metrics` (counters for operators). `/` is the explorer (src/http/explorer.ts).
 */
import { sql } from 'drizzle-orm';
import { type Plugin, useReadinessCheck } from 'graphql-yoga';
import type { Database } from '../db/client.js';
import { authenticate } from './auth.js';
import type { ByteBoundedCache } from './response-cache.js';

/** `/ready`: 200 once the database answers `select 1` within `timeoutMs`, else 503 with the reason. */
export function readinessPlugin(db: Database, timeoutMs: number): Plugin {
  return useReadinessCheck({
    endpoint: '/ready',
    check: async ({ fetchAPI }) => {
      let timer: NodeJS.Timeout | undefined;
      // A database that hangs rather than refuses must not hold the probe.
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([db.execute(sql`select 1`), timeout]);
        return fetchAPI.Response.json({ status: 'ready' });
      } catch (error) {
        return fetchAPI.Response.json({ status: 'unavailable', reason: (error as Error).message }, { status: 503 });
      } finally {
        clearTimeout(timer);
      }
    },
  });
}

/**
 * `/health`: 200 `{"status":"ok"}` while the process serves requests. Matched on the path alone:
 * yoga's own health check compares the end of the whole URL, so `/health?probe=1` missed it and a
 * GraphQL GET whose query string ended in `/health` was answered as a probe.
 */
export function healthPlugin(): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname === '/health') endResponse(fetchAPI.Response.json({ status: 'ok' }));
    },
  };
}

type MetricsCache = Pick<ByteBoundedCache, 'hits' | 'misses' | 'size' | 'bytes'>;

/** The metrics in Prometheus's text format (version 0.0.4): one `# HELP`, `# TYPE` and sample each. */
export function metricsText(cache: MetricsCache, memory: NodeJS.MemoryUsage = process.memoryUsage()): string {
  const metrics: [name: string, type: 'counter' | 'gauge', help: string, value: number][] = [
    ['news_response_cache_hits_total', 'counter', 'Queries answered from the response cache.', cache.hits],
    ['news_response_cache_misses_total', 'counter', 'Cacheable queries the response cache did not hold.', cache.misses],
    ['news_response_cache_entries', 'gauge', 'Answers the response cache holds.', cache.size],
    ['news_response_cache_bytes', 'gauge', 'Bytes of JSON the response cache holds.', cache.bytes],
    ['process_resident_memory_bytes', 'gauge', 'Resident set size of the process.', memory.rss],
    ['nodejs_heap_used_bytes', 'gauge', 'V8 heap in use.', memory.heapUsed],
    ['nodejs_heap_total_bytes', 'gauge', 'V8 heap allocated.', memory.heapTotal],
    ['nodejs_external_memory_bytes', 'gauge', 'Memory of objects outside the V8 heap (buffers).', memory.external],
  ];
  return metrics
    .map(([name, type, help, value]) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`)
    .join('');
}

/**
 * `GET /metrics`: the response cache's hits and misses and the process's memory, for a Prometheus
 * scraper or a benchmark. With API_TOKEN set it needs the operator's bearer token, like the
 * mutations; without one (a local server) it is open: it holds counts, no data.
 */
export function metricsPlugin(cache: MetricsCache, apiToken: string | undefined): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== '/metrics') return;
      const auth = authenticate(request.headers.get('authorization'), apiToken);
      if (auth !== 'operator' && auth !== 'disabled') {
        endResponse(
          new fetchAPI.Response('/metrics needs "Authorization: Bearer <API_TOKEN>"\n', {
            status: 401,
            headers: { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' },
          }),
        );
        return;
      }
      endResponse(
        new fetchAPI.Response(metricsText(cache), { headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' } }),
      );
    },
  };
}
