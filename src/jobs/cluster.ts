/**
 * A clustering run: load the articles in batches → the pure clustering core → write the topics,
 * memberships, similarities, relations and model in one transaction that also makes the run
 * current. Readers see the previous run until that transaction commits. One run at a time: the
 * run row itself is the lock (a unique index allows one 'running' row), and a run whose process
 * died is marked failed by the next one.
 */
import { hostname } from 'node:os';
import { and, asc, desc, eq, gt, inArray, lt, ne, notInArray, sql } from 'drizzle-orm';
import type { ClusteringResult, ClusteringStage, ProgressListener } from '../clustering/types.js';
import { bulkInsert, chunks } from '../db/bulk.js';
import { type Database, processIsAlive, type Transaction } from '../db/client.js';
import {
  articleSimilarities,
  articleTopics,
  articles,
  clusteringRuns,
  runModels,
  topicRelations,
  topics,
} from '../db/schema.js';
import { assignUnplacedArticles, rememberModel } from './assign.js';
import { type ClusteringEngine, childProcessEngine, inlineEngine } from './cluster-engine.js';
import { countArticles } from './import.js';
import { saveModel } from './run-model.js';

export const DEFAULT_SEED = 42;
const LOAD_BATCH = 2_000;
const WRITE_BATCH = 20_000;
/** A running run whose heartbeat is older than this is taken to be dead. */
const STALE_AFTER_MS = 15 * 60 * 1000;
/** Runs before the current one whose topics are kept (older ones keep only their run row). */
const KEPT_PREVIOUS_RUNS = 1;

export class ClusteringRunError extends Error {
  constructor(
    message: string,
    readonly code: 'IN_PROGRESS' | 'BAD_USER_INPUT',
  ) {
    super(message);
  }
}

export interface ClusteringRunOptions {
  k?: number;
  seed?: number;
  onProgress?: ProgressListener;
  /** Compute in a child process, keeping this event loop free (the server does). */
  computeInChildProcess?: boolean;
}

