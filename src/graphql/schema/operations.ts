/**
 * Operator mutations (import, clustering), the automatic clustering's state, and the
 * subscriptions that follow the data as it changes (through any process on the database).
 */
import { and, desc, eq } from 'drizzle-orm';
import { GraphQLError } from 'graphql';
import { Repeater } from 'graphql-yoga';
import { parseDuration } from '../../config.js';
import type { Database } from '../../db/client.js';
import { topicChanges, topicShares, topics } from '../../db/schema.js';
import { validateArticle } from '../../jobs/article-input.js';
import { storeArticles } from '../../jobs/import.js';
import { ClusteringRunError } from '../../jobs/run-lock.js';
import { builder, type GraphQLContext } from '../builder.js';
import type { ArticleAddedEvent } from '../events.js';
import { databaseId } from '../ids.js';
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
    externalId: t.string({
      description:
        'The article’s id where it comes from. Already stored with the same title and body: a duplicate; with others: a conflict, rejected.',
    }),
    url: t.string({ description: 'http(s) URL of the article.' }),
    source: t.string({ description: 'Publisher name; created when new.' }),
    publishedAt: t.string({
      description: 'Publication time, ISO 8601 (UTC unless it names an offset), a real date and time of the years 1000–9999.',
    }),
  }),
});

const ImportStatus = builder.enumType('ImportStatus', {
  description: 'What happened to one imported article.',
  values: {
    CREATED: { description: 'Stored (and placed into the current run’s topics).' },
    DUPLICATE: {
      description: 'Already stored (the same title and body, under this external id, another or none); nothing written.',
    },
    REJECTED: {
      description:
        'Invalid, in conflict (its external id is stored with another title or body), or refused by the database; see `reason`. Nothing written for it.',
    },
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
    reason: t.exposeString('reason', {
      nullable: true,
      description: 'Why the item was rejected (with the database’s own words when it refused the item).',
    }),
    article: t.field({
      type: Article,
      nullable: true,
      description: 'The stored article, when created.',
      resolve: (item, _args, ctx) =>
        item.articleId === null
          ? null
          : ctx.db.query.articles.findFirst({ where: { id: item.articleId } }).then((row) => row ?? null),
    }),
  }),
});

const ImportPayload = builder.objectRef<{ items: ImportItemShape[] }>('ImportArticlesPayload').implement({
  description: 'The outcome of an import, item by item.',
  fields: (t) => ({
    created: t.int({
      description: 'Articles stored.',
      resolve: ({ items }) => items.filter((i) => i.status === 'CREATED').length,
    }),
    duplicates: t.int({
      description: 'Articles already present.',
      resolve: ({ items }) => items.filter((i) => i.status === 'DUPLICATE').length,
    }),
    rejected: t.int({
      description: 'Items rejected: invalid, in conflict, or refused by the database.',
      resolve: ({ items }) => items.filter((i) => i.status === 'REJECTED').length,
    }),
    items: t.field({
      type: [ImportItem],
      description: 'One outcome per input item, in input order.',
      resolve: ({ items }) => items,
    }),
  }),
});

