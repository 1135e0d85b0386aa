import { type SQL, sql } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import { inCurrentRun } from '../../db/current-run.js';
import { articles } from '../../db/schema.js';
import { builder } from '../builder.js';
import type { CursorKeys } from '../cursors.js';
import { databaseId } from '../ids.js';
import {
  type ArticleFilterValues,
  articleFilterSql,
  highlightedSnippet,
  publishedSortKey,
  searchRankSql,
  searchSnippetSql,
} from './article-filter.js';
// topic.ts imports this file too: the two types refer to each other, only inside field
// definitions, which run when the schema is built.
import { Topic } from './topic.js';

export const Article = builder.drizzleNode('articles', {
  // Load only the columns the selected fields ask for (not every body and search vector).
  select: { columns: { id: true } },
  name: 'Article',
  description: 'A news article.',
  id: { column: (article) => article.id },
  fields: (t) => ({
    externalId: t.exposeString('externalId', {
      nullable: true,
      description: 'The id the article had where it came from (e.g. a corpus line’s `id`).',
    }),
    title: t.exposeString('title', { description: 'Headline, as plain text (not HTML).' }),
    body: t.exposeString('body', {
      description: 'Full text, as plain text (not HTML); paragraphs are separated by a blank line.',
    }),
    url: t.exposeString('url', { nullable: true, description: 'Where the article was published, when known.' }),
    publishedAt: t.expose('publishedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the article was published, when known.',
    }),
    storedAt: t.expose('createdAt', {
      type: 'DateTime',
      description: 'When the article was stored here (imported): never a publication date, but always known.',
    }),
    source: t.relation('source', { nullable: true, description: 'Publisher, when known.' }),
    excerpt: t.string({
      description: 'The start of the body, as plain text (not HTML), cut at a word boundary, with "…" when cut.',
      args: { length: t.arg.int({ defaultValue: 280, description: 'Maximum length in characters (20 to 2000).' }) },
      select: { columns: { body: true } },
      resolve: (article, args) => {
        const length = args.length ?? 280;
        if (length < 20 || length > 2_000) {
          throw new GraphQLError('excerpt length must be from 20 to 2000', { extensions: { code: 'BAD_USER_INPUT' } });
        }
        return excerpt(article.body, length);
      },
    }),
    topics: t.relation('memberships', {
      description: 'The topics of the current clustering run this article belongs to, best fit first.',
      query: { where: { RAW: inCurrentRun }, orderBy: { score: 'desc', topicId: 'asc' } },
    }),
  }),
});

const MembershipOrigin = builder.enumType('MembershipOrigin', {
  description: 'How an article came to be in a topic of the current run.',
  values: {
    CLUSTERED: { value: 'clustered', description: 'The clustering run put it there.' },
    PLACED: { value: 'placed', description: 'Imported after the run; the run’s model placed it (the next run decides again).' },
    CARRIED: { value: 'carried', description: 'Older than the run’s clustering window: it kept the topic it had before.' },
  },
});

export const ArticleTopic = builder.drizzleObject('articleTopics', {
  select: {},
  name: 'ArticleTopic',
  description: 'An article’s membership of a topic.',
  fields: (t) => ({
    topic: t.relation('topic', { description: 'The topic.' }),
    score: t.exposeFloat('score', {
      description: 'Cosine similarity of the article to the topic’s centre, from -1 to 1; higher fits better.',
    }),
    weak: t.exposeBoolean('weak', { description: 'True when the article fits the topic poorly.' }),
    origin: t.expose('origin', { type: MembershipOrigin, description: 'How the article came to be in the topic.' }),
    matchedTerms: t.stringList({
      description: 'The topic’s keywords that occur in the article (plain text): why it is in the topic.',
      select: {
        with: { topic: { columns: { keywords: true } }, article: { columns: { title: true, body: true } } },
      },
      resolve: (membership) => {
        const text = `${membership.article.title}\n${membership.article.body}`;
        return membership.topic.keywords.filter((keyword) => containsWords(text, keyword.term)).map((keyword) => keyword.term);
      },
    }),
  }),
});

/** Whether the text contains the term as whole words ("oil" is not in "turmoil"), in any case. */
function containsWords(text: string, term: string): boolean {
  const words = term.split(/\s+/).map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(?<![\\p{L}\\p{N}])${words.join('\\s+')}(?![\\p{L}\\p{N}])`, 'iu').test(text);
}

/** The start of a text, cut at a word boundary. */
export function excerpt(text: string, length: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= length) return flat;
  const cut = flat.slice(0, length - 1);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > length / 2 ? cut.slice(0, lastSpace) : cut).replace(/[\s,.;:–-]+$/, '')}…`;
}

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
    kind: t.field({ type: RelatedArticleKind, description: 'Why they are related.', resolve: (related) => related.kind }),
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
          where: { RAW: inCurrentRun },
          // Equal scores in the order of the similar article's id, so that every answer is the same.
          orderBy: { score: 'desc', similarArticleId: 'asc' },
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

builder.drizzleObjectField(Article, 'primaryTopic', (t) =>
  t.field({
    type: Topic,
    nullable: true,
    description: 'The topic of the current clustering run this article fits best.',
    select: (_args, _ctx, nestedSelection) => ({
      with: {
        memberships: {
          where: { RAW: inCurrentRun },
          orderBy: { score: 'desc', topicId: 'asc' },
          with: { topic: nestedSelection() },
        },
      },
    }),
    resolve: (article) => article.memberships[0]?.topic ?? null,
  }),
);

