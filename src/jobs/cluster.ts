/**
 * A clustering run: load the articles (of the window, when it has one) and the previous run's
 * topics → the pure clustering core → write the run in one transaction that also makes it
 * current (run-writer.ts). Readers see the previous run until that transaction commits; every
 * server on the database hears of it (change-notices.ts).
 */
import { and, asc, eq, gt, gte, sql } from 'drizzle-orm';
import type { ClusteringResult, ClusteringStage, PreviousTopics, ProgressListener } from '../clustering/types.js';
import { notifyChange } from '../db/change-notices.js';
import { type Database, allowLongStatements } from '../db/client.js';
import { findCurrentRun, topicIdsByPosition } from '../db/current-run.js';
import { articleTopics, articles, clusteringRuns } from '../db/schema.js';
import { placeArticlesNewToRun, rememberModel } from './assign.js';
import { type ClusteringEngine, childProcessEngine, inlineEngine, stopReason } from './cluster-engine.js';
import { FAILED_BY_OPERATOR, type RunRequest, type StartedRun, articleWindowTime, heartbeat, startRun } from './run-lock.js';
import { type PreviousTopicIds, type WrittenChange, writeRun } from './run-writer.js';

const LOAD_BATCH = 2_000;
/** While a run computes, it records that it is alive and looks whether an operator failed it, this often. */
const HEARTBEAT_EVERY_MS = 10_000;

export interface ClusteringRunOptions extends RunRequest {
  onProgress?: ProgressListener;
  /** Compute in a child process, keeping this event loop free (the server does). */
  computeInChildProcess?: boolean;
  /** Start k-means from the previous run's topics too (default true; false only for comparisons). */
  warmStart?: boolean;
  /** Aborting it stops the run, which is then marked failed. */
  signal?: AbortSignal;
}

export interface ClusteringRunSummary {
  runId: number;
  k: number;
  articleCount: number;
  topics: { topicId: number; label: string; size: number; kind: WrittenChange['kind'] }[];
  /** Topics of the previous run that ended in this one (retired, or merged into another). */
  ended: WrittenChange[];
  /** Articles older than the window that kept their topic. */
  carried: number;
  /** What became of the warm start (cluster-corpus.ts): used, rejected, none or off. */
  warmStart: string;
  timings: Partial<Record<ClusteringStage, number>>;
  /** Articles imported while the run computed, placed with its model as it became current. */
  assignedAfterwards: number;
}

/** Runs a whole clustering run and makes it current. */
export async function runClustering(db: Database, options: ClusteringRunOptions = {}): Promise<ClusteringRunSummary> {
  return completeRun(db, await startRun(db, options), options);
}

interface PreviousRun extends PreviousTopicIds {
  /**
   * Index (into topicIds) of the topic of each article the run clustered (or kept from before its
   * window), by article id. Articles its model placed afterwards are left out: that placement was
   * a provisional guess, which neither pulls the warm start nor counts in the lineage.
   */
  topicOfArticle: Map<number, number>;
  /** Every article the run had a topic for, placed ones included. */
  covered: Set<number>;
}

/**
 * The current run's topics and who belongs to them: what the new run carries on. Read after the
 * articles, so that an article placed meanwhile counts as covered (its import announced it).
 */
async function loadPreviousRun(db: Database): Promise<PreviousRun | null> {
  const current = await findCurrentRun(db);
  if (!current) return null;
  const topicIds = await topicIdsByPosition(db, current.id);
  const indexOf = new Map(topicIds.map((topicId, index) => [topicId, index]));
  const topicOfArticle = new Map<number, number>();
  const covered = new Set<number>();
  const memberships = await db
    .select({ articleId: articleTopics.articleId, topicId: articleTopics.topicId, origin: articleTopics.origin })
    .from(articleTopics)
    .where(eq(articleTopics.runId, current.id));
  for (const membership of memberships) {
    covered.add(membership.articleId);
    const index = indexOf.get(membership.topicId);
    if (index !== undefined && membership.origin !== 'placed') topicOfArticle.set(membership.articleId, index);
  }
  return { runId: current.id, topicIds, topicOfArticle, covered };
}

/** Streams the run's articles into the engine, in id order, a batch at a time. */
async function loadArticles(db: Database, engine: ClusteringEngine, windowStart: string | null, onProgress?: ProgressListener) {
  const inWindow = windowStart === null ? undefined : gte(articleWindowTime, windowStart);
  const articleIds: number[] = [];
  const total = await db.$count(articles, inWindow);
  let lastId = 0;
  for (;;) {
    const batch = await db
      .select({ id: articles.id, title: articles.title, body: articles.body })
      .from(articles)
      .where(and(gt(articles.id, lastId), inWindow))
      .orderBy(asc(articles.id))
      .limit(LOAD_BATCH);
    if (batch.length === 0) break;
    engine.add(batch.map(({ title, body }) => ({ title, body })));
    for (const article of batch) articleIds.push(article.id);
    lastId = batch[batch.length - 1].id;
    onProgress?.('load', articleIds.length, Math.max(total, articleIds.length));
  }
  return articleIds;
}

