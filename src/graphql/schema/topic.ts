import { drizzleConnectionHelpers } from '@pothos/plugin-drizzle';
import { sql } from 'drizzle-orm';
import { topics } from '../../db/schema.js';
import { builder } from '../builder.js';
import { Article } from './article.js';
import { inCurrentRun } from './current-run.js';

const Keyword = builder.objectRef<{ term: string; weight: number }>('Keyword').implement({
  description: 'A term or phrase that characterises a topic.',
  fields: (t) => ({
    term: t.exposeString('term', { description: 'The term or phrase as it reads in the articles.' }),
    weight: t.exposeFloat('weight', { description: 'How distinctive the term is for the topic (higher is more).' }),
  }),
});

export const Topic = builder.drizzleNode('topics', {
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
    run: t.relation('run', { description: 'The clustering run that found the topic.' }),
    relatedTopics: t.relation('relations', {
      description: 'Other topics of the same run, most related first.',
      query: { orderBy: { score: 'desc' } },
    }),
  }),
});

builder.drizzleObject('topicRelations', {
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

const topicArticles = drizzleConnectionHelpers(builder, 'articleTopics', {
  query: () => ({ orderBy: { score: 'desc', articleId: 'asc' } }),
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
    description: 'The topics of the current clustering run, largest first.',
    totalCount: (_root, _args, ctx) =>
      ctx.db.$count(topics, sql`${topics.runId} = (select id from clustering_runs where is_current)`),
    resolve: (query, _root, _args, ctx) =>
      ctx.db.query.topics.findMany(query({ where: { RAW: (table) => inCurrentRun(table) }, orderBy: { size: 'desc' } })),
  }),
}));
