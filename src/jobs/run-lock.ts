/**
 * One clustering run at a time, across processes and drivers: the run row itself is the lock (a
 * unique index allows one 'running' row). A run whose process died is marked failed by the next
 * one that starts.
 */
import { hostname } from 'node:os';
import { eq, gte, inArray, sql } from 'drizzle-orm';
import { type Database, processIsAlive } from '../db/client.js';
import { articles, clusteringRuns } from '../db/schema.js';

export const DEFAULT_SEED = 42;
/** A running run whose heartbeat is older than this is taken to be dead. */
const STALE_AFTER_MS = 15 * 60 * 1000;

export class ClusteringRunError extends Error {
  constructor(
    message: string,
    readonly code: 'IN_PROGRESS' | 'BAD_USER_INPUT',
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

const owner = `${hostname()}:${process.pid}`;

function processIsGone(runOwner: string | null): boolean {
  if (!runOwner) return false;
  const [host, pid] = runOwner.split(':');
  return host === hostname() && !processIsAlive(Number(pid));
}

function isUniqueViolation(error: unknown): boolean {
  for (let cause: unknown = error; cause; cause = (cause as { cause?: unknown }).cause) {
    if ((cause as { code?: string }).code === '23505') return true;
  }
  return false;
}

/** Marks runs whose process died as failed, so they neither block nor linger as 'running'. */
async function failStaleRuns(db: Database): Promise<void> {
  const running = await db
    .select({ id: clusteringRuns.id, owner: clusteringRuns.owner, heartbeatAt: clusteringRuns.heartbeatAt })
    .from(clusteringRuns)
    .where(eq(clusteringRuns.status, 'running'));
  const stale = running.filter(
    (run) => processIsGone(run.owner) || Date.now() - Date.parse(run.heartbeatAt) > STALE_AFTER_MS,
  );
  if (stale.length === 0) return;
  await db
    .update(clusteringRuns)
    .set({ status: 'failed', error: 'the process running it stopped', finishedAt: sql`now()` })
    .where(inArray(clusteringRuns.id, stale.map((run) => run.id)));
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
export async function startRun(db: Database, request: RunRequest): Promise<number> {
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
    throw new ClusteringRunError(`k must be an integer from 2 to ${articleCount} (the number of articles${inWindow})`, 'BAD_USER_INPUT');
  }
  if (request.seed !== undefined && !Number.isSafeInteger(request.seed)) {
    throw new ClusteringRunError('seed must be an integer', 'BAD_USER_INPUT');
  }
  await failStaleRuns(db);
  try {
    const [run] = await db
      .insert(clusteringRuns)
      .values({
        requestedK: request.k ?? null,
        seed: request.seed ?? DEFAULT_SEED,
        reason: request.reason ?? null,
        windowStart,
        owner,
      })
      .returning({ id: clusteringRuns.id });
    return run.id;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const [running] = await db.select().from(clusteringRuns).where(eq(clusteringRuns.status, 'running'));
    throw new ClusteringRunError(
      `clustering run ${running?.id ?? '?'} is already in progress (started ${running ? new Date(running.startedAt).toISOString() : 'just now'}); ` +
        'wait for it to finish',
      'IN_PROGRESS',
    );
  }
}

export async function heartbeat(db: Database, runId: number): Promise<void> {
  await db.update(clusteringRuns).set({ heartbeatAt: sql`now()` }).where(eq(clusteringRuns.id, runId));
}
