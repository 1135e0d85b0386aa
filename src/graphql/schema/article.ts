import { articles } from '../../db/schema.js';
import { builder } from '../builder.js';
import { inCurrentRun } from './current-run.js';

export const Article = builder.drizzleNode('articles', {
  name: 'Article',
  description: 'A news article.',
  id: { column: (article) => article.id },
  fields: (t) => ({
    externalId: t.exposeString('externalId', {
      nullable: true,
      description: 'The id the article had where it came from (e.g. a corpus line’s `id`).',
    }),
    title: t.exposeString('title', { description: 'Headline.' }),
    body: t.exposeString('body', { description: 'Full text; paragraphs are separated by a blank line.' }),
    url: t.exposeString('url', { nullable: true, description: 'Where the article was published, when known.' }),
    publishedAt: t.expose('publishedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the article was published, when known.',
    }),
    source: t.relation('source', { nullable: true, description: 'Publisher, when known.' }),
    topics: t.relation('memberships', {
      description: 'The topics of the current clustering run this article belongs to, best fit first.',
      query: { where: { RAW: (table) => inCurrentRun(table) }, orderBy: { score: 'desc' } },
    }),
  }),
});

export const ArticleTopic = builder.drizzleObject('articleTopics', {
  name: 'ArticleTopic',
  description: 'An article’s membership of a topic.',
  fields: (t) => ({
    topic: t.relation('topic', { description: 'The topic.' }),
    score: t.exposeFloat('score', {
      description: 'Cosine similarity of the article to the topic’s centre, from -1 to 1; higher fits better.',
    }),
    weak: t.exposeBoolean('weak', { description: 'True when the article fits the topic poorly.' }),
  }),
});

const RelatedArticleKind = builder.enumType('RelatedArticleKind', {
  description: 'Why two articles are related.',
  values: {
    SIMILAR: { description: 'Their texts are similar (computed by the current clustering run).' },
    EDITORIAL: { description: 'An editor linked them (the "Related Articles" of a page).' },
  },
});

interface RelatedArticleShape {
  kind: 'SIMILAR' | 'EDITORIAL';
  score: number | null;
  article: unknown;
}

const RelatedArticle = builder.objectRef<RelatedArticleShape>('RelatedArticle').implement({
  description: 'Another article related to this one.',
  fields: (t) => ({
    kind: t.field({ type: RelatedArticleKind, resolve: (related) => related.kind }),
    score: t.float({
      nullable: true,
      description: 'Text similarity from 0 to 1 for SIMILAR; null for EDITORIAL links.',
      resolve: (related) => related.score,
    }),
    article: t.field({
      type: Article,
      description: 'The related article.',
      resolve: (related) => related.article as typeof Article.$inferType,
    }),
  }),
});

builder.drizzleObjectField(Article, 'relatedArticles', (t) =>
  t.field({
    type: [RelatedArticle],
    description: 'Articles an editor linked to this one, then the most similar articles, most similar first.',
    select: (_args, _ctx, nestedSelection) => ({
      with: {
        editorialLinks: {
          orderBy: { position: 'asc' },
          with: { target: nestedSelection({}, ['article']) },
        },
        similarities: {
          where: { RAW: (table) => inCurrentRun(table) },
          orderBy: { score: 'desc' },
          with: { similar: nestedSelection({}, ['article']) },
        },
      },
    }),
    resolve: (article) => {
      const editorial = article.editorialLinks.map((link) => ({
        kind: 'EDITORIAL' as const,
        score: null,
        article: link.target,
      }));
      const linked = new Set(article.editorialLinks.map((link) => link.toArticleId));
      const similar = article.similarities
        .filter((similarity) => !linked.has(similarity.similarArticleId))
        .map((similarity) => ({ kind: 'SIMILAR' as const, score: similarity.score, article: similarity.similar }));
      return [...editorial, ...similar];
    },
  }),
);

builder.queryFields((t) => ({
  article: t.drizzleField({
    type: Article,
    nullable: true,
    description: 'One article by its id.',
    args: { id: t.arg.globalID({ required: true, for: [Article] }) },
    resolve: (query, _root, args, ctx) =>
      ctx.db.query.articles.findFirst(query({ where: { id: Number(args.id.id) } })),
  }),
  articles: t.drizzleConnection({
    type: 'articles',
    description: 'Every article, most recently stored first.',
    totalCount: (_root, _args, ctx) => ctx.db.$count(articles),
    resolve: (query, _root, _args, ctx) => ctx.db.query.articles.findMany(query({ orderBy: { id: 'desc' } })),
  }),
}));
