import { getConnectionPageSize } from '@pothos/core';
import { drizzleConnectionHelpers } from '@pothos/plugin-drizzle';
import { type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { GraphQLError } from 'graphql';
import { feedRunIdSql, inCurrentRun } from '../../db/current-run.js';
import { articles, articleTopics, topicChanges, topics } from '../../db/schema.js';
import {
  FEED_ARTICLE_COLUMNS,
  FEED_SOURCE_COLUMNS,
  type FeedOrder,
  type FeedPageRow,
  feedCursorValues,
  olderFeedSize,
} from '../../db/topic-feed.js';
import { builder, type GraphQLContext, MAX_PAGE_SIZE } from '../builder.js';
import type { CursorKey, CursorKeys } from '../cursors.js';
import { type FeedPosition, feedCursor, readFeedPosition, wrapFeedCursors } from '../feed-cursors.js';
import { databaseId } from '../ids.js';
import { feedPageLoader } from '../loaders.js';
import { Article } from './article.js';
import { utcMicrosecondText } from './article-filter.js';

const Keyword = builder.objectRef<{ term: string; weight: number }>('Keyword').implement({
  description: 'A term or phrase that characterises a topic.',
  fields: (t) => ({
    term: t.exposeString('term', { description: 'The term or phrase as it reads in the articles, as plain text (not HTML).' }),
    weight: t.exposeFloat('weight', { description: 'How distinctive the term is for the topic (higher is more).' }),
  }),
});

/** Days that count as "recent" for trending. */
const TREND_WINDOW_DAYS = 7;

/** The current run's memberships of dated articles (undated ones have no publication time), as a FROM … WHERE. */
const datedMemberships = sql`from ${articleTopics} join ${articles} on ${articles.id} = ${articleTopics.articleId}
  where ${inCurrentRun(articleTopics)} and ${articles.publishedAt} is not null`;

/** The publication times of a topic's dated articles in the current run. */
function datedMembers(topicId: AnyPgColumn): SQL {
  return sql`select ${articles.publishedAt} as at ${datedMemberships} and ${articleTopics.topicId} = ${topicId}`;
}

/** When the topic's newest dated article was published, as fixed-width UTC text ('' when none). */
function latestArticleSql(table: { id: AnyPgColumn }): SQL<string> {
  return sql<string>`(select coalesce(${utcMicrosecondText(sql`max(at)`)}, '') collate "C" from (${datedMembers(table.id)}) dated)`;
}

/**
 * Share of the recent dated articles (the window before the run's newest dated article) in this
 * topic, divided by its share of the older ones; add-one smoothing keeps small topics from jumping.
 * Null when the topic has no dated article: import times are no publication times.
 */
function trendSql(table: { id: AnyPgColumn }): SQL<number | null> {
  return sql<number | null>`(
    with times as (
      select ${articleTopics.topicId} as topic, ${articles.publishedAt} as at ${datedMemberships}
    ), bounds as (
      select max(at) - interval '${sql.raw(String(TREND_WINDOW_DAYS))} days' as since,
        (select count(*) from ${topicChanges} where ${inCurrentRun(topicChanges)} and ${topicChanges.found}) as k
      from times
    ), counts as (
      select count(*) filter (where at > since and topic = ${table.id}) as recent_topic,
             count(*) filter (where at > since) as recent_all,
             count(*) filter (where at <= since and topic = ${table.id}) as past_topic,
             count(*) filter (where at <= since) as past_all,
             max(k) as k
      from times, bounds
    )
    select case when recent_topic + past_topic = 0 then null
      else ((recent_topic + 1.0) / (recent_all + k)) / ((past_topic + 1.0) / (past_all + k)) end
    from counts
  )::float8`;
}

/** The most buckets a timeline returns: the latest ones. */
export const MAX_TIMELINE_BUCKETS = 1_000;

type Unit = 'day' | 'week' | 'month';

/** Articles per bucket from the first dated article's bucket to the last one's, empty buckets as 0. */
function timelineSql(table: { id: AnyPgColumn }, unit: Unit): SQL<{ start: string; count: number }[]> {
  const step = sql.raw(`'1 ${unit}'::interval`);
  const span = sql.raw(`'${MAX_TIMELINE_BUCKETS - 1} ${unit}'::interval`);
  return sql<{ start: string; count: number }[]>`(
    with buckets as (
      select date_trunc('${sql.raw(unit)}', at at time zone 'UTC') as bucket, count(*)::int as n
      from (${datedMembers(table.id)}) dated group by 1
    )
    select coalesce(json_agg(json_build_object('start', series.bucket, 'count', coalesce(buckets.n, 0)) order by series.bucket), '[]'::json)
    from (select min(bucket) as first, max(bucket) as last from buckets) bounds
    cross join lateral generate_series(greatest(bounds.first, bounds.last - ${span}), bounds.last, ${step}) as series(bucket)
    left join buckets on buckets.bucket = series.bucket
  )`;
}

/** Each unit's timeline, one function per unit (a query's shape repeats: db/plan-cache.ts). */
const TIMELINE_SQL: Record<Unit, (table: { id: AnyPgColumn }) => SQL<{ start: string; count: number }[]>> = {
  day: (table) => timelineSql(table, 'day'),
  week: (table) => timelineSql(table, 'week'),
  month: (table) => timelineSql(table, 'month'),
};

const Granularity = builder.enumType('TimelineGranularity', {
  description: 'Bucket size of a timeline.',
  values: {
    DAY: { description: 'One bucket per UTC day.' },
    WEEK: { description: 'One bucket per ISO week (from Monday).' },
    MONTH: { description: 'One bucket per calendar month (UTC).' },
  },
});

const TimelineBucket = builder.objectRef<{ start: string; count: number }>('TimelineBucket').implement({
  description: 'Number of articles published in one day, week or month.',
  fields: (t) => ({
    start: t.field({ type: 'DateTime', description: 'Start of the bucket (UTC).', resolve: (bucket) => `${bucket.start}Z` }),
    count: t.exposeInt('count', { description: 'Articles in the bucket (0 for a bucket without any).' }),
  }),
});

const TopicOrder = builder.enumType('TopicOrder', {
  description: 'How topics are sorted.',
  values: {
    SIZE: { description: 'Most articles first.' },
    NEWEST: { description: 'Most recent dated article first; topics without dated articles last.' },
    TRENDING: { description: 'Highest `trend` first; topics without dated articles last.' },
  },
});

/** The type of each topic order's key (then the id breaks ties). */
const TOPIC_ORDER_KEY = { SIZE: 'int', NEWEST: 'text', TRENDING: 'float' } as const;

const TopicStatus = builder.enumType('TopicStatus', {
  description: 'Whether a topic is in the current clustering run.',
  values: {
    ACTIVE: { description: 'The current clustering run found it.' },
    RETIRED: { description: 'It ended in an earlier run: see `successors` for where its articles went.' },
  },
});

interface TopicShareShape {
  topic: unknown;
  share: number;
  articles: number;
}

const TopicShare = builder.objectRef<TopicShareShape>('TopicShare');

/** A `topic_shares` row as seen from one side: `topic` is the other side's topic. */
const shareWith = (topic: unknown, row: { share: number; articles: number }): TopicShareShape => ({
  topic,
  share: row.share,
  articles: row.articles,
});

export const Topic = builder.drizzleNode('topics', {
  // Load only the columns the selected fields ask for (not every body and search vector).
  select: { columns: { id: true } },
  name: 'Topic',
  description:
    'A group of articles about one subject. A topic lives across clustering runs: its id and slug never change, ' +
    'each run that finds it gives it a new version (label, keywords, size), and a run in which it ends retires it.',
  id: { column: (topic) => topic.id },
  fields: (t) => ({
    label: t.exposeString('label', {
      description: 'Readable name of its latest version, as plain text (not HTML), e.g. "North Korea · Kim Jong-un".',
    }),
    slug: t.exposeString('slug', {
      description:
        'URL-friendly name, chosen when the topic was born and never changed (even when its label changes); unique among all topics.',
    }),
    keywords: t.field({
      type: [Keyword],
      description: 'The most distinctive terms and phrases of its latest version, strongest first.',
      select: { columns: { keywords: true } },
      resolve: (topic) => topic.keywords,
    }),
    size: t.exposeInt('size', { description: 'Number of articles in the topic in the current run.' }),
    status: t.field({
      type: TopicStatus,
      description: 'ACTIVE while the current clustering run has it; RETIRED once a run ended it.',
      select: { columns: { retiredRunId: true } },
      resolve: (topic) => (topic.retiredRunId === null ? 'ACTIVE' : 'RETIRED'),
    }),
    bornAt: t.expose('bornAt', { type: 'DateTime', description: 'When the run that found it first was written.' }),
    bornIn: t.relation('bornIn', { description: 'The clustering run that found it first.' }),
    retiredAt: t.expose('retiredAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When a run ended it; null while active.',
    }),
    run: t.relation('latestRun', {
      description: 'The latest clustering run that found the topic: the current run while it is active.',
    }),
    successors: t.field({
      type: [TopicShare],
      description:
        'For a retired topic, the topics its articles went to in the run that retired it, largest share first; empty while active.',
      select: (_args, _ctx, nestedSelection) => ({
        with: { successors: { orderBy: { share: 'desc', toTopicId: 'asc' }, with: { toTopic: nestedSelection({}, ['topic']) } } },
      }),
      resolve: (topic) => topic.successors.map((row) => shareWith(row.toTopic, row)),
    }),
    history: t.relatedConnection('changes', {
      description: 'What each clustering run did to the topic, oldest first: one change per run from its birth to its end.',
      extensions: { cursorKeys: ['int', 'int'] satisfies CursorKeys },
      query: { orderBy: { runId: 'asc' } },
      totalCount: true,
    }),
    latestArticleAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When its most recent dated article was published; null when none of its articles has a date.',
      select: { extras: { latest: (table) => latestArticleSql(table) } },
      resolve: (topic) => topic.latest || null,
    }),
    trend: t.float({
      nullable: true,
      description:
        `How much more of the recent news this topic holds than it used to: its share of the dated articles of the last ${TREND_WINDOW_DAYS} days ` +
        '(up to the newest one) divided by its share before them. Above 1: rising; below 1: fading. Null when none of its articles has a date.',
      select: { extras: { trend: (table) => trendSql(table) } },
      resolve: (topic) => topic.trend,
    }),
    timeline: t.field({
      type: [TimelineBucket],
      description:
        `Number of its dated articles per day, week or month, oldest first, from the first bucket with an article to the last ` +
        `(buckets without one count 0; at most the latest ${MAX_TIMELINE_BUCKETS}). Undated articles are left out.`,
      args: { granularity: t.arg({ type: Granularity, defaultValue: 'DAY', description: 'Bucket size.' }) },
      select: (args) => {
        const unit = (args.granularity ?? 'DAY').toLowerCase() as Unit;
        return { extras: { timeline: TIMELINE_SQL[unit] } };
      },
      resolve: (topic) => topic.timeline,
    }),
    relatedTopics: t.relation('relations', {
      description: 'Other topics of the current run, most related first (empty for a retired topic).',
      query: { where: { RAW: inCurrentRun }, orderBy: { score: 'desc', relatedTopicId: 'asc' } },
    }),
  }),
});

