/**
 * What a clustering run clusters: its request as startRun recorded it, the articles of its window
 * (streamed to the engine in id order), and the topics of the run that was current, which it
 * carries on.
 */
import { and, asc, eq, gt, gte } from 'drizzle-orm';
import type { PreviousTopics, ProgressListener } from '../clustering/types.js';
import type { Database } from '../db/client.js';
import { findCurrentRun, topicIdsByPosition } from '../db/current-run.js';
import { articles, articleTopics, clusteringRuns } from '../db/schema.js';
import type { ClusteringEngine } from './cluster-engine.js';
import { articleWindowTime } from './run-lock.js';

const LOAD_BATCH = 2_000;

export interface RecordedRequest {
  requestedK: number | null;
  seed: number;
  /** With a clustering window, its start. */
  windowStart: string | null;
}

export async function readRunRequest(db: Database, runId: number): Promise<RecordedRequest> {
  const [run] = await db
    .select({ requestedK: clusteringRuns.requestedK, seed: clusteringRuns.seed, windowStart: clusteringRuns.windowStart })
    .from(clusteringRuns)
    .where(eq(clusteringRuns.id, runId));
  if (!run) throw new Error(`clustering run ${runId} does not exist`);
  return run;
}

/** The run that was current when this one loaded its articles. */
export interface PreviousRun {
  runId: number;
  /** The persistent id of each of its topics, by the index the clustering got (`previous.topicOf`). */
  topicIds: number[];
  /**
   * Index (into topicIds) of the topic of each article the run clustered (or kept from before its
   * window), by article id. Articles its model placed afterwards are left out: that placement was
   * a provisional guess, which neither pulls the warm start nor counts in the lineage.
   */
  topicOfArticle: Map<number, number>;
  /** Every article the run had a topic for, placed ones included. */
  covered: Set<number>;
}

export interface RunInput {
  /** Database ids of the articles the engine got, in its input order. */
  articleIds: number[];
  previous: PreviousRun | null;
  /** The previous run's topics as the clustering takes them; undefined when there are none to carry on. */
  previousTopics: PreviousTopics | undefined;
}

/** Streams the run's articles into the engine, then reads the run they follow. */
export async function loadRunInput(
  db: Database,
  windowStart: string | null,
  engine: Pick<ClusteringEngine, 'add'>,
  onProgress?: ProgressListener,
): Promise<RunInput> {
  const articleIds = await loadArticles(db, engine, windowStart, onProgress);
  const previous = await loadPreviousRun(db);
  return { articleIds, previous, previousTopics: previousTopicsOf(previous, articleIds) };
}

/** The run's articles, in id order, a batch at a time. */
async function loadArticles(
  db: Database,
  engine: Pick<ClusteringEngine, 'add'>,
  windowStart: string | null,
  onProgress?: ProgressListener,
) {
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

function previousTopicsOf(previous: PreviousRun | null, articleIds: number[]): PreviousTopics | undefined {
  if (previous === null || previous.topicIds.length === 0) return undefined;
  const topicOf = Int32Array.from(articleIds, (id) => previous.topicOfArticle.get(id) ?? -1);
  return { topicOf, topicCount: previous.topicIds.length };
}
