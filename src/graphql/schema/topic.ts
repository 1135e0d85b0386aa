import { drizzleConnectionHelpers } from '@pothos/plugin-drizzle';
import { type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { topics } from '../../db/schema.js';
import { builder } from '../builder.js';
import { Article } from './article.js';
import { inCurrentRun } from '../../db/current-run.js';
import { utcMicrosecondText } from './article-filter.js';

const Keyword = builder.objectRef<{ term: string; weight: number }>('Keyword').implement({
  description: 'A term or phrase that characterises a topic.',
  fields: (t) => ({
    term: t.exposeString('term', { description: 'The term or phrase as it reads in the articles.' }),
    weight: t.exposeFloat('weight', { description: 'How distinctive the term is for the topic (higher is more).' }),
  }),
});

/** Days that count as "recent" for trending. */
const TREND_WINDOW_DAYS = 7;

const articleSortTime = utcMicrosecondText(sql.raw('coalesce(a.published_at, a.created_at)'));

/** The newest article's time in a topic, as fixed-width UTC text (sortable, exact in cursors). */
function latestArticleSql(table: { id: AnyPgColumn }): SQL<string> {
  return sql<string>`(select coalesce(max(${articleSortTime}), '') from article_topics m join articles a on a.id = m.article_id where m.topic_id = ${table.id})`;
}

/**
 * Share of the recent articles (the window before the run's newest article) in this topic,
 * divided by its share of the older ones; add-one smoothing keeps small topics from jumping.
 */
function trendSql(table: { id: AnyPgColumn; runId: AnyPgColumn }): SQL<number> {
  return sql<number>`(
    with times as (
      select m.topic_id, coalesce(a.published_at, a.created_at) as at
      from article_topics m join articles a on a.id = m.article_id where m.run_id = ${table.runId}
    ), bounds as (select max(at) - interval '${sql.raw(String(TREND_WINDOW_DAYS))} days' as since, (select count(*) from topics where run_id = ${table.runId}) as k from times),
    counts as (
      select count(*) filter (where at > since and topic_id = ${table.id}) as recent_topic,
             count(*) filter (where at > since) as recent_all,
             count(*) filter (where at <= since and topic_id = ${table.id}) as past_topic,
             count(*) filter (where at <= since) as past_all,
             max(k) as k
      from times, bounds
    )
    select ((recent_topic + 1.0) / (recent_all + k)) / ((past_topic + 1.0) / (past_all + k)) from counts
  )::float8`;
}

function timelineSql(table: { id: AnyPgColumn }, unit: 'day' | 'week'): SQL<{ start: string; count: number }[]> {
  return sql<{ start: string; count: number }[]>`(
    select coalesce(json_agg(json_build_object('start', bucket, 'count', n) order by bucket), '[]'::json) from (
      select date_trunc(${unit}, coalesce(a.published_at, a.created_at) at time zone 'UTC') as bucket, count(*)::int as n
      from article_topics m join articles a on a.id = m.article_id
      where m.topic_id = ${table.id} group by 1
    ) buckets
  )`;
}

const Granularity = builder.enumType('TimelineGranularity', {
  description: 'Bucket size of a timeline.',
  values: { DAY: { description: 'One bucket per UTC day.' }, WEEK: { description: 'One bucket per ISO week (from Monday).' } },
});

const TimelineBucket = builder.objectRef<{ start: string; count: number }>('TimelineBucket').implement({
  description: 'Number of articles published in one day or week.',
  fields: (t) => ({
    start: t.field({ type: 'DateTime', description: 'Start of the bucket (UTC).', resolve: (bucket) => `${bucket.start}Z` }),
    count: t.exposeInt('count', { description: 'Articles in the bucket.' }),
  }),
});

const TopicOrder = builder.enumType('TopicOrder', {
  description: 'How topics are sorted.',
  values: {
    SIZE: { description: 'Most articles first.' },
    NEWEST: { description: 'Most recent article first.' },
    TRENDING: { description: 'Highest `trend` first: topics whose share of recent articles rose most.' },
  },
});

export const Topic = builder.drizzleNode('topics', {
  // Load only the columns the selected fields ask for (not every body and search vector).
  select: { columns: { id: true } },
  name: 'Topic',
  description: 'A group of articles about one subject, found by a clustering run.',
  id: { column: (topic) => topic.id },
  fields: (t) => ({
    label: t.exposeString('label', { description: 'Readable name, e.g. "North Korea · Kim Jong-un".' }),
    slug: t.exposeString('slug', { description: 'URL-friendly name, unique within the clustering run.' }),
    keywords: t.field({
      type: [Keyword],
      description: 'The topic’s most distinctive terms and phrases, strongest first.',
      select: { columns: { keywords: true } },
      resolve: (topic) => topic.keywords,
    }),
    size: t.exposeInt('size', { description: 'Number of articles in the topic.' }),
    latestArticleAt: t.field({
      type: 'DateTime',
      description: 'When the topic’s most recent article was published (or stored, when undated).',
      select: { extras: { latest: (table) => latestArticleSql(table) } },
      resolve: (topic) => topic.latest,
    }),
    trend: t.float({
      description:
        `How much more of the recent news this topic holds than it used to: its share of the articles of the last ${TREND_WINDOW_DAYS} days ` +
        '(up to the newest article) divided by its share before them. Above 1: rising; below 1: fading.',
      select: { extras: { trend: (table) => trendSql(table) } },
      resolve: (topic) => topic.trend,
    }),
    timeline: t.field({
      type: [TimelineBucket],
      description: 'Number of the topic’s articles per day or week, oldest first, over the days that have any.',
      args: { granularity: t.arg({ type: Granularity, defaultValue: 'DAY', description: 'Bucket size.' }) },
      select: (args) => ({
        extras: {
          timelineDay: (table) => timelineSql(table, 'day'),
          timelineWeek: (table) => timelineSql(table, 'week'),
        },
      }),
      resolve: (topic, args) => (args.granularity === 'WEEK' ? topic.timelineWeek : topic.timelineDay),
    }),
    run: t.relation('run', { description: 'The clustering run that found the topic.' }),
    relatedTopics: t.relation('relations', {
      description: 'Other topics of the same run, most related first.',
      query: { orderBy: { score: 'desc' } },
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

builder.drizzleObjectField(Article, 'primaryTopic', (t) =>
  t.field({
    type: Topic,
    nullable: true,
    description: 'The topic of the current clustering run this article fits best.',
    select: (_args, _ctx, nestedSelection) => ({
      with: {
        memberships: {
          where: { RAW: (table) => inCurrentRun(table) },
          orderBy: { score: 'desc' },
          with: { topic: nestedSelection() },
        },
      },
    }),
    resolve: (article) => article.memberships[0]?.topic ?? null,
  }),
);

const TopicArticleOrder = builder.enumType('TopicArticleOrder', {
  description: 'How a topic’s articles are sorted.',
  values: {
    RELEVANCE: { description: 'Best fit first (highest membership score).' },
    NEWEST: { description: 'Most recently published first.' },
  },
});

const topicArticlesArgs = builder.args((t) => ({
  orderBy: t.field({ type: TopicArticleOrder, defaultValue: 'RELEVANCE', description: 'Sort order.' }),
}));

const topicArticles = drizzleConnectionHelpers(builder, 'articleTopics', {
  args: () => topicArticlesArgs,
  query: (args) =>
    args.orderBy === 'NEWEST'
      ? {
          extras: {
            sortTime: (membership) =>
              sql<string>`(select ${articleSortTime} from articles a where a.id = ${membership.articleId})`,
          },
          orderBy: { sortTime: 'desc', articleId: 'desc' },
        }
      : { orderBy: { score: 'desc', articleId: 'asc' } },
  select: (nestedSelection) => ({
    columns: { score: true, weak: true },
    with: { article: nestedSelection() },
  }),
  resolveNode: (membership) => membership.article,
});

builder.drizzleObjectField(Topic, 'articles', (t) =>
  t.connection(
    {
      type: Article,
      description: 'The topic’s articles, best fit first; each edge carries the membership score.',
      args: topicArticles.getArgs(),
      select: (args, ctx, nestedSelection) => ({
        columns: { size: true },
        with: { memberships: topicArticles.getQuery(args, ctx, nestedSelection) },
      }),
      resolve: (topic, args, ctx) => ({
        ...topicArticles.resolve(topic.memberships, args, ctx),
        totalCount: topic.size,
      }),
    },
    {
      fields: (connection) => ({
        totalCount: connection.int({
          description: 'Number of articles in the topic.',
          resolve: (result) => (result as unknown as { totalCount: number }).totalCount,
        }),
      }),
    },
    {
      fields: (edge) => ({
        score: edge.float({
          description: 'Cosine similarity of the article to the topic’s centre.',
          resolve: (membership) => membership.score,
        }),
        weak: edge.boolean({
          description: 'True when the article fits the topic poorly.',
          resolve: (membership) => membership.weak,
        }),
      }),
    },
  ),
);

builder.queryFields((t) => ({
  topic: t.drizzleField({
    type: Topic,
    nullable: true,
    description: 'One topic, by id (any run) or by slug (current run).',
    args: {
      id: t.arg.globalID({ for: [Topic] }),
      slug: t.arg.string(),
    },
    resolve: (query, _root, args, ctx) => {
      if (args.id) return ctx.db.query.topics.findFirst(query({ where: { id: Number(args.id.id) } }));
      if (args.slug) {
        return ctx.db.query.topics.findFirst(
          query({ where: { slug: args.slug, RAW: (table) => inCurrentRun(table) } }),
        );
      }
      return null;
    },
  }),
  topics: t.drizzleConnection({
    type: 'topics',
    description: 'The topics of the current clustering run, largest first unless asked otherwise.',
    args: { orderBy: t.arg({ type: TopicOrder, defaultValue: 'SIZE', description: 'Sort order.' }) },
    totalCount: (_root, _args, ctx) =>
      ctx.db.$count(topics, inCurrentRun(topics)),
    resolve: (query, _root, args, ctx) =>
      ctx.db.query.topics.findMany(
        query({
          where: { RAW: (table) => inCurrentRun(table) },
          extras: { latest: (table) => latestArticleSql(table), trend: (table) => trendSql(table) },
          orderBy:
            args.orderBy === 'NEWEST' ? { latest: 'desc' } : args.orderBy === 'TRENDING' ? { trend: 'desc' } : { size: 'desc' },
        }),
      ),
  }),
}));
