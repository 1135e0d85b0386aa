/**
 * The data model. Articles come from sources and link to each other editorially; a clustering
 * run groups them into topics. Everything a run produces (topics, memberships, similarities,
 * topic relations, its model) belongs to that run and is deleted with it. Exactly one run is
 * current at a time; readers only ever look at the current run.
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  bytea,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  real,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { KSelection, WeightedTerm } from '../clustering/types.js';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/** Timestamps reach JavaScript as text, keeping Postgres's microseconds so cursors stay exact. */
const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });

export const sources = pgTable('sources', {
  id: serial().primaryKey(),
  name: text().notNull().unique(),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});

export const articles = pgTable(
  'articles',
  {
    id: serial().primaryKey(),
    /** The id the article had where it came from (a corpus line's `id`), when it had one. */
    externalId: text('external_id').unique(),
    title: text().notNull(),
    body: text().notNull(),
    url: text(),
    sourceId: integer('source_id').references(() => sources.id),
    publishedAt: timestamptz('published_at'),
    /** sha256 of the normalised title and body: the same article is never stored twice. */
    contentHash: text('content_hash').notNull().unique(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    searchVector: tsvector('search_vector')
      .notNull()
      .generatedAlwaysAs(
        sql`setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')`,
      ),
  },
  (t) => [
    index('articles_source_idx').on(t.sourceId),
    index('articles_published_idx').on(t.publishedAt, t.id),
    index('articles_search_idx').using('gin', t.searchVector),
  ],
);

/** Links an editor made between articles: the "Related Articles" of a page. */
export const editorialLinks = pgTable(
  'editorial_links',
  {
    fromArticleId: integer('from_article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    toArticleId: integer('to_article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    position: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.fromArticleId, t.toArticleId] })],
);

export const runStatus = pgEnum('clustering_run_status', ['running', 'succeeded', 'failed']);

export const clusteringRuns = pgTable(
  'clustering_runs',
  {
    id: serial().primaryKey(),
    status: runStatus().notNull().default('running'),
    /** The run readers see. At most one row has it (unique partial index below). */
    isCurrent: boolean('is_current').notNull().default(false),
    requestedK: integer('requested_k'),
    seed: integer().notNull(),
    k: integer(),
    articleCount: integer('article_count'),
    parameters: jsonb().$type<Record<string, number | string | boolean>>(),
    kSelection: jsonb('k_selection').$type<KSelection>(),
    quality: jsonb().$type<{ inertia: number; silhouette: number | null }>(),
    timings: jsonb().$type<Record<string, number>>(),
    error: text(),
    /** Which process runs it (host:pid) and when it last reported: a run whose process died is stale. */
    owner: text(),
    heartbeatAt: timestamptz('heartbeat_at').notNull().defaultNow(),
    startedAt: timestamptz('started_at').notNull().defaultNow(),
    finishedAt: timestamptz('finished_at'),
  },
  (t) => [
    uniqueIndex('clustering_runs_one_current').on(t.isCurrent).where(sql`${t.isCurrent}`),
    // One run at a time, across processes and drivers.
    uniqueIndex('clustering_runs_one_running').on(t.status).where(sql`${t.status} = 'running'`),
  ],
);

/** What a run needs to place articles imported after it into its topics. */
export const runModels = pgTable('run_models', {
  runId: integer('run_id')
    .primaryKey()
    .references(() => clusteringRuns.id, { onDelete: 'cascade' }),
  vocabulary: jsonb().$type<string[]>().notNull(),
  dimensions: integer().notNull(),
  weakThreshold: doublePrecision('weak_threshold').notNull(),
  /** Float32 little-endian arrays. */
  idf: bytea().notNull(),
  components: bytea().notNull(),
  centroids: bytea().notNull(),
});

export const topics = pgTable(
  'topics',
  {
    id: serial().primaryKey(),
    runId: integer('run_id')
      .notNull()
      .references(() => clusteringRuns.id, { onDelete: 'cascade' }),
    /** Position of the topic's centroid in the run's model. */
    position: integer().notNull(),
    label: text().notNull(),
    slug: text().notNull(),
    keywords: jsonb().$type<WeightedTerm[]>().notNull(),
    size: integer().notNull(),
  },
  (t) => [
    uniqueIndex('topics_run_slug').on(t.runId, t.slug),
    uniqueIndex('topics_run_position').on(t.runId, t.position),
  ],
);

export const articleTopics = pgTable(
  'article_topics',
  {
    /** The topic's run, repeated here so "this article's topics in the current run" is one index probe. */
    runId: integer('run_id')
      .notNull()
      .references(() => clusteringRuns.id, { onDelete: 'cascade' }),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    topicId: integer('topic_id')
      .notNull()
      .references(() => topics.id, { onDelete: 'cascade' }),
    /** Cosine similarity of the article to its topic's centroid. */
    score: real().notNull(),
    /** The article fits its topic poorly. */
    weak: boolean().notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.topicId, t.articleId] }),
    index('article_topics_article_idx').on(t.articleId, t.runId),
    // Topic feeds page by score: with this order at hand, a page reads its 21 rows and stops, rather
    // than joining every member of the topic and sorting them (0.5 ms against 4 ms on BBC).
    // NULLS FIRST like ORDER BY ... DESC, or the planner cannot use it for that order.
    index('article_topics_feed_idx').on(t.score.desc().nullsFirst(), t.articleId),
  ],
);

/** Per run, each article's most similar articles. */
export const articleSimilarities = pgTable(
  'article_similarities',
  {
    runId: integer('run_id')
      .notNull()
      .references(() => clusteringRuns.id, { onDelete: 'cascade' }),
    articleId: integer('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    similarArticleId: integer('similar_article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    score: real().notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.articleId, t.similarArticleId] })],
);

export const topicRelations = pgTable(
  'topic_relations',
  {
    topicId: integer('topic_id')
      .notNull()
      .references(() => topics.id, { onDelete: 'cascade' }),
    relatedTopicId: integer('related_topic_id')
      .notNull()
      .references(() => topics.id, { onDelete: 'cascade' }),
    score: real().notNull(),
  },
  (t) => [primaryKey({ columns: [t.topicId, t.relatedTopicId] })],
);
