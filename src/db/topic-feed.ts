/**
 * One page of a topic's feed: the topic's memberships of one run in a feed order, with their
 * articles and sources, as one prepared statement. It is the API's hottest read, and building it
 * through the relational query builder on every request cost more server CPU than anything else
 * (drizzle rendered a nested JSON query per page); here each shape of page (its order, its paging
 * direction, how many cursor values it holds, whether it pages an older run) is built once per
 * database and only its values change.
 *
 * Pages follow plugin-drizzle's keyset paging, so that cursors taken before stay good: the order
 * is the feed's key, then the membership's primary key (the article, the run, the topic), and a
 * page after (before) a cursor starts at the first row beyond it in the first key that differs.
 * A cursor may hold only a prefix of the keys: it then describes a coarser position.
 */
import { and, asc, desc, eq, getColumns, gt, lt, or, type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Database } from './client.js';
import { currentRunIdSql, feedRunIdSql } from './current-run.js';
import { articles, articleTopics, clusteringRuns, sources } from './schema.js';

export type FeedOrder = 'RELEVANCE' | 'NEWEST';

/** A feed order's keys, in order, each with its direction. */
const FEED_KEYS: Record<FeedOrder, { column: AnyPgColumn; direction: 'asc' | 'desc' }[]> = {
  RELEVANCE: [
    { column: articleTopics.score, direction: 'desc' },
    { column: articleTopics.articleId, direction: 'asc' },
    { column: articleTopics.runId, direction: 'asc' },
    { column: articleTopics.topicId, direction: 'asc' },
  ],
  NEWEST: [
    { column: articleTopics.publishedSort, direction: 'desc' },
    { column: articleTopics.articleId, direction: 'desc' },
    { column: articleTopics.runId, direction: 'desc' },
    { column: articleTopics.topicId, direction: 'desc' },
  ],
};

/** The shape of a page: requests of one shape are read together, in one statement. */
export interface FeedPageShape {
  order: FeedOrder;
  /** The run the page's cursor was taken in (null: the current run). */
  cursorRunId: number | null;
  /** The cursor values the page starts after / ends before (a prefix of the order's keys). */
  after?: readonly unknown[];
  before?: readonly unknown[];
  /** Rows to read per topic: the page size and one more, which tells whether another page follows. */
  limit: number;
  /** Backwards (`last`): the rows nearest the end, read in reverse order. */
  backward: boolean;
}

interface StatementShape {
  order: FeedOrder;
  backward: boolean;
  cursorRun: boolean;
  afterLength: number;
  beforeLength: number;
}

// The article's columns but the search vector (never read) and the body (the largest by far:
// pages whose nodes need it are loaded with the topic's query).
const { searchVector: _searchVector, body: _body, ...articleSummary } = getColumns(articles);

/** The columns of the article and of its source a feed page's rows carry. */
export const FEED_ARTICLE_COLUMNS: Readonly<Record<string, unknown>> = articleSummary;
export const FEED_SOURCE_COLUMNS: Readonly<Record<string, unknown>> = getColumns(sources);

/**
 * The statement of one shape: for each topic of the `topics` array, in that order, its page (a
 * lateral read of the feed's index, which stops after `limit` rows), with its articles and sources.
 */
function pageStatement(db: Database, shape: StatementShape) {
  const keys = FEED_KEYS[shape.order];
  const runId = shape.cursorRun
    ? sql`coalesce((select ${clusteringRuns.id} from ${clusteringRuns} where ${eq(clusteringRuns.id, sql.placeholder('cursorRun'))}
        and ${eq(clusteringRuns.status, 'succeeded')} and ${clusteringRuns.prunedAt} is null), ${currentRunIdSql})`
    : currentRunIdSql;
  const flip = (direction: 'asc' | 'desc') => (shape.backward ? (direction === 'asc' ? 'desc' : 'asc') : direction);
  const inOrder = (columns: AnyPgColumn[]) =>
    columns.map((column, index) => (flip(keys[index].direction) === 'asc' ? asc : desc)(column));
  const page = db
    .select({
      runId: articleTopics.runId,
      articleId: articleTopics.articleId,
      topicId: articleTopics.topicId,
      score: articleTopics.score,
      weak: articleTopics.weak,
      publishedSort: articleTopics.publishedSort,
    })
    .from(articleTopics)
    .where(
      and(
        sql`${articleTopics.topicId} = requested.feed_topic`,
        sql`${articleTopics.runId} = ${runId}`,
        keyset(keys, shape.afterLength, 'after'),
        keyset(keys, shape.beforeLength, 'before'),
      ),
    )
    .orderBy(...inOrder(keys.map((key) => key.column)))
    .limit(sql.placeholder('limit'))
    .as('page');
  return db
    .select({
      runId: page.runId,
      articleId: page.articleId,
      topicId: page.topicId,
      score: page.score,
      weak: page.weak,
      publishedSort: page.publishedSort,
      article: articleSummary,
      source: sources,
    })
    .from(sql`unnest(${sql.placeholder('topics')}::int[]) with ordinality as requested(feed_topic, position)`)
    .crossJoinLateral(page)
    .innerJoin(articles, eq(articles.id, page.articleId))
    .leftJoin(sources, eq(sources.id, articles.sourceId))
    .orderBy(sql`requested.position`, ...inOrder(pageKeys(page, shape.order)))
    .prepare(`topic_feed_${Object.values(shape).join('_')}`);
}