export interface ClusteringRunSummary {
  runId: number;
  k: number;
  articleCount: number;
  topics: { label: string; size: number }[];
  timings: Partial<Record<ClusteringStage, number>>;
  /** Articles imported while the run computed, placed with its model afterwards. */
  assignedAfterwards: number;
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

/**
 * Checks the request and records a new 'running' run. Throws ClusteringRunError when another
 * run is in progress or the request cannot be met.
 */
export async function startRun(db: Database, options: ClusteringRunOptions): Promise<number> {
  const articleCount = await countArticles(db);
  if (articleCount < 2) {
    throw new ClusteringRunError(`there are ${articleCount} articles; clustering needs at least 2`, 'BAD_USER_INPUT');
  }
  if (options.k !== undefined && (!Number.isInteger(options.k) || options.k < 2 || options.k > articleCount)) {
    throw new ClusteringRunError(`k must be an integer from 2 to ${articleCount} (the number of articles)`, 'BAD_USER_INPUT');
  }
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) {
    throw new ClusteringRunError('seed must be an integer', 'BAD_USER_INPUT');
  }
  await failStaleRuns(db);
  try {
    const [run] = await db
      .insert(clusteringRuns)
      .values({ requestedK: options.k ?? null, seed: options.seed ?? DEFAULT_SEED, owner })
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

async function heartbeat(db: Database, runId: number): Promise<void> {
  await db.update(clusteringRuns).set({ heartbeatAt: sql`now()` }).where(eq(clusteringRuns.id, runId));
}

/** Streams every article into the engine, in id order, a batch at a time. */
async function loadArticles(db: Database, engine: ClusteringEngine, onProgress?: ProgressListener) {
  const articleIds: number[] = [];
  const total = await countArticles(db);
  let lastId = 0;
  for (;;) {
    const batch = await db
      .select({ id: articles.id, title: articles.title, body: articles.body })
      .from(articles)
      .where(gt(articles.id, lastId))
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

export function slugify(label: string): string {
  return (
    label
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'topic'
  );
}

function uniqueSlugs(labels: string[]): string[] {
  const used = new Set<string>();
  return labels.map((label) => {
    const base = slugify(label);
    let slug = base;
    for (let n = 2; used.has(slug); n++) slug = `${base}-${n}`;
    used.add(slug);
    return slug;
  });
}

async function writeRun(
  tx: Transaction,
  runId: number,
  articleIds: number[],
  result: ClusteringResult,
  onProgress?: ProgressListener,
): Promise<void> {
  const slugs = uniqueSlugs(result.topics.map((topic) => topic.label));
  const topicRows = await tx
    .insert(topics)
    .values(
      result.topics.map((topic, position) => ({
        runId,
        position,
        label: topic.label,
        slug: slugs[position],
        keywords: topic.keywords,
        size: topic.members.length,
      })),
    )
    .returning({ id: topics.id, position: topics.position });
  const topicIdAt = new Int32Array(topicRows.length);
  for (const row of topicRows) topicIdAt[row.position] = row.id;

  const { memberships, relatedDocuments } = result;
  const total = memberships.length * 2;
  for (const [start, end] of chunks(memberships.length, WRITE_BATCH)) {
    const slice = memberships.slice(start, end);
    await tx.execute(
      bulkInsert(articleTopics, [
        { name: 'run_id', type: 'int', values: slice.map(() => runId) },
        { name: 'article_id', type: 'int', values: articleIds.slice(start, end) },
        { name: 'topic_id', type: 'int', values: slice.map((membership) => topicIdAt[membership.topic]) },
        { name: 'score', type: 'real', values: slice.map((membership) => membership.score) },
        { name: 'weak', type: 'boolean', values: slice.map((membership) => membership.weak) },
      ]),
    );
    onProgress?.('write', end, total);
  }

  const from: number[] = [];
  const to: number[] = [];
  const scores: number[] = [];
  const flushSimilarities = async () => {
    if (from.length === 0) return;
    await tx.execute(
      bulkInsert(articleSimilarities, [
        { name: 'run_id', type: 'int', values: from.map(() => runId) },
        { name: 'article_id', type: 'int', values: from },
        { name: 'similar_article_id', type: 'int', values: to },
        { name: 'score', type: 'real', values: scores },
      ]),
    );
    from.length = 0;
    to.length = 0;
    scores.length = 0;
  };
  for (let i = 0; i < relatedDocuments.length; i++) {
    for (const neighbour of relatedDocuments[i]) {
      from.push(articleIds[i]);
      to.push(articleIds[neighbour.index]);
      scores.push(neighbour.score);
    }
    if (from.length >= WRITE_BATCH) {
      await flushSimilarities();
      onProgress?.('write', memberships.length + i + 1, total);
    }
  }
  await flushSimilarities();

  const relations = result.relatedTopics.flatMap((related, position) =>
    related.map((neighbour) => ({
      topicId: topicIdAt[position],
      relatedTopicId: topicIdAt[neighbour.index],
      score: neighbour.score,
    })),
  );
  if (relations.length > 0) await tx.insert(topicRelations).values(relations);
  await saveModel(tx, runId, result.model);
  onProgress?.('write', total, total);
}

/** Keeps the topics of the current and the previous run; older runs keep only their run row. */
async function pruneOldRuns(tx: Transaction, currentRunId: number): Promise<void> {
  const kept = await tx
    .select({ id: clusteringRuns.id })
    .from(clusteringRuns)
    .where(and(eq(clusteringRuns.status, 'succeeded'), lt(clusteringRuns.id, currentRunId)))
    .orderBy(desc(clusteringRuns.id))
    .limit(KEPT_PREVIOUS_RUNS);
  const keep = [currentRunId, ...kept.map((run) => run.id)];
  await tx.delete(articleSimilarities).where(notInArray(articleSimilarities.runId, keep));
  await tx.delete(runModels).where(notInArray(runModels.runId, keep));
  await tx.delete(topics).where(notInArray(topics.runId, keep));
}

/** Runs a whole clustering run and makes it current. */
export async function runClustering(db: Database, options: ClusteringRunOptions = {}): Promise<ClusteringRunSummary> {
  const runId = await startRun(db, options);
  return completeRun(db, runId, options);
}

/** Does the work of a run recorded by startRun; marks it failed if anything goes wrong. */
export async function completeRun(
  db: Database,
  runId: number,
  options: ClusteringRunOptions = {},
): Promise<ClusteringRunSummary> {
  const seed = options.seed ?? DEFAULT_SEED;
  try {
    const loadStart = performance.now();
    const engine = options.computeInChildProcess ? childProcessEngine() : inlineEngine();
    const articleIds = await loadArticles(db, engine, options.onProgress);
    const loadMs = performance.now() - loadStart;
    await heartbeat(db, runId);

    const result = await engine.run({ k: options.k, seed, onProgress: options.onProgress });
    await heartbeat(db, runId);

    const writeStart = performance.now();
    const timings: Partial<Record<ClusteringStage, number>> = { load: loadMs, ...result.timings };
    await db.transaction(async (tx) => {
      await writeRun(tx, runId, articleIds, result, options.onProgress);
      await tx
        .update(clusteringRuns)
        .set({ isCurrent: false })
        .where(and(eq(clusteringRuns.isCurrent, true), ne(clusteringRuns.id, runId)));
      timings.write = performance.now() - writeStart;
      await tx
        .update(clusteringRuns)
        .set({
          status: 'succeeded',
          isCurrent: true,
          k: result.k,
          articleCount: articleIds.length,
          parameters: result.parameters,
          kSelection: result.kSelection,
          quality: result.quality,
          timings: Object.fromEntries(Object.entries(timings).map(([stage, ms]) => [stage, Math.round(ms ?? 0)])),
          finishedAt: sql`now()`,
        })
        .where(eq(clusteringRuns.id, runId));
      await pruneOldRuns(tx, runId);
    });
    rememberModel(runId, result.model);
    // Fresh statistics, so the planner sees the new run's rows (feeds then read by index).
    await db.execute(sql`analyze article_topics, article_similarities, topics`);
    const assignedAfterwards = await assignUnplacedArticles(db);
    return {
      runId,
      k: result.k,
      articleCount: articleIds.length,
      topics: result.topics.map((topic) => ({ label: topic.label, size: topic.members.length })),
      timings,
      assignedAfterwards,
    };
  } catch (error) {
    await db
      .update(clusteringRuns)
      .set({ status: 'failed', error: (error as Error).message.slice(0, 2_000), finishedAt: sql`now()` })
      .where(and(eq(clusteringRuns.id, runId), eq(clusteringRuns.status, 'running')))
      .catch(() => {});
    throw error;
  }
}