TopicShare.implement({
  description: 'Articles two topics share across one clustering run: the earlier topic’s articles that went into the later one.',
  fields: (t) => ({
    topic: t.field({
      type: Topic,
      description: 'The other topic.',
      resolve: (share) => share.topic as typeof Topic.$inferType,
    }),
    share: t.exposeFloat('share', {
      description: 'The shared articles as a share (0 to 1) of the earlier topic’s articles that the run clustered.',
    }),
    articles: t.exposeInt('articles', { description: 'Number of articles the two topics share.' }),
  }),
});

const TopicChangeKind = builder.enumType('TopicChangeKind', {
  description: 'What a clustering run did to a topic (the transitions of MONIC, Spiliopoulou et al. 2006).',
  values: {
    BORN: { value: 'born', description: 'A new topic: it carries on no earlier topic.' },
    CONTINUED: {
      value: 'continued',
      description: 'One earlier topic carries on in one cluster (it kept at least 70% of its articles).',
    },
    MERGED: {
      value: 'merged',
      description:
        'Several earlier topics were absorbed into one cluster, which keeps the id of the largest; the others end here (`ended`).',
    },
    SPLIT: {
      value: 'split',
      description:
        'An earlier topic divided into several clusters; the largest part keeps its id, the other parts are new topics.',
    },
    RETIRED: { value: 'retired', description: 'The topic carries on in no cluster: it ends here.' },
  },
});

