/**
 * The current clustering run: the one readers see. Every "current run" query lives here.
 */
import { type SQL, eq, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Executor } from './client.js';
import { clusteringRuns } from './schema.js';

/** The current run's id as a subquery (null before the first run). */
export const currentRunIdSql: SQL<number | null> = sql`(select id from clustering_runs where is_current)`;

/**
 * Filter for rows that belong to the current clustering run. It is a subquery rather than a
 * looked-up id so that it stays inside the one SQL statement plugin-drizzle builds per request.
 */
export function inCurrentRun(table: { runId: AnyPgColumn | SQL }): SQL {
  return sql`${table.runId} = ${currentRunIdSql}`;
}

export interface CurrentRun {
  id: number;
  /** Articles the run clustered. */
  articleCount: number;
  /** Articles stored when it loaded them (clustered, or kept from before its window). */
  corpusSize: number;
  finishedAt: string;
  windowStart: string | null;
}

export async function findCurrentRun(db: Executor): Promise<CurrentRun | undefined> {
  const [run] = await db
    .select({
      id: clusteringRuns.id,
      articleCount: clusteringRuns.articleCount,
      corpusSize: clusteringRuns.corpusSize,
      finishedAt: clusteringRuns.finishedAt,
      windowStart: clusteringRuns.windowStart,
    })
    .from(clusteringRuns)
    .where(eq(clusteringRuns.isCurrent, true));
  if (!run) return undefined;
  return {
    id: run.id,
    articleCount: run.articleCount ?? 0,
    corpusSize: run.corpusSize ?? run.articleCount ?? 0,
    finishedAt: run.finishedAt ?? '',
    windowStart: run.windowStart,
  };
}