function previousTopicsOf(previous: PreviousRun | null, articleIds: number[]): PreviousTopics | undefined {
  if (previous === null || previous.topicIds.length === 0) return undefined;
  const topicOf = Int32Array.from(articleIds, (id) => previous.topicOfArticle.get(id) ?? -1);
  return { topicOf, topicCount: previous.topicIds.length };
}

function roundedTimings(timings: Partial<Record<ClusteringStage, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(timings).map(([stage, ms]) => [stage, Math.round(ms ?? 0)]));
}

/**
 * Does the work of a run recorded by startRun and ends its lease; marks the run failed if
 * anything goes wrong.
 */
export async function completeRun(
  db: Database,
  started: StartedRun,
  options: Pick<ClusteringRunOptions, 'onProgress' | 'computeInChildProcess' | 'warmStart' | 'signal'> = {},
): Promise<ClusteringRunSummary> {
  const runId = started.id;
  let engine: ClusteringEngine | undefined;
  // Stops the computation when the server shuts down (options.signal) or an operator fails the run.
  const failedByOperator = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, failedByOperator.signal]) : failedByOperator.signal;
  const beatOnce = async () => {
    if (!(await heartbeat(db, runId))) failedByOperator.abort(FAILED_BY_OPERATOR);
  };
  const beat = setInterval(() => void beatOnce().catch(() => {}), HEARTBEAT_EVERY_MS).unref();
  try {
    const [run] = await db.select().from(clusteringRuns).where(eq(clusteringRuns.id, runId));
    if (!run) throw new Error(`clustering run ${runId} does not exist`);
    const loadStart = performance.now();
    engine = options.computeInChildProcess ? childProcessEngine(signal) : inlineEngine();
    const articleIds = await loadArticles(db, engine, run.windowStart, options.onProgress);
    const previous = await loadPreviousRun(db);
    const loadMs = performance.now() - loadStart;
    await beatOnce();
    if (signal.aborted) throw new Error(stopReason(signal));

    const previousTopics = previousTopicsOf(previous, articleIds);
    const result: ClusteringResult = await engine.run({
      k: run.requestedK ?? undefined,
      seed: run.seed,
      previous: previousTopics,
      warmStart: options.warmStart,
      onProgress: options.onProgress,
    });
    await beatOnce();

    const writeStart = performance.now();
    const timings: Partial<Record<ClusteringStage, number>> = { load: loadMs, ...result.timings };
    const written = await db.transaction(async (tx) => {
      await allowLongStatements(tx);
      const outcome = await writeRun(
        tx,
        {
          runId,
          articleIds,
          result,
          previousRunId: previous?.runId ?? null,
          previous: previousTopics && previous ? previous : null,
          windowStart: run.windowStart,
        },
        options.onProgress,
      );
      timings.write = performance.now() - writeStart;
      const [succeeded] = await tx
        .update(clusteringRuns)
        .set({
          status: 'succeeded',
          k: result.k,
          articleCount: articleIds.length,
          parameters: result.parameters,
          kSelection: result.kSelection,
          quality: result.quality,
          timings: roundedTimings(timings),
          finishedAt: sql`now()`,
        })
        .where(and(eq(clusteringRuns.id, runId), eq(clusteringRuns.status, 'running')))
        .returning({ id: clusteringRuns.id });
      // An operator failed it meanwhile (or, had its lease ended, another process).
      if (!succeeded) throw new Error(`run ${runId} was marked failed while it computed`);
      rememberModel(runId, result.model);
      // Articles stored while it computed get their topic before anyone sees the run.
      const placed = await placeArticlesNewToRun(tx, runId);
      await notifyChange(tx, { kind: 'run', runId, status: 'succeeded' });
      // Articles the previous run had no topic for (imported while its model could not place
      // them), and those just placed, are new to their feeds: subscribers hear of them as of any import.
      const arrived = previous ? articleIds.filter((id) => !previous.covered.has(id)) : [];
      if (arrived.length + placed.length > 0) await notifyChange(tx, { kind: 'articles', ids: [...arrived, ...placed] });
      return { ...outcome, placed: placed.length };
    });
    // Fresh statistics, so the planner sees the new run's rows (feeds then read by index). The
    // run is current by now: a failure here is not the run's.
    await db.execute(sql`analyze article_topics, article_similarities, topics`).catch(() => {});
    return {
      runId,
      k: result.k,
      articleCount: articleIds.length,
      topics: result.topics.map((topic, cluster) => ({
        topicId: written.topicIdOfCluster[cluster],
        label: topic.label,
        size: topic.members.length,
        kind: written.changes[cluster].kind,
      })),
      ended: written.changes.slice(result.topics.length),
      carried: written.carried,
      warmStart: String(result.parameters.warmStart),
      timings,
      assignedAfterwards: written.placed,
    };
  } catch (error) {
    engine?.close();
    const failed = await db
      .update(clusteringRuns)
      .set({ status: 'failed', error: (error as Error).message.slice(0, 2_000), finishedAt: sql`now()` })
      .where(and(eq(clusteringRuns.id, runId), eq(clusteringRuns.status, 'running')))
      .returning({ id: clusteringRuns.id })
      .catch(() => []);
    if (failed.length > 0) await notifyChange(db, { kind: 'run', runId, status: 'failed' }).catch(() => {});
    throw error;
  } finally {
    clearInterval(beat);
    await started.lease.release().catch(() => {});
  }
}