export const TopicChange = builder.drizzleObject('topicChanges', {
  select: {},
  name: 'TopicChange',
  description: 'What one clustering run did to one topic, with the topic’s version in that run.',
  fields: (t) => ({
    kind: t.expose('kind', { type: TopicChangeKind, description: 'The kind of transition.' }),
    topic: t.relation('topic', { description: 'The topic.' }),
    run: t.relation('run', { description: 'The clustering run.' }),
    ended: t.boolean({
      description: 'True when the topic ended in this run (RETIRED, or MERGED into another topic).',
      select: { columns: { found: true } },
      resolve: (change) => !change.found,
    }),
    label: t.exposeString('label', {
      description: 'The topic’s label in this run (its last one, when it ended), as plain text (not HTML).',
    }),
    keywords: t.field({
      type: [Keyword],
      description: 'The topic’s keywords in this run.',
      select: { columns: { keywords: true } },
      resolve: (change) => change.keywords,
    }),
    size: t.exposeInt('size', { description: 'Its articles when the run was written (0 when it ended).' }),
    from: t.field({
      type: [TopicShare],
      description: 'The topics of the run before whose articles it took, largest share first (empty for an ended topic).',
      select: (_args, _ctx, nestedSelection) => ({
        with: {
          sources: { orderBy: { share: 'desc', fromTopicId: 'asc' }, with: { fromTopic: nestedSelection({}, ['topic']) } },
        },
      }),
      resolve: (change) => change.sources.map((row) => shareWith(row.fromTopic, row)),
    }),
    to: t.field({
      type: [TopicShare],
      description: 'Where its articles of the run before went, largest share first (empty for a new topic).',
      select: (_args, _ctx, nestedSelection) => ({
        with: { targets: { orderBy: { share: 'desc', toTopicId: 'asc' }, with: { toTopic: nestedSelection({}, ['topic']) } } },
      }),
      resolve: (change) => change.targets.map((row) => shareWith(row.toTopic, row)),
    }),
  }),
});

