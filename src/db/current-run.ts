import { type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';

/**
 * Filter for rows that belong to the current clustering run. It is a subquery rather than a
 * looked-up id so that it stays inside the one SQL statement plugin-drizzle builds per request.
 */
export function inCurrentRun(table: { runId: AnyPgColumn | SQL }): SQL {
  return sql`${table.runId} = (select id from clustering_runs where is_current)`;
}