const ArticleFilter = builder.inputType('ArticleFilter', {
  description: 'Conditions an article must meet; all given conditions apply.',
  fields: (t) => ({
    search: t.string({
      description: 'Full-text search in title and body (web-search syntax: words, "quoted phrases", -excluded, or).',
    }),
    topicIds: t.globalIDList({ description: 'In any of these topics (of the current run).' }),
    sourceIds: t.globalIDList({ description: 'From any of these sources.' }),
    publishedAfter: t.field({ type: 'DateTime', description: 'Published at or after this instant.' }),
    publishedBefore: t.field({ type: 'DateTime', description: 'Published before this instant.' }),
  }),
});

const ArticleOrder = builder.enumType('ArticleOrder', {
  description: 'How a list of articles is sorted.',
  values: {
    NEWEST: { description: 'Most recently published first; undated articles last, most recently stored first.' },
    OLDEST: { description: 'Earliest published first; undated articles last, first stored first.' },
    RELEVANCE: { description: 'Best search match first; needs `filter.search`.' },
  },
});

builder.queryFields((t) => ({
  article: t.drizzleField({
    type: Article,
    nullable: true,
    description: 'One article by its id.',
    args: { id: t.arg.globalID({ required: true, for: [Article] }) },
    resolve: (query, _root, args, ctx) =>
      ctx.db.query.articles.findFirst(query({ where: { id: databaseId(args.id, 'Article', 'id') } })),
  }),
  articles: t.drizzleConnection(
    {
      type: 'articles',
      description: 'Articles, filtered and sorted; by default newest first, or best match first when searching.',
      args: {
        filter: t.arg({ type: ArticleFilter }),
        orderBy: t.arg({ type: ArticleOrder }),
      },
      extensions: {
        cursorKeys: ((args) => (articleOrder(args) === 'RELEVANCE' ? ['float', 'int'] : ['text', 'int'])) satisfies CursorKeys,
      },
      totalCount: (_root, args, ctx) => ctx.db.$count(articles, articleFilterSql(articles, toFilter(args.filter))),
      resolve: (query, _root, args, ctx) => {
        const filter = toFilter(args.filter);
        const order = articleOrder(args);
        if (order === 'RELEVANCE' && !filter.search) {
          throw new GraphQLError('orderBy: RELEVANCE needs filter.search', { extensions: { code: 'BAD_USER_INPUT' } });
        }
        const { search } = filter;
        const where = { RAW: (table: typeof articles) => articleFilterSql(table, filter) ?? sql`true` };
        // Each matching row computes only the key its order sorts on (ts_rank_cd over every match
        // of a common word is most of a search's cost; a time nobody sorts on need not be formatted).
        const snippet: Record<string, (table: typeof articles) => SQL> = search
          ? { snippet: (table) => searchSnippetSql(table, search) }
          : {};
        return ctx.db.query.articles.findMany(
          query(
            order === 'RELEVANCE' && search
              ? {
                  where,
                  extras: { rank: (table) => searchRankSql(table, search), ...snippet },
                  orderBy: { rank: 'desc', id: 'desc' },
                }
              : {
                  where,
                  extras: {
                    sortTime: (table) => publishedSortKey(table.publishedAt, order === 'OLDEST' ? 'OLDEST' : 'NEWEST'),
                    ...snippet,
                  },
                  orderBy: { sortTime: order === 'NEWEST' ? 'desc' : 'asc' },
                },
          ),
        );
      },
    },
    {},
    {
      fields: (edge) => ({
        snippet: edge.string({
          nullable: true,
          description:
            'When searching: the best-matching passages of the title and of up to 1,000 characters of the body (its start, ' +
            'or the passage from just before the first match when that lies further in), as HTML: the text escaped, the ' +
            'matches in <b>…</b> (the only tags); with no match there, the title and the first words of that passage. ' +
            'Null when not searching.',
          // The search's snippet extra rides on the row.
          resolve: (edge) => {
            const snippet = (edge.node as { snippet?: string | null }).snippet;
            return typeof snippet === 'string' ? highlightedSnippet(snippet) : null;
          },
        }),
      }),
    },
  ),
}));

/** The order of an articles page: as asked, or by default the best match first when searching, else the newest. */
function articleOrder(args: { orderBy?: unknown; filter?: unknown }): 'NEWEST' | 'OLDEST' | 'RELEVANCE' {
  const asked = args.orderBy as 'NEWEST' | 'OLDEST' | 'RELEVANCE' | null | undefined;
  return asked ?? (toFilter(args.filter as Parameters<typeof toFilter>[0]).search ? 'RELEVANCE' : 'NEWEST');
}

function toFilter(
  input:
    | {
        search?: string | null;
        topicIds?: { typename: string; id: string }[] | null;
        sourceIds?: { typename: string; id: string }[] | null;
        publishedAfter?: string | null;
        publishedBefore?: string | null;
      }
    | null
    | undefined,
): ArticleFilterValues {
  // Postgres text cannot hold control characters such as NUL; they mean nothing to a search.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters removed.
  const search = input?.search?.replace(/[\u0000-\u001f\u007f]/g, ' ').trim() || undefined;
  if (search && search.length > 500) {
    throw new GraphQLError('filter.search is longer than 500 characters', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return {
    search,
    topicIds: input?.topicIds?.map((id) => databaseId(id, 'Topic', 'filter.topicIds')),
    sourceIds: input?.sourceIds?.map((id) => databaseId(id, 'Source', 'filter.sourceIds')),
    publishedAfter: input?.publishedAfter ?? undefined,
    publishedBefore: input?.publishedBefore ?? undefined,
  };
}