builder.drizzleObject('topicRelations', {
  select: {},
  name: 'RelatedTopic',
  description: 'Another topic related to this one.',
  fields: (t) => ({
    topic: t.relation('related', { description: 'The related topic.' }),
    score: t.exposeFloat('score', { description: 'Cosine similarity of the two topics’ centres.' }),
  }),
});

const TopicArticleOrder = builder.enumType('TopicArticleOrder', {
  description: 'How a topic’s articles are sorted.',
  values: {
    RELEVANCE: { description: 'Best fit first (highest membership score).' },
    NEWEST: { description: 'Most recently published first; undated articles last, most recently stored first.' },
  },
});

/** The keys of a feed order's cursors: its key, then the membership's primary key (article, run, topic) breaks ties. */
const FEED_CURSOR_KEYS: Record<FeedOrder, readonly CursorKey[]> = {
  RELEVANCE: ['float', 'int', 'int', 'int'],
  NEWEST: ['text', 'int', 'int', 'int'],
};

/** The connection of a feed page's rows, with plugin-drizzle's paging semantics (limit: the page size and one more). */
function feedConnection(
  rows: FeedPageRow[],
  args: { first?: number | null; last?: number | null; after?: unknown; before?: unknown },
  limit: number,
  order: FeedOrder,
) {
  const backward = args.first == null && args.last != null;
  const full = rows.length === limit;
  const page = full ? rows.slice(0, -1) : rows;
  const edges = page.map((row) => ({
    cursor: feedCursor(row.runId, feedCursorValues(row, order)),
    node: { ...row.article, source: row.source },
    score: row.score,
    weak: row.weak,
  }));
  if (backward) edges.reverse();
  return {
    edges,
    pageInfo: {
      hasNextPage: args.before ? true : args.last != null ? false : full,
      hasPreviousPage: args.after ? true : backward ? full : false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** The feed's arguments as the helper gets them: with the run the page reads (feed-cursors.ts). */
type FeedQueryArgs = { orderBy?: FeedOrder | null; feedRunId?: number | null };

/** plugin-drizzle's own cursors in place of ours, for the topic's query. */
function pluginDrizzleArgs<Args extends { after?: string | null; before?: string | null }>(
  args: Args,
  position: FeedPosition,
): Args {
  return { ...args, after: position.after?.cursor ?? args.after, before: position.before?.cursor ?? args.before };
}

type PageArgs = { first?: number | null; last?: number | null; after?: string | null; before?: string | null };

/** A page read by the feed's statement (db/topic-feed.ts), batched with the request's other pages of its shape. */
async function feedStatementPage(topicId: number, args: PageArgs, position: FeedPosition, order: FeedOrder, ctx: GraphQLContext) {
  if (args.first != null && args.last != null) {
    throw new GraphQLError('Arguments "first" and "last" are not supported at the same time', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  const { limit } = getConnectionPageSize({ args, maxSize: MAX_PAGE_SIZE });
  const rows = await feedPageLoader(ctx).load({
    topicId,
    shape: {
      order,
      cursorRunId: position.runId,
      after: position.after?.values,
      before: position.before?.values,
      limit,
      backward: args.first == null && args.last != null,
    },
  });
  return feedConnection(rows, args, limit, order);
}

/** A page loaded with the topic's own query: when its nodes ask for more than the feed's statement reads (feedStatementServes). */
const topicArticles = drizzleConnectionHelpers(builder, 'articleTopics', {
  query: (args) => {
    const { orderBy, feedRunId = null } = args as FeedQueryArgs;
    // Without a cursor, the schema's own filter function: the same one on every request, so
    // that the query's shape repeats (db/plan-cache.ts).
    const where = {
      RAW:
        feedRunId === null
          ? inCurrentRun
          : (membership: { runId: AnyPgColumn }) => sql`${membership.runId} = ${feedRunIdSql(feedRunId)}`,
    };
    // NEWEST reads the article's key stored on the membership (article_topics_newest_idx), so a
    // page is the next rows of an index rather than every member looked up and sorted.
    return orderBy === 'NEWEST'
      ? { where, orderBy: { publishedSort: 'desc', articleId: 'desc' } as const }
      : { where, orderBy: { score: 'desc', articleId: 'asc' } as const };
  },
  select: (nestedSelection) => ({
    columns: { runId: true, score: true, weak: true },
    with: { article: nestedSelection() },
  }),
  resolveNode: (membership) => membership.article,
});

/** A selection plugin-drizzle plans for a row: its columns, relations and computed extras. */
interface PlannedSelection {
  columns?: Record<string, unknown>;
  with?: Record<string, PlannedSelection | boolean>;
  extras?: object;
}

/** Whether a planned row needs only some of these columns (no computed extra; relations are the caller's). */
const readsOnly = (
  selection: PlannedSelection | boolean | undefined,
  columns: Readonly<Record<string, unknown>>,
): selection is PlannedSelection =>
  typeof selection === 'object' &&
  Object.keys(selection.extras ?? {}).length === 0 &&
  Object.keys(selection.columns ?? {}).every((column) => column in columns);

/**
 * Whether a page's nodes ask only for what the feed's statement reads: the article's own columns
 * but the body (its title, url and dates) and its source's. Then the page is that statement's.
 * Anything more (the body or an excerpt, the article's topics, related articles) is loaded with
 * the topic's query, which builds the nested selection.
 */
function feedStatementServes(nodes: PlannedSelection | undefined): boolean {
  const relations = Object.entries(nodes?.with ?? {});
  return (
    readsOnly(nodes, FEED_ARTICLE_COLUMNS) &&
    relations.every(
      ([name, selection]) =>
        name === 'source' && readsOnly(selection, FEED_SOURCE_COLUMNS) && Object.keys(selection.with ?? {}).length === 0,
    )
  );
}

builder.drizzleObjectField(Topic, 'articles', (t) =>
  t.connection(
    {
      type: Article,
      description:
        'The topic’s articles in the current run, best fit first; each edge carries the membership score. A cursor taken ' +
        'before a clustering run pages on through the feed of the run it was taken in (kept for an hour at least), so no ' +
        'article repeats; a retired topic has no articles unless some were kept from before a clustering window.',
      args: { orderBy: t.arg({ type: TopicArticleOrder, defaultValue: 'RELEVANCE', description: 'Sort order.' }) },
      // readFeedPosition checks the cursors, inside their wrapping.
      extensions: { cursorKeys: 'feed' },
      select: (args, ctx, nestedSelection) => {
        const position = readFeedPosition(args, FEED_CURSOR_KEYS[args.orderBy ?? 'RELEVANCE']);
        // The nodes' selection, as the helper's own select asks for it.
        const nodes = nestedSelection(undefined, ['edges', 'node']) as PlannedSelection;
        const feedArgs: typeof args & FeedQueryArgs = { ...pluginDrizzleArgs(args, position), feedRunId: position.runId };
        return {
          columns: { size: true },
          ...(feedStatementServes(nodes)
            ? {}
            : { with: { memberships: topicArticles.getQuery(feedArgs, ctx, nestedSelection) } }),
        };
      },
      // Read by the feed's own statement (db/topic-feed.ts), one per request for all its topics'
      // pages of one shape, unless the topic's query loaded the page (see select).
      resolve: async (topic, args, ctx) => {
        const order = args.orderBy ?? 'RELEVANCE';
        const position = readFeedPosition(args, FEED_CURSOR_KEYS[order]);
        // Asked for only when selected: the stored size, unless the page reads an older run's feed.
        const totalCount = async () =>
          position.runId === null ? topic.size : ((await olderFeedSize(ctx.db, topic.id, position.runId)) ?? topic.size);
        const { memberships } = topic as { memberships?: Parameters<typeof topicArticles.resolve>[0] };
        if (memberships) {
          const connection = topicArticles.resolve(memberships, pluginDrizzleArgs(args, position), ctx);
          return { ...wrapFeedCursors(connection, memberships[0]?.runId), totalCount };
        }
        return { ...(await feedStatementPage(topic.id, args, position, order, ctx)), totalCount };
      },
    },
    {
      fields: (connection) => ({
        totalCount: connection.int({
          description: 'Number of articles in the topic (in the run the page reads).',
          resolve: (result) => (result as unknown as { totalCount: () => Promise<number> }).totalCount(),
        }),
      }),
    },
    {
      fields: (edge) => ({
        score: edge.float({
          description: 'Cosine similarity of the article to the topic’s centre.',
          resolve: (membership) => (membership as unknown as { score: number }).score,
        }),
        weak: edge.boolean({
          description: 'True when the article fits the topic poorly.',
          resolve: (membership) => (membership as unknown as { weak: boolean }).weak,
        }),
      }),
    },
  ),
);

/** TRENDING's key: topics without a trend (null) last. */
const trendOrderSql = (table: { id: AnyPgColumn }) => sql<number>`coalesce(${trendSql(table)}, 0)`;

const activeTopic = (table: { retiredRunId: AnyPgColumn }) => sql`${table.retiredRunId} is null`;
const retiredTopic = (table: { retiredRunId: AnyPgColumn }) => sql`${table.retiredRunId} is not null`;

builder.queryFields((t) => ({
  topic: t.drizzleField({
    type: Topic,
    nullable: true,
    description: 'One topic, by id or by slug: any topic that ever existed (a retired one has status RETIRED and successors).',
    args: {
      id: t.arg.globalID({ for: [Topic] }),
      slug: t.arg.string(),
    },
    resolve: (query, _root, args, ctx) => {
      if (args.id) return ctx.db.query.topics.findFirst(query({ where: { id: databaseId(args.id, 'Topic', 'id') } }));
      if (args.slug) return ctx.db.query.topics.findFirst(query({ where: { slug: args.slug } }));
      return null;
    },
  }),
  topics: t.drizzleConnection({
    type: 'topics',
    description: 'The topics of the current clustering run (or the retired ones), largest first unless asked otherwise.',
    extensions: {
      cursorKeys: ((args) => [
        TOPIC_ORDER_KEY[args.orderBy as keyof typeof TOPIC_ORDER_KEY] ?? 'int',
        'int',
      ]) satisfies CursorKeys,
    },
    args: {
      orderBy: t.arg({ type: TopicOrder, defaultValue: 'SIZE', description: 'Sort order.' }),
      status: t.arg({
        type: TopicStatus,
        defaultValue: 'ACTIVE',
        description: 'ACTIVE: the current run’s topics; RETIRED: those that ended.',
      }),
    },
    totalCount: (_root, args, ctx) => ctx.db.$count(topics, (args.status === 'RETIRED' ? retiredTopic : activeTopic)(topics)),
    resolve: (query, _root, args, ctx) =>
      ctx.db.query.topics.findMany(
        query({
          where: { RAW: args.status === 'RETIRED' ? retiredTopic : activeTopic },
          // Only the order's own key: each is a subquery per topic. NEWEST shares the
          // latestArticleAt field's extra; TRENDING sorts topics without a trend (null) last.
          ...(args.orderBy === 'NEWEST'
            ? { extras: { latest: latestArticleSql }, orderBy: { latest: 'desc' } as const }
            : args.orderBy === 'TRENDING'
              ? { extras: { trendOrder: trendOrderSql }, orderBy: { trendOrder: 'desc' } as const }
              : { orderBy: { size: 'desc' } as const }),
        }),
      ),
  }),
}));
