/**
 * A clustering run's lease: a session-level advisory lock its process holds from before the run
 * row exists until the run has ended. PostgreSQL releases it by itself when that process's
 * connection dies (killed, crashed, its container gone), so any process can tell at once whether
 * a 'running' run still has an owner, whatever its host name or pid. With PGlite the process owns
 * the database, and a restart starts with no lease held.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Database } from '../db/client.js';
import { openSession, type Session } from '../db/sessions.js';

/** The first key of the two-key advisory locks that are run leases (the second is the run id). */
const RUN_LEASE_LOCKS = 727_101;

/**
 * How soon PostgreSQL notices that a lease holder's host vanished without closing its connection
 * (TCP keepalive: idle seconds, then probes every interval, given up after count): about 35 s.
 */
const KEEPALIVE = { idle: 20, interval: 5, count: 3 };

export interface RunLease {
  runId: number;
  /** Ends the lease (after the run's final status is written). */
  release(): Promise<void>;
}

/** Draws the id of the next clustering run (no row has it yet: see startRun) and takes its lease. */
export async function leaseNewRun(db: Database): Promise<RunLease> {
  const session: Session = await openSession(db);
  let runId: number;
  try {
    // Settable by any user; ignored on a Unix socket, where a dead peer is seen at once anyway.
    if (!session.shared) {
      await session.query(
        `select set_config('tcp_keepalives_idle', $1, false), set_config('tcp_keepalives_interval', $2, false),
                set_config('tcp_keepalives_count', $3, false)`,
        [String(KEEPALIVE.idle), String(KEEPALIVE.interval), String(KEEPALIVE.count)],
      );
    }
    const [row] = await session.query<{ id: number; locked: boolean }>(
      `select id, pg_try_advisory_lock($1, id) as locked
       from (select nextval(pg_get_serial_sequence('clustering_runs', 'id'))::int as id) as next`,
      [RUN_LEASE_LOCKS],
    );
    if (!row?.locked) throw new Error(`the lease of clustering run ${row?.id} is held by another session`);
    runId = Number(row.id);
  } catch (error) {
    await session.release();
    throw error;
  }
  let released = false;
  return {
    runId,
    release: async () => {
      if (released) return;
      released = true;
      // A session of its own unlocks as it closes, even one whose connection already died.
      if (session.shared) await session.query('select pg_advisory_unlock($1, $2)', [RUN_LEASE_LOCKS, runId]);
      await session.release();
    },
  };
}

/** True while some session of this database holds the lease of the run whose id is `runId`. */
export function leaseIsHeld(runId: AnyPgColumn): SQL<boolean> {
  return sql<boolean>`exists (
    select 1 from pg_locks
    where locktype = 'advisory' and granted and objsubid = 2
      and classid = ${RUN_LEASE_LOCKS}::int::oid and objid = ${runId}::oid
      and database = (select oid from pg_database where datname = current_database()))`;
}
