/**
 * Places articles imported after a clustering run into that run's topics, with scores, using the
 * model the run stored. The next full run re-clusters everything.
 */
import { and, eq, inArray, notExists, sql } from 'drizzle-orm';
import { assignDocuments } from '../clustering/index.js';
import type { TopicModel } from '../clustering/types.js';
import { bulkInsert } from '../db/bulk.js';
import type { Database, Executor } from '../db/client.js';
import { articleTopics, articles, clusteringRuns, topics } from '../db/schema.js';
import { loadModel } from './run-model.js';

/** The current run's model, kept in memory: it only changes when a new run becomes current. */
let cachedModel: { runId: number; model: TopicModel } | undefined;

/** A run that just computed its model hands it over, saving a read of several megabytes. */
export function rememberModel(runId: number, model: TopicModel): void {
  cachedModel = { runId, model };
}

async function currentRunId(db: Executor): Promise<number | undefined> {
  const [current] = await db
    .select({ id: clusteringRuns.id })
    .from(clusteringRuns)
    .where(eq(clusteringRuns.isCurrent, true));
  return current?.id;
}

async function currentRunModel(db: Executor): Promise<{ runId: number; model: TopicModel } | undefined> {
  const runId = await currentRunId(db);
  if (runId === undefined) return undefined;
  if (cachedModel?.runId === runId) return cachedModel;
  const model = await loadModel(db, runId);
  if (!model) return undefined;
  cachedModel = { runId, model };
  return cachedModel;
}

export interface Assignment {
  articleId: number;
  topicId: number;
  score: number;
}

/**
 * Assigns the given articles (those not yet in the current run) to the current run's topics.
 * Returns the assignments made; none when there is no current run yet.
 */
export async function assignToCurrentRun(db: Executor, articleIds: number[]): Promise<Assignment[]> {
  if (articleIds.length === 0) return [];
  const current = await currentRunModel(db);
  if (!current) return [];
  const { runId, model } = current;

  const rows = await db
    .select({ id: articles.id, title: articles.title, body: articles.body })
    .from(articles)
    .where(
      and(
        inArray(articles.id, articleIds),
        notExists(
          db
            .select({ one: sql`1` })
            .from(articleTopics)
            .where(and(eq(articleTopics.articleId, articles.id), eq(articleTopics.runId, runId))),
        ),
      ),
    );
  if (rows.length === 0) return [];

  const memberships = assignDocuments(model, rows);
  const topicRows = await db
    .select({ id: topics.id, position: topics.position })
    .from(topics)
    .where(eq(topics.runId, runId));
  const topicIdAt = new Map(topicRows.map((topic) => [topic.position, topic.id]));
  const topicIds = memberships.map((membership) => topicIdAt.get(membership.topic) ?? 0);

  await db.execute(
    bulkInsert(articleTopics, [
      { name: 'run_id', type: 'int', values: rows.map(() => runId) },
      { name: 'article_id', type: 'int', values: rows.map((row) => row.id) },
      { name: 'topic_id', type: 'int', values: topicIds },
      { name: 'score', type: 'real', values: memberships.map((membership) => membership.score) },
      { name: 'weak', type: 'boolean', values: memberships.map((membership) => membership.weak) },
    ]),
  );
  const touched: number[] = [...new Set(topicIds)];
  await db
    .update(topics)
    .set({ size: sql`(select count(*)::int from ${articleTopics} where ${articleTopics.topicId} = ${topics.id})` })
    .where(inArray(topics.id, touched));
  return rows.map((row, i) => ({ articleId: row.id, topicId: topicIds[i], score: memberships[i].score }));
}

/** Assigns every article that the current run does not cover yet (e.g. imported while it ran). */
export async function assignUnplacedArticles(db: Database, batchSize = 1_000): Promise<number> {
  const runId = await currentRunId(db);
  if (runId === undefined) return 0;
  let assigned = 0;
  for (;;) {
    const ids = await db
      .select({ id: articles.id })
      .from(articles)
      .where(
        notExists(
          db
            .select({ one: sql`1` })
            .from(articleTopics)
            .where(and(eq(articleTopics.articleId, articles.id), eq(articleTopics.runId, runId))),
        ),
      )
      .limit(batchSize);
    if (ids.length === 0) return assigned;
    const placed = (await db.transaction((tx) => assignToCurrentRun(tx, ids.map((row) => row.id)))).length;
    // Nothing placed means another run became current meanwhile; it covers these articles.
    if (placed === 0) return assigned;
    assigned += placed;
  }
}
