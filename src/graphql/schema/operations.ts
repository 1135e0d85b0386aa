/** Operator mutations (import, clustering) and the subscriptions that follow their effects. */
import { GraphQLError } from 'graphql';
import { validateArticle } from '../../jobs/article-input.js';
import { ClusteringRunError } from '../../jobs/cluster.js';
import { storeArticles } from '../../jobs/import.js';
import { requireOperator } from '../auth.js';
import { builder } from '../builder.js';
import { Article } from './article.js';
import { ClusteringRun } from './clustering-run.js';
import { Topic } from './topic.js';

/** More than this per request: split the import into several requests. */
export const MAX_IMPORT_ITEMS = 1_000;

const ArticleInput = builder.inputType('ArticleInput', {
  description: 'An article to import: the same fields and rules as a line of a JSONL corpus.',
  fields: (t) => ({
    title: t.string({ required: true, description: 'Headline (required, non-empty).' }),
    body: t.string({ required: true, description: 'Full text (required, non-empty).' }),
    externalId: t.string({ description: 'The article’s id where it comes from; an id already stored is a duplicate.' }),
    url: t.string({ description: 'http(s) URL of the article.' }),
    source: t.string({ description: 'Publisher name; created when new.' }),
    publishedAt: t.string({ description: 'Publication time, ISO 8601.' }),
  }),
});

const ImportStatus = builder.enumType('ImportStatus', {
  description: 'What happened to one imported article.',
  values: {
    CREATED: { description: 'Stored (and placed into the current run’s topics).' },
    DUPLICATE: { description: 'Already stored (same external id, or the same title and body); nothing written.' },
    REJECTED: { description: 'Invalid; see `reason`. Nothing written for it.' },
  },
});

interface ImportItemShape {
  index: number;
  status: 'CREATED' | 'DUPLICATE' | 'REJECTED';
  reason: string | null;
  articleId: number | null;
}

const ImportItem = builder.objectRef<ImportItemShape>('ImportItem').implement({
  description: 'The outcome for one item of an import.',
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'Position of the item in the input list, from 0.' }),
    status: t.field({ type: ImportStatus, description: 'What happened.', resolve: (item) => item.status }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why the item was rejected.' }),
    article: t.field({
      type: Article,
      nullable: true,
      description: 'The stored article, when created.',
      resolve: (item, _args, ctx) =>
        item.articleId === null ? null : ctx.db.query.articles.findFirst({ where: { id: item.articleId } }).then((row) => row ?? null),
    }),
  }),
});

const ImportPayload = builder.objectRef<{ items: ImportItemShape[] }>('ImportArticlesPayload').implement({
  description: 'The outcome of an import, item by item.',
  fields: (t) => ({
    created: t.int({ description: 'Articles stored.', resolve: ({ items }) => items.filter((i) => i.status === 'CREATED').length }),
    duplicates: t.int({
      description: 'Articles already present.',
      resolve: ({ items }) => items.filter((i) => i.status === 'DUPLICATE').length,
    }),
    rejected: t.int({ description: 'Invalid items.', resolve: ({ items }) => items.filter((i) => i.status === 'REJECTED').length }),
    items: t.field({ type: [ImportItem], description: 'One outcome per input item, in input order.', resolve: ({ items }) => items }),
  }),
});

