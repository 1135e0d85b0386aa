/**
 * One clustering run at a time, across processes and drivers: the run row itself is the lock (a
 * unique index allows one 'running' row). A run's process holds its lease (run-lease.ts) until
 * the run ends; a 'running' run without one lost its process and is marked failed by the next
 * run that starts, at once. An operator can also fail a run by hand (failRun): the run's process
 * learns of it at its next heartbeat (startHeartbeat) and stops.
 */
import { hostname } from 'node:os';
import { and, eq, gte, not, sql } from 'drizzle-orm';
import { notifyChange } from '../db/change-notices.js';
import type { Database } from '../db/client.js';
import { databaseCause } from '../db/errors.js';
import { articles, clusteringRuns } from '../db/schema.js';
import { leaseIsHeld, leaseNewRun, type RunLease } from './run-lease.js';

export const DEFAULT_SEED = 42;

export class ClusteringRunError extends Error {
  constructor(
    message: string,
    readonly code: 'IN_PROGRESS' | 'BAD_USER_INPUT' | 'NOT_FOUND',
  ) {
    super(message);
  }
}

export interface RunRequest {
  k?: number;
  seed?: number;
  /** Cluster only the articles of the last `windowMs` milliseconds (by date, or when stored if undated). */
  windowMs?: number;
  /** Why the run starts, as the run records it ("requested by an operator", a policy rule). */
  reason?: string;
}

/** Which process runs it, for people: liveness is the lease's business. */
const owner = `${hostname()}:${process.pid}`;

/** A run recorded by startRun, and the lease its process holds until the run has ended. */
export interface StartedRun {
  id: number;
  lease: RunLease;
}

/** unique_violation: the unique index that allows one 'running' run. */
const UNIQUE_VIOLATION = '23505';

/** Marks 'running' runs whose process is gone (no session holds their lease) as failed. */
async function failAbandonedRuns(db: Database): Promise<void> {
  await db
    .update(clusteringRuns)
    .set({ status: 'failed', error: 'the process running it stopped', finishedAt: sql`now()` })
    .where(and(eq(clusteringRuns.status, 'running'), not(leaseIsHeld(clusteringRuns.id))));
}

/** An article's time for the clustering window: its date, or when it was stored if undated. */
export const articleWindowTime = sql`coalesce(${articles.publishedAt}, ${articles.createdAt})`;

function windowStartOf(windowMs: number | undefined): string | null {
  return windowMs === undefined ? null : new Date(Date.now() - windowMs).toISOString();
}

/**
 * Checks the request and records a new 'running' run. Throws ClusteringRunError when another
 * run is in progress or the request cannot be met.
 */
export async function startRun(db: Database, request: RunRequest): Promise<StartedRun> {
  if (request.windowMs !== undefined && !(Number.isFinite(request.windowMs) && request.windowMs > 0)) {
    throw new ClusteringRunError('the window must be a positive duration', 'BAD_USER_INPUT');
  }
  const windowStart = windowStartOf(request.windowMs);
  const articleCount = await db.$count(articles, windowStart === null ? undefined : gte(articleWindowTime, windowStart));
  const inWindow = windowStart === null ? '' : ` since ${windowStart} (the window)`;
  if (articleCount < 2) {
    throw new ClusteringRunError(`there are ${articleCount} articles${inWindow}; clustering needs at least 2`, 'BAD_USER_INPUT');
  }
  if (request.k !== undefined && (!Number.isInteger(request.k) || request.k < 2 || request.k > articleCount)) {
    throw new ClusteringRunError(
      `k must be an integer from 2 to ${articleCount} (the number of articles${inWindow})`,
      'BAD_USER_INPUT',
    );
  }
  if (request.seed !== undefined && !Number.isSafeInteger(request.seed)) {
    throw new ClusteringRunError('seed must be an integer', 'BAD_USER_INPUT');
  }
  await failAbandonedRuns(db);
  // The lease comes first, on the id the row will get: no process can see the run 'running'
  // without its lease, and take it for abandoned.
  const lease = await leaseNewRun(db);
  const id = lease.runId;
  try {
    await db.insert(clusteringRuns).values({
      id,
      requestedK: request.k ?? null,
      seed: request.seed ?? DEFAULT_SEED,
      reason: request.reason ?? null,
      windowStart,
      owner,
    });
    return { id, lease };
  } catch (error) {
    await lease.release();
    if (databaseCause(error)?.code !== UNIQUE_VIOLATION) throw error;
    const [running] = await db.select().from(clusteringRuns).where(eq(clusteringRuns.status, 'running'));
    throw new ClusteringRunError(
      `clustering run ${running?.id ?? '?'} is already in progress (started ${running ? new Date(running.startedAt).toISOString() : 'just now'}` +
        `${running?.owner ? ` by ${running.owner}` : ''}); wait for it to finish` +
        (running ? `, or stop it with \`npm run cluster -- --fail-run ${running.id}\`` : ''),
      'IN_PROGRESS',
    );
  }
}

