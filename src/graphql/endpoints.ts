/**
 * The HTTP endpoints beside /graphql, as yoga plugins: `/health` (the process answers), `/ready`
 * (the database answers) and `/` (a redirect to GraphiQL).
 */
import { sql } from 'drizzle-orm';
import { type Plugin, useReadinessCheck } from 'graphql-yoga';
import type { Database } from '../db/client.js';

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

/** `/`: to GraphiQL, at /graphql. */
export function rootRedirectPlugin(): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname === '/') endResponse(new fetchAPI.Response(null, { status: 302, headers: { location: '/graphql' } }));
    },
  };
}