builder.mutationFields((t) => ({
  importArticles: t.field({
    type: ImportPayload,
    description:
      `Stores articles (at most ${MAX_IMPORT_ITEMS} a request) and places them into the current topics. ` +
      'Valid items are stored together in one transaction; invalid ones are reported and skipped.',
    args: { input: t.arg({ type: [ArticleInput], required: true, description: 'The articles.' }) },
    resolve: async (_root, { input }, ctx) => {
      requireOperator(ctx.auth);
      if (input.length > MAX_IMPORT_ITEMS) {
        throw new GraphQLError(`importArticles takes at most ${MAX_IMPORT_ITEMS} articles a request, got ${input.length}`, {
          extensions: { code: 'BAD_USER_INPUT' },
        });
      }
      const validations = input.map((item) => validateArticle(item));
      const valid = validations.flatMap((validation) => (validation.ok ? [validation.article] : []));
      const stored = await storeArticles(ctx.db, valid);
      if (stored.createdIds.length > 0) ctx.events.publish('dataChanged');
      for (const assignment of stored.assignments) {
        ctx.events.publish('articleAdded', assignment.topicId, assignment);
      }
      let next = 0;
      let nextCreated = 0;
      const items = validations.map((validation, index): ImportItemShape => {
        if (!validation.ok) return { index, status: 'REJECTED', reason: validation.reason, articleId: null };
        const outcome = stored.outcomes[next++];
        return outcome === 'created'
          ? { index, status: 'CREATED', reason: null, articleId: stored.createdIds[nextCreated++] }
          : { index, status: 'DUPLICATE', reason: null, articleId: null };
      });
      return { items };
    },
  }),
  startClusteringRun: t.drizzleField({
    type: ClusteringRun,
    description:
      'Starts a clustering run in the background and returns it (status RUNNING). One run at a time: while one ' +
      'runs, this is refused. Follow it with `clusteringRunFinished` or `clusteringRun(id)`.',
    args: {
      k: t.arg.int({ description: 'Number of topics (2 to the number of articles); chosen from the data when omitted.' }),
      seed: t.arg.int({ description: 'Seed of the run’s random choices (default 42).' }),
    },
    resolve: async (query, _root, args, ctx) => {
      requireOperator(ctx.auth);
      let runId: number;
      try {
        runId = await ctx.clustering.start({ k: args.k ?? undefined, seed: args.seed ?? undefined });
      } catch (error) {
        if (error instanceof ClusteringRunError) {
          throw new GraphQLError(error.message, {
            extensions: { code: error.code === 'IN_PROGRESS' ? 'CONFLICT' : 'BAD_USER_INPUT' },
          });
        }
        throw error;
      }
      const run = await ctx.db.query.clusteringRuns.findFirst(query({ where: { id: runId } }));
      if (!run) throw new Error(`run ${runId} vanished`);
      return run;
    },
  }),
}));

const ArticleAdded = builder
  .objectRef<{ articleId: number; topicId: number; score: number }>('ArticleAdded')
  .implement({
    description: 'An article newly placed into a topic.',
    fields: (t) => ({
      score: t.exposeFloat('score', { description: 'How well the article fits the topic.' }),
      article: t.field({
        type: Article,
        description: 'The new article.',
        resolve: async (event, _args, ctx) => {
          const article = await ctx.db.query.articles.findFirst({ where: { id: event.articleId } });
          if (!article) throw new GraphQLError('the article was deleted', { extensions: { code: 'NOT_FOUND' } });
          return article;
        },
      }),
      topic: t.field({
        type: Topic,
        description: 'The topic it was placed into.',
        resolve: async (event, _args, ctx) => {
          const topic = await ctx.db.query.topics.findFirst({ where: { id: event.topicId } });
          if (!topic) throw new GraphQLError('the topic no longer exists', { extensions: { code: 'NOT_FOUND' } });
          return topic;
        },
      }),
    }),
  });

builder.subscriptionFields((t) => ({
  articleAdded: t.field({
    type: ArticleAdded,
    description: 'Each article imported into a topic’s feed from now on (through `importArticles` on this server).',
    args: { topicId: t.arg.globalID({ required: true, for: [Topic], description: 'The topic to follow.' }) },
    subscribe: (_root, args, ctx) => ctx.events.subscribe('articleAdded', Number(args.topicId.id)),
    resolve: (event) => event,
  }),
  clusteringRunFinished: t.field({
    type: ClusteringRun,
    description: 'Each clustering run started on this server, when it succeeds or fails.',
    subscribe: (_root, _args, ctx) => ctx.events.subscribe('clusteringRunFinished'),
    resolve: async (event, _args, ctx) => {
      const run = await ctx.db.query.clusteringRuns.findFirst({ where: { id: event.runId } });
      if (!run) throw new GraphQLError('the run no longer exists', { extensions: { code: 'NOT_FOUND' } });
      return run;
    },
  }),
}));
