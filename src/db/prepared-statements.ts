/**
 * Server-side prepared statements for the queries the service repeats. Drizzle sends its
 * queries through postgres.js unprepared (only `.prepare()`d ones are named), so PostgreSQL
 * parsed and planned the same relational SQL of a topic feed on every request, and postgres.js
 * sent its whole text each time. postgres.js prepares a statement once per connection and keeps
 * it for the connection's life (a plan invalidated by a migration is re-prepared and retried).
 *
 * Its statements are never evicted, and GraphQL clients choose the SQL (each document's selection
 * builds its own): so only the texts seen twice are prepared, and at most MAX_PREPARED_TEXTS of
 * them per process, each connection holding no more than that. Texts seen once are counted in a
 * bounded table, cleared when full.
 */
import type { Sql } from 'postgres';

/** Distinct statements prepared at most, per process (and so per connection). */
export const MAX_PREPARED_TEXTS = 500;
/** Distinct statements seen once that are remembered; beyond that the count starts over. */
const MAX_COUNTED_TEXTS = 5_000;

/** Decides, per SQL text, whether it is prepared: from its second use, up to the bound. */
export function preparePolicy(maxPrepared = MAX_PREPARED_TEXTS, maxCounted = MAX_COUNTED_TEXTS): (text: string) => boolean {
  const prepared = new Set<string>();
  const seenOnce = new Set<string>();
  return (text) => {
    if (prepared.has(text)) return true;
    if (prepared.size >= maxPrepared) return false;
    if (!seenOnce.has(text)) {
      if (seenOnce.size >= maxCounted) seenOnce.clear();
      seenOnce.add(text);
      return false;
    }
    seenOnce.delete(text);
    prepared.add(text);
    return true;
  };
}

/**
 * The client with `unsafe` (Drizzle's only way in) preparing the repeated statements. Drizzle's
 * own prepared queries (`.prepare()`, which the topic feed and db/plan-cache.ts use) ask for
 * `prepare: true` on every call; they go through the same policy, so that the bound holds for
 * them too (they repeat by design, and are prepared from their second use).
 */
export function preparingStatements(client: Sql, shouldPrepare = preparePolicy()): Sql {
  const unsafe: Sql['unsafe'] = (text, params, options) =>
    client.unsafe(text, params, { ...options, prepare: shouldPrepare(text) });
  return new Proxy(client, {
    get: (target, property, receiver) => (property === 'unsafe' ? unsafe : Reflect.get(target, property, receiver)),
  });
}
