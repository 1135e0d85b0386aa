/**
 * When a clustering run is due, by the configured policy (config.ts ReclusterPolicy): enough new
 * articles (a share of the current run, or a count), or enough time. Whatever the policy, a run is
 * due at once when there is none yet, or when the current model no longer represents the corpus
 * (assign.ts): the user never sees a handful of seed topics holding a whole imported corpus.
 */
import { eq, gte } from 'drizzle-orm';
import { formatDuration, type ReclusterPolicy } from '../config.js';
import type { Executor } from '../db/client.js';
import { findCurrentRun } from '../db/current-run.js';
import { articles, clusteringRuns } from '../db/schema.js';
import { articlesNewToRun, representsCorpus } from './assign.js';
import { articleWindowTime } from './run-lock.js';

export interface ReclusterState {
  due: boolean;
  /** Why a run is due, or why not yet, in a sentence. */
  reason: string;
  /** Articles the current run did not cluster (all articles before the first run). */
  newArticles: number;
  /** New articles at which the share or count rule makes a run due (null: no such rule). */
  threshold: number | null;
  /** When the interval rule makes a run due (null: no such rule, or before the first run). */
  dueAt: string | null;
  /** The run in progress, if any (nothing else starts meanwhile). */
  runningRunId: number | null;
}

function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en')} ${noun}${count === 1 ? '' : 's'}`;
}

/** The policy's verdict now. */
export async function evaluateReclusterPolicy(
  db: Executor,
  policy: Pick<ReclusterPolicy, 'newShare' | 'newCount' | 'intervalMs' | 'windowMs'>,
  now = Date.now(),
): Promise<ReclusterState> {
  const verdict = await evaluateRules(db, policy, now);
  if (!verdict.due || policy.windowMs === null) return verdict;
  // A run of the window needs something to cluster.
  const windowStart = new Date(now - policy.windowMs).toISOString();
  const inWindow = await db.$count(articles, gte(articleWindowTime, windowStart));
  if (inWindow >= 2) return verdict;
  return {
    ...verdict,
    due: false,
    reason: `${verdict.reason}; but the window (the last ${formatDuration(policy.windowMs)}) holds ${plural(inWindow, 'article')}, and clustering needs 2`,
  };
}

async function evaluateRules(
  db: Executor,
  policy: Pick<ReclusterPolicy, 'newShare' | 'newCount' | 'intervalMs' | 'windowMs'>,
  now = Date.now(),
): Promise<ReclusterState> {
  const [running] = await db.select({ id: clusteringRuns.id }).from(clusteringRuns).where(eq(clusteringRuns.status, 'running'));
  const current = await findCurrentRun(db);
  if (!current) {
    const stored = await db.$count(articles);
    const due = stored >= 2 && !running;
    return {
      due,
      reason: running
        ? `run ${running.id} is in progress`
        : due
          ? 'there is no clustering run yet'
          : `${plural(stored, 'article')} stored; clustering needs 2`,
      newArticles: stored,
      threshold: 2,
      dueAt: null,
      runningRunId: running?.id ?? null,
    };
  }
  const newArticles = await articlesNewToRun(db, current);
  const shareThreshold = policy.newShare === null ? null : Math.max(1, Math.ceil(policy.newShare * current.articleCount));
  const threshold = [shareThreshold, policy.newCount].reduce<number | null>(
    (lowest, value) => (value === null ? lowest : lowest === null ? value : Math.min(lowest, value)),
    null,
  );
  const dueAt = policy.intervalMs === null ? null : new Date(Date.parse(current.finishedAt) + policy.intervalMs).toISOString();
  const state = { newArticles, threshold, dueAt, runningRunId: running?.id ?? null };
  const base = `run ${current.id} clustered ${plural(current.articleCount, 'article')}; ${plural(newArticles, 'article')} arrived since`;
  if (running) return { ...state, due: false, reason: `run ${running.id} is in progress` };
  if (!representsCorpus(current, newArticles)) {
    return { ...state, due: true, reason: `${base}: too many for its topics, which no longer represent the corpus` };
  }
  if (threshold !== null && newArticles >= threshold) {
    const rule =
      threshold === shareThreshold
        ? `at least ${Math.round((policy.newShare ?? 0) * 100)}% of its size (${threshold})`
        : `at least ${policy.newCount}`;
    return { ...state, due: true, reason: `${base}, ${rule}` };
  }
  // Time alone changes nothing unless articles arrived or a window moves articles out.
  if (dueAt !== null && now >= Date.parse(dueAt) && (newArticles > 0 || policy.windowMs !== null)) {
    return { ...state, due: true, reason: `${base}; it finished more than ${formatDuration(policy.intervalMs ?? 0)} ago` };
  }
  const waiting = threshold === null ? '' : `, a run is due at ${threshold}`;
  const later = dueAt === null ? '' : `${waiting ? ' or' : ','} after ${dueAt}`;
  return { ...state, due: false, reason: `${base}${waiting}${later}` };
}