/** The page subquery's columns of an order's keys, in order. */
function pageKeys(page: Record<'runId' | 'articleId' | 'topicId' | 'score' | 'publishedSort', AnyPgColumn>, order: FeedOrder) {
  return [order === 'NEWEST' ? page.publishedSort : page.score, page.articleId, page.runId, page.topicId];
}

/**
 * Rows beyond a cursor of `length` values (placeholders `after0`… or `before0`…): those where
 * the first key that differs from the cursor differs in the paging direction.
 */
function keyset(keys: (typeof FEED_KEYS)[FeedOrder], length: number, paging: 'after' | 'before'): SQL | undefined {
  if (length === 0) return undefined;
  const value = (index: number) => sql.placeholder(`${paging}${index}`);
  const beyond = keys.slice(0, length).map(({ column, direction }, index) => {
    const forward = paging === 'after' ? direction === 'asc' : direction === 'desc';
    const compare = (forward ? gt : lt)(column, value(index));
    const equalBefore = keys.slice(0, index).map((key, previous) => eq(key.column, value(previous)));
    return index === 0 ? compare : (and(...equalBefore, compare) as SQL);
  });
  return beyond.length === 1 ? beyond[0] : or(...beyond);
}

type PageStatement = ReturnType<typeof pageStatement>;
export type FeedPageRow = Awaited<ReturnType<PageStatement['execute']>>[number];

/** A row's values of its order's keys, in order: what its cursor holds. */
export function feedCursorValues(row: FeedPageRow, order: FeedOrder): unknown[] {
  return [order === 'NEWEST' ? row.publishedSort : row.score, row.articleId, row.runId, row.topicId];
}

/** Each database's statements, by shape (at most 2 orders × 2 directions × 2 × 5 × 5). */
const statements = new WeakMap<Database, Map<string, PageStatement>>();

/** The pages of several topics in one shape: each topic's rows, in the order read (a backward page's reversed). */
export async function readFeedPages(db: Database, topicIds: readonly number[], request: FeedPageShape): Promise<FeedPageRow[][]> {
  const topics = [...new Set(topicIds)];
  const after = request.after ?? [];
  const before = request.before ?? [];
  const shape: StatementShape = {
    order: request.order,
    backward: request.backward,
    cursorRun: request.cursorRunId !== null,
    afterLength: after.length,
    beforeLength: before.length,
  };
  const byShape = statements.get(db) ?? new Map<string, PageStatement>();
  statements.set(db, byShape);
  const key = Object.values(shape).join(':');
  const statement = byShape.get(key) ?? pageStatement(db, shape);
  byShape.set(key, statement);
  // An int[] literal: the drivers pass a JavaScript array through as its text ("4,5"), which is no array.
  const values: Record<string, unknown> = {
    topics: `{${topics.join(',')}}`,
    limit: request.limit,
    cursorRun: request.cursorRunId,
  };
  after.forEach((value, index) => {
    values[`after${index}`] = value;
  });
  before.forEach((value, index) => {
    values[`before${index}`] = value;
  });
  const rows = await statement.execute(values);
  const pages = new Map(topics.map((id) => [id, [] as FeedPageRow[]]));
  for (const row of rows) pages.get(row.topicId)?.push(row);
  return topicIds.map((id) => pages.get(id) ?? []);
}

/**
 * A topic's articles in the run a cursor's page reads, when that is an older run than the current
 * one (kept after a newer run became current); null when the page reads the current run, whose
 * size the topic stores.
 */
export async function olderFeedSize(db: Database, topicId: number, cursorRunId: number): Promise<number | null> {
  const feedRun = feedRunIdSql(cursorRunId);
  const [row] = await db
    .select({ size: sql<number | null>`case when ${feedRun} = ${currentRunIdSql} then null else count(*)::int end` })
    .from(articleTopics)
    .where(and(eq(articleTopics.topicId, topicId), sql`${articleTopics.runId} = ${feedRun}`));
  return row?.size ?? null;
}