builder.mutationFields((t) => ({
  importArticles: t.field({
    type: ImportPayload,
    description:
      `Stores articles (at most ${MAX_IMPORT_ITEMS} a request) and places them into the current topics. ` +
      'Valid items are stored together in one transaction; invalid ones are reported and skipped. When the database ' +
      'refuses an item, the others are stored one by one and only that item is rejected, with its reason.',
    args: { input: t.arg({ type: [ArticleInput], required: true, description: 'The articles.' }) },
    authScopes: { operator: true },
    resolve: async (_root, { input }, ctx) => {
      if (input.length > MAX_IMPORT_ITEMS) {
        throw new GraphQLError(`importArticles takes at most ${MAX_IMPORT_ITEMS} articles a request, got ${input.length}`, {
          extensions: { code: 'BAD_USER_INPUT' },
        });
      }
      const validations = input.map((item) => validateArticle(item));
      const valid = validations.flatMap((validation) => (validation.ok ? [validation.article] : []));
      const stored = await storeArticles(ctx.db, valid);
      // Subscribers (here and on every server) hear of it through the import's change notice;
      // this server's cache must not answer the importer's next query with the old data.
      if (stored.createdIds.length > 0) ctx.events.publish('dataChanged');
      const storeReasons = new Map(stored.rejections.map(({ index, reason }) => [index, reason]));
      let next = 0;
      let nextCreated = 0;
      const items = validations.map((validation, index): ImportItemShape => {
        if (!validation.ok) return { index, status: 'REJECTED', reason: validation.reason, articleId: null };
        const position = next++;
        switch (stored.outcomes[position]) {
          case 'created':
            return { index, status: 'CREATED', reason: null, articleId: stored.createdIds[nextCreated++] };
          case 'duplicate':
            return { index, status: 'DUPLICATE', reason: null, articleId: null };
          case 'rejected':
            return { index, status: 'REJECTED', reason: storeReasons.get(position) ?? null, articleId: null };
          default:
            throw new Error(`no outcome stored for valid article ${position}`);
        }
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
      window: t.arg.string({
        description:
          'Cluster only the articles of this last period, e.g. "30d", "12h" (dated by publication, or by storage when undated); older ones keep their topic.',
      }),
    },
    authScopes: { operator: true },
    resolve: async (query, _root, args, ctx) => {
      let runId: number;
      try {
        const windowMs = args.window === null || args.window === undefined ? undefined : parseWindow(args.window);
        runId = await ctx.clustering.start({
          k: args.k ?? undefined,
          seed: args.seed ?? undefined,
          windowMs,
          reason: 'requested by an operator',
        });
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

function parseWindow(text: string): number {
  try {
    return parseDuration('window', text);
  } catch (error) {
    throw new GraphQLError((error as Error).message, { extensions: { code: 'BAD_USER_INPUT' } });
  }
}

const ArticleAdded = builder.objectRef<ArticleAddedEvent>('ArticleAdded').implement({
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
      description: 'The topic it was placed into (the followed topic, or the one it was merged into).',
      resolve: (event, _args, ctx) => findTopic(ctx.db, event.topicId),
    }),
  }),
});

async function findTopic(db: Database, topicId: number) {
  const topic = await db.query.topics.findFirst({ where: { id: topicId } });
  if (!topic) throw new GraphQLError('the topic does not exist', { extensions: { code: 'NOT_FOUND' } });
  return topic;
}

/**
 * The topic that carries `topicId` on now: itself, or (when it was merged into another) that
 * one, through any number of merges.
 */
async function carriedOnBy(db: Database, topicId: number): Promise<number> {
  let id = topicId;
  for (let hop = 0; hop < 100; hop++) {
    const [topic] = await db.select({ retiredRunId: topics.retiredRunId }).from(topics).where(eq(topics.id, id));
    if (!topic || topic.retiredRunId === null) return id;
    const [merge] = await db
      .select({ into: topicShares.toTopicId })
      .from(topicChanges)
      .innerJoin(topicShares, and(eq(topicShares.runId, topicChanges.runId), eq(topicShares.fromTopicId, topicChanges.topicId)))
      .where(and(eq(topicChanges.runId, topic.retiredRunId), eq(topicChanges.topicId, id), eq(topicChanges.kind, 'merged')))
      .orderBy(desc(topicShares.share))
      .limit(1);
    if (!merge) return id;
    id = merge.into;
  }
  return id;
}

/**
 * The articles added to a topic's feed, following the topic through the runs that merge it. A
 * Repeater rather than an async generator: when the client leaves, it stops at once, wherever it
 * waits (a generator would stay subscribed until the next matching article).
 */
function followTopicFeed(ctx: GraphQLContext, topicId: number): Repeater<ArticleAddedEvent> {
  return new Repeater<ArticleAddedEvent>(async (push, stop) => {
    const added = ctx.events.subscribe('articleAdded');
    const runs = ctx.events.subscribe('topicsChanged');
    void stop.then(() => Promise.all([added.return?.(), runs.return?.()]));
    let followed = await carriedOnBy(ctx.db, topicId);
    void (async () => {
      for await (const _run of runs) followed = await carriedOnBy(ctx.db, followed);
    })().catch((error: Error) => stop(error));
    for await (const event of added) if (event.topicId === followed) await push(event);
    stop();
  });
}

const ReclusterState = builder
  .objectRef<Awaited<ReturnType<GraphQLContext['recluster']['state']>> & { policy: GraphQLContext['recluster']['policy'] }>(
    'ReclusterState',
  )
  .implement({
    description: 'The automatic clustering: its policy (README: Configuration), and whether a run is due now and why.',
    fields: (t) => ({
      automatic: t.boolean({
        description: 'False when runs start only on request (RECLUSTER=off).',
        resolve: (state) => state.policy.enabled,
      }),
      due: t.exposeBoolean('due', { description: 'True when the policy wants a run now (the server starts it within seconds).' }),
      reason: t.exposeString('reason', { description: 'Why a run is due, or what would make it due.' }),
      newArticles: t.exposeInt('newArticles', {
        description: 'Articles the current run did not cluster (all of them before the first run).',
      }),
      threshold: t.exposeInt('threshold', {
        nullable: true,
        description:
          'Number of new articles that makes a run due (the smaller of the share and count rules); null without either rule.',
      }),
      dueAt: t.expose('dueAt', {
        type: 'DateTime',
        nullable: true,
        description: 'When the interval rule makes a run due; null without it.',
      }),
      runningRun: t.field({
        type: ClusteringRun,
        nullable: true,
        description: 'The run in progress, if any.',
        resolve: (state, _args, ctx) =>
          state.runningRunId === null
            ? null
            : ctx.db.query.clusteringRuns.findFirst({ where: { id: state.runningRunId } }).then((run) => run ?? null),
      }),
      newShare: t.float({
        nullable: true,
        description: 'RECLUSTER_NEW_SHARE: new articles, as a share of the current run’s, that make a run due.',
        resolve: (state) => state.policy.newShare,
      }),
      newCount: t.int({
        nullable: true,
        description: 'RECLUSTER_NEW_COUNT: new articles that make a run due.',
        resolve: (state) => state.policy.newCount,
      }),
      intervalSeconds: t.int({
        nullable: true,
        description: 'RECLUSTER_INTERVAL: seconds after the current run after which a run is due, if anything changed.',
        resolve: (state) => (state.policy.intervalMs === null ? null : Math.round(state.policy.intervalMs / 1000)),
      }),
      windowSeconds: t.int({
        nullable: true,
        description: 'RECLUSTER_WINDOW: automatic runs cluster the articles of this many last seconds only.',
        resolve: (state) => (state.policy.windowMs === null ? null : Math.round(state.policy.windowMs / 1000)),
      }),
    }),
  });

builder.queryFields((t) => ({
  reclustering: t.field({
    type: ReclusterState,
    description: 'When the next clustering run is due and why (the server starts runs by itself, by its policy).',
    resolve: async (_root, _args, ctx) => ({ ...(await ctx.recluster.state()), policy: ctx.recluster.policy }),
  }),
}));

async function findRun(db: Database, runId: number) {
  const run = await db.query.clusteringRuns.findFirst({ where: { id: runId } });
  if (!run) throw new GraphQLError('the run no longer exists', { extensions: { code: 'NOT_FOUND' } });
  return run;
}

builder.subscriptionFields((t) => ({
  articleAdded: t.field({
    type: ArticleAdded,
    description:
      'Each article placed into a topic’s feed from now on, imported through any server or command on the database. ' +
      'The subscription follows its topic across clustering runs: when a run merges it into another topic, it goes on with that one.',
    args: { topicId: t.arg.globalID({ required: true, for: [Topic], description: 'The topic to follow.' }) },
    subscribe: async (_root, args, ctx) => {
      const topicId = databaseId(args.topicId, 'Topic', 'topicId');
      await findTopic(ctx.db, topicId);
      return followTopicFeed(ctx, topicId);
    },
    resolve: (event) => event,
  }),
  topicUpdated: t.field({
    type: Topic,
    description: 'The topic each time it changes: a clustering run gives it a new version or ends it, or articles join it.',
    args: { id: t.arg.globalID({ required: true, for: [Topic], description: 'The topic.' }) },
    subscribe: async (_root, args, ctx) => {
      const topicId = databaseId(args.id, 'Topic', 'id');
      await findTopic(ctx.db, topicId);
      return ctx.events.subscribe('topicUpdated', topicId);
    },
    resolve: (event, _args, ctx) => findTopic(ctx.db, event.topicId),
  }),
  topicsChanged: t.field({
    type: ClusteringRun,
    description:
      'Each clustering run that succeeds, anywhere on the database, when its topics become current; ask for its `changes`.',
    subscribe: (_root, _args, ctx) => ctx.events.subscribe('topicsChanged'),
    resolve: (event, _args, ctx) => findRun(ctx.db, event.runId),
  }),
  clusteringRunFinished: t.field({
    type: ClusteringRun,
    description: 'Each clustering run, anywhere on the database, when it succeeds or fails.',
    subscribe: (_root, _args, ctx) => ctx.events.subscribe('clusteringRunFinished'),
    resolve: (event, _args, ctx) => findRun(ctx.db, event.runId),
  }),
}));
