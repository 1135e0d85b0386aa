/**
 * Places articles imported after a clustering run into that run's topics, with scores, using the
 * model the run stored. The next full run re-clusters everything. A model is only used while it
 * still represents the corpus: once the articles new to its run outnumber the articles it
 * clustered, new ones wait for the next run (which the re-clustering policy then starts at once)
 * rather than crowd into topics found for a much smaller corpus.
 */
import { and, eq, gt, inArray, notExists, sql } from 'drizzle-orm';
import type { TopicModel } from '../clustering/types.js';
import { bulkInsert } from '../db/bulk.js';
import type { Executor, Transaction } from '../db/client.js';
import { type CurrentRun, findCurrentRun, lockCurrentRun, topicIdsByPosition } from '../db/current-run.js';
import { articles, articleTopics } from '../db/schema.js';
import { loadModel } from './run-model.js';
import { addToTopicSizes } from './topic-sizes.js';

/**
 * New articles are placed with the current model while those new to its run number at most this
 * share of the articles it clustered.
 */
const PLACE_WHILE_NEW_SHARE_AT_MOST = 1;

/** The current run's model, kept in memory: it only changes when a new run becomes current. */
let cachedModel: { runId: number; model: TopicModel } | undefined;

/** A run that just computed its model hands it over, saving a read of several megabytes. */
export function rememberModel(runId: number, model: TopicModel): void {
  cachedModel = { runId, model };
}

async function modelOf(db: Executor, runId: number): Promise<TopicModel | undefined> {
  if (cachedModel?.runId === runId) return cachedModel.model;
  const model = await loadModel(db, runId);
  if (model) cachedModel = { runId, model };
  return model;
}

/** Articles stored since the run started: it did not cluster them. */
export function articlesNewToRun(db: Executor, run: CurrentRun): Promise<number> {
  return db.$count(articles, gt(articles.createdAt, run.startedAt));
}

/** Whether a run's model still represents the corpus, with this many articles new to it (see above). */
export function representsCorpus(run: CurrentRun, newArticles: number): boolean {
  return newArticles <= run.articleCount * PLACE_WHILE_NEW_SHARE_AT_MOST;
}

export interface Assignment {
  articleId: number;
  topicId: number;
  score: number;
}

/**
 * Assigns the given articles (those not yet in the current run) to the current run's topics, in
 * the caller's transaction, which it keeps from overlapping a run switch (lockCurrentRun).
 * Returns the assignments made; none before the first run, or when the model no longer
 * represents the corpus.
 */
export async function assignToCurrentRun(db: Executor, articleIds: number[]): Promise<Assignment[]> {
  if (articleIds.length === 0) return [];
  await lockCurrentRun(db, 'place');
  const run = await findCurrentRun(db);
  if (!run || !representsCorpus(run, await articlesNewToRun(db, run))) return [];
  const model = await modelOf(db, run.id);
  if (!model) return [];

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
            .where(and(eq(articleTopics.articleId, articles.id), eq(articleTopics.runId, run.id))),
        ),
      ),
    );
  if (rows.length === 0) return [];

  // Loaded on first use: the server's start does not need the clustering core.
  const { assignDocuments } = await import('../clustering/index.js');
  const memberships = assignDocuments(model, rows);
  const topicIdAt = await topicIdsByPosition(db, run.id);
  const topicIds = memberships.map((membership) => topicIdAt[membership.topic]);

  await db.execute(
    bulkInsert(
      articleTopics,
      [
        { name: 'run_id', type: 'int', values: rows.map(() => run.id) },
        { name: 'article_id', type: 'int', values: rows.map((row) => row.id) },
        { name: 'topic_id', type: 'int', values: topicIds },
        { name: 'score', type: 'real', values: memberships.map((membership) => membership.score) },
        { name: 'weak', type: 'boolean', values: memberships.map((membership) => membership.weak) },
      ],
      [{ name: 'origin', value: sql`'placed'::membership_origin` }],
    ),
  );
  await addToTopicSizes(db, topicIds);
  return rows.map((row, i) => ({ articleId: row.id, topicId: topicIds[i], score: memberships[i].score }));
}

/**
 * In the transaction that makes a run current, after it is: places the articles stored while it
 * computed, which it did not cluster, so that no reader ever sees the run with articles that have
 * no topic in it. Imports that commit later place their own articles (they wait for this
 * transaction's lock). Returns the ids placed.
 */
export async function placeArticlesNewToRun(tx: Transaction, runId: number): Promise<number[]> {
  const unplaced = await tx
    .select({ id: articles.id })
    .from(articles)
    .where(
      notExists(
        tx
          .select({ one: sql`1` })
          .from(articleTopics)
          .where(and(eq(articleTopics.articleId, articles.id), eq(articleTopics.runId, runId))),
      ),
    );
  if (unplaced.length === 0) return [];
  const assignments = await assignToCurrentRun(
    tx,
    unplaced.map((row) => row.id),
  );
  return assignments.map((assignment) => assignment.articleId);
}