/** Records that the run is alive; false once it is no longer running (an operator failed it). */
async function heartbeat(db: Database, runId: number): Promise<boolean> {
  const alive = await db
    .update(clusteringRuns)
    .set({ heartbeatAt: sql`now()` })
    .where(and(eq(clusteringRuns.id, runId), eq(clusteringRuns.status, 'running')))
    .returning({ id: clusteringRuns.id });
  return alive.length > 0;
}

/** Why a run that an operator failed stops. */
export const FAILED_BY_OPERATOR = 'stopped by an operator';

/** While a run computes, it records that it is alive and looks whether an operator failed it, this often. */
const HEARTBEAT_EVERY_MS = 10_000;

export interface RunHeartbeat {
  /** Aborted when the caller's signal is, or (reason FAILED_BY_OPERATOR) once a beat finds the run failed. */
  signal: AbortSignal;
  /** Beats at once: between stages, so that a run an operator failed stops before the next. */
  beat(): Promise<void>;
  /** Stops beating, once the run has ended. */
  stop(): void;
}

/** Beats for a running run every HEARTBEAT_EVERY_MS until stopped; `signal` stops it too (a shutdown). */
export function startHeartbeat(db: Database, runId: number, signal?: AbortSignal): RunHeartbeat {
  const failedByOperator = new AbortController();
  const beat = async () => {
    if (!(await heartbeat(db, runId))) failedByOperator.abort(FAILED_BY_OPERATOR);
  };
  const timer = setInterval(() => void beat().catch(() => {}), HEARTBEAT_EVERY_MS).unref();
  return {
    signal: signal ? AbortSignal.any([signal, failedByOperator.signal]) : failedByOperator.signal,
    beat,
    stop: () => clearInterval(timer),
  };
}

/** Marks the run failed if it is still running, and tells every server; false when it was not running. */
async function markFailed(db: Database, runId: number, reason: string): Promise<boolean> {
  const failed = await db
    .update(clusteringRuns)
    .set({ status: 'failed', error: reason, finishedAt: sql`now()` })
    .where(and(eq(clusteringRuns.id, runId), eq(clusteringRuns.status, 'running')))
    .returning({ id: clusteringRuns.id });
  if (failed.length === 0) return false;
  await notifyChange(db, { kind: 'run', runId, status: 'failed' });
  return true;
}

/**
 * Marks a running run failed, whether or not its process is alive (one that is stops at its next
 * heartbeat and cannot make the run current). Throws ClusteringRunError when there is no such
 * running run.
 */
export async function failRun(db: Database, runId: number, reason = FAILED_BY_OPERATOR): Promise<void> {
  // Its process, if alive, sends nothing more: its own failure finds the run failed already.
  if (await markFailed(db, runId, reason)) return;
  const [run] = await db.select({ status: clusteringRuns.status }).from(clusteringRuns).where(eq(clusteringRuns.id, runId));
  throw new ClusteringRunError(
    run ? `clustering run ${runId} is not running (it has ${run.status})` : `there is no clustering run ${runId}`,
    run ? 'BAD_USER_INPUT' : 'NOT_FOUND',
  );
}

/**
 * Records the error that ended a run in its own process, unless the run already ended (an
 * operator failed it). Never throws: the caller reports the run's own error.
 */
export async function recordRunFailure(db: Database, runId: number, error: unknown): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  await markFailed(db, runId, message.slice(0, 2_000)).catch(() => {});
}
