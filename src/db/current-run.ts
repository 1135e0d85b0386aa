/**
 * The current clustering run: the one readers see. Every "current run" query lives here, and the
 * lock that keeps placing articles into it and replacing it from overlapping.
 */
import { and, asc, eq, ne, type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Executor, Transaction } from './client.js';
import { clusteringRuns, topicChanges } from './schema.js';

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
  startedAt: string;
  finishedAt: string;
  windowStart: string | null;
}

export async function findCurrentRun(db: Executor): Promise<CurrentRun | undefined> {
  const [run] = await db
    .select({
      id: clusteringRuns.id,
      articleCount: clusteringRuns.articleCount,
      startedAt: clusteringRuns.startedAt,
      finishedAt: clusteringRuns.finishedAt,
      windowStart: clusteringRuns.windowStart,
    })
    .from(clusteringRuns)
    .where(eq(clusteringRuns.isCurrent, true));
  if (!run) return undefined;
  return { ...run, articleCount: run.articleCount ?? 0, finishedAt: run.finishedAt ?? run.startedAt };
}

/**
 * Makes the run current and marks the one it supersedes (when it commits, readers switch at once).
 * The caller's transaction holds lockCurrentRun(tx, 'replace').
 */
export async function makeRunCurrent(tx: Transaction, runId: number): Promise<void> {
  await tx
    .update(clusteringRuns)
    .set({ isCurrent: false, supersededAt: sql`now()` })
    .where(and(eq(clusteringRuns.isCurrent, true), ne(clusteringRuns.id, runId)));
  await tx.update(clusteringRuns).set({ isCurrent: true }).where(eq(clusteringRuns.id, runId));
}

/** The topics a run found, by their position in its model (the index of the result). */
export async function topicIdsByPosition(db: Executor, runId: number): Promise<number[]> {
  const versions = await db
    .select({ topicId: topicChanges.topicId })
    .from(topicChanges)
    .where(and(eq(topicChanges.runId, runId), eq(topicChanges.found, true)))
    .orderBy(asc(topicChanges.position));
  return versions.map((version) => version.topicId);
}

/** Any number for the advisory lock, as long as nothing else on the database uses it. */
const CURRENT_RUN_LOCK = 7_261_950_421;

/**
 * Until the transaction ends: `place` (shared) lets articles be placed into the current run, or
 * `replace` (exclusive) lets a new run become current. So an import never places articles into a
 * run that another transaction is superseding, and a run never switches under an import.
 */
export async function lockCurrentRun(tx: Transaction | Executor, mode: 'place' | 'replace'): Promise<void> {
  await tx.execute(
    mode === 'place'
      ? sql`select pg_advisory_xact_lock_shared(${CURRENT_RUN_LOCK})`
      : sql`select pg_advisory_xact_lock(${CURRENT_RUN_LOCK})`,
  );
}

/**
 * The run a topic feed's page reads (graphql/feed-cursors.ts): the run its cursor was taken in
 * while that run's memberships are kept, else the current one; the current one without a cursor.
 */
export function feedRunIdSql(cursorRunId: number | null): SQL<number | null> {
  if (cursorRunId === null) return currentRunIdSql;
  return sql`coalesce((select ${clusteringRuns.id} from ${clusteringRuns} where ${eq(clusteringRuns.id, cursorRunId)}
    and ${eq(clusteringRuns.status, 'succeeded')} and ${clusteringRuns.prunedAt} is null), ${currentRunIdSql})`;
}
