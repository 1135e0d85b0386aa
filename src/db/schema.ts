/**
 * The data model. Articles come from sources and link to each other editorially. A clustering
 * run groups them; a topic is an entity that lives across runs: each run that finds it records a
 * change (its version in that run: label, keywords, size, centroid) and its memberships. Exactly
 * one run is current at a time; readers look at the current run's memberships. Old runs keep
 * their row and their topics' history; their memberships, similarities and model are pruned.
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
      .generatedAlwaysAs(sql`setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')`),
  },
  (t) => [
    index('articles_source_idx').on(t.sourceId),
    index('articles_published_idx').on(t.publishedAt, t.id),
    // "Articles stored since the current run started" (the re-clustering policy) counts by it.
    index('articles_created_idx').on(t.createdAt),
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
    /** Why the run was started: by whom, or which rule of the automatic policy. */
    reason: text(),
    /** With a clustering window, its start: only articles of that period were clustered. */
    windowStart: timestamptz('window_start'),
    k: integer(),
    /** Articles clustered. */
    articleCount: integer('article_count'),
    parameters: jsonb().$type<Record<string, number | string | boolean>>(),
    kSelection: jsonb('k_selection').$type<KSelection>(),
    quality: jsonb().$type<{ inertia: number; silhouette: number | null }>(),
    timings: jsonb().$type<Record<string, number>>(),
    error: text(),
    /**
     * Which process runs it (host:pid, for people) and when it last reported. Whether that process
     * lives is its lease's business (jobs/run-lease.ts).
     */
    owner: text(),
    heartbeatAt: timestamptz('heartbeat_at').notNull().defaultNow(),
    startedAt: timestamptz('started_at').notNull().defaultNow(),
    finishedAt: timestamptz('finished_at'),
    /** When a later run became current. */
    supersededAt: timestamptz('superseded_at'),
    /** When its memberships, similarities and model were deleted (feed cursors of this run then move on). */
    prunedAt: timestamptz('pruned_at'),
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
  /**
   * Float32 little-endian arrays, stored uncompressed (STORAGE EXTERNAL, set by the migration
   * model_arrays_uncompressed): compression cannot shrink them and only cost time.
   */
  idf: bytea().notNull(),
  components: bytea().notNull(),
  centroids: bytea().notNull(),
});

/**
 * A topic, for its whole life: its id and slug never change. Label, keywords and size are those
 * of its latest version; `retiredRunId` is set by the run in which it stopped (it is then
 * RETIRED, and `topic_shares` of that run say where its articles went).
 */
export const topics = pgTable('topics', {
  id: serial().primaryKey(),
  /** Chosen at birth from the label, unique among all topics ever, never changed. */
  slug: text().notNull().unique(),
  label: text().notNull(),
  keywords: jsonb().$type<WeightedTerm[]>().notNull(),
  /** Its articles in the current run. */
  size: integer().notNull(),
  bornRunId: integer('born_run_id')
    .notNull()
    .references(() => clusteringRuns.id),
  bornAt: timestamptz('born_at').notNull().defaultNow(),
  /** The run of its latest version. */
  latestRunId: integer('latest_run_id')
    .notNull()
    .references(() => clusteringRuns.id),
  retiredRunId: integer('retired_run_id').references(() => clusteringRuns.id),
  retiredAt: timestamptz('retired_at'),
});

export const topicChangeKind = pgEnum('topic_change_kind', ['born', 'continued', 'merged', 'split', 'retired']);

/**
 * What one run did to one topic (lineage.ts): found it (BORN, CONTINUED, MERGED, SPLIT; the row
 * then holds its version in that run) or ended it (RETIRED, or MERGED into another topic).
 */
export const topicChanges = pgTable(
  'topic_changes',
  {
    runId: integer('run_id')
      .notNull()
      .references(() => clusteringRuns.id, { onDelete: 'cascade' }),
    topicId: integer('topic_id')
      .notNull()
      .references(() => topics.id, { onDelete: 'cascade' }),
    kind: topicChangeKind().notNull(),
    /** True when the topic is in the run (false: it ended there). */
    found: boolean().notNull(),
    /** Position of the topic's centroid in the run's model (null when it ended). */
    position: integer(),
    label: text().notNull(),
    keywords: jsonb().$type<WeightedTerm[]>().notNull(),
    /** Its articles in that run. */
    size: integer().notNull(),
    /** Float32 little-endian, the run's LSA dimensions (null when it ended). */
    centroid: bytea(),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.topicId] }),
    uniqueIndex('topic_changes_run_position').on(t.runId, t.position),
    index('topic_changes_topic_idx').on(t.topicId, t.runId),
  ],
);

/** Articles a topic of the previous run shares with a topic of this run: the run's transitions. */
export const topicShares = pgTable(
  'topic_shares',
  {
    runId: integer('run_id')
      .notNull()
      .references(() => clusteringRuns.id, { onDelete: 'cascade' }),
    fromTopicId: integer('from_topic_id')
      .notNull()
      .references(() => topics.id, { onDelete: 'cascade' }),
    toTopicId: integer('to_topic_id')
      .notNull()
      .references(() => topics.id, { onDelete: 'cascade' }),
    articles: integer().notNull(),
    /** `articles` as a share of the earlier topic's articles that this run clustered. */
    share: real().notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.fromTopicId, t.toTopicId] }), index('topic_shares_to_idx').on(t.runId, t.toTopicId)],
);

export const membershipOrigin = pgEnum('membership_origin', ['clustered', 'placed', 'carried']);

export const articleTopics = pgTable(
  'article_topics',
  {
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
    /**
     * clustered: by the run; placed: imported later and placed by the run's model; carried: older
     * than the run's window, kept from the run before.
     */
    origin: membershipOrigin().notNull().default('clustered'),
    /**
     * The article's key in the NEWEST order (publishedSortKey: its publication time as fixed-width
     * UTC text, '' when undated; collation "C"), copied from the article by a trigger on insert,
     * so that a NEWEST page is read in index order rather than by looking up and sorting every
     * member of the topic. An article's publication time never changes once stored.
     */
    publishedSort: text('published_sort').notNull().default(''),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.articleId, t.topicId] }),
    // Topic feeds page by score within a run: with this order at hand a page reads its rows and
    // stops, rather than joining every member of the topic and sorting them. NULLS FIRST like
    // ORDER BY ... DESC, or the planner cannot use it for that order.
    index('article_topics_feed_idx').on(t.topicId, t.runId, t.score.desc().nullsFirst(), t.articleId),
    index('article_topics_newest_idx').on(
      t.topicId,
      t.runId,
      t.publishedSort.desc().nullsFirst(),
      t.articleId.desc().nullsFirst(),
    ),
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

/** Per run, each topic's most related topics. */
export const topicRelations = pgTable(
  'topic_relations',
  {
    runId: integer('run_id')
      .notNull()
      .references(() => clusteringRuns.id, { onDelete: 'cascade' }),
    topicId: integer('topic_id')
      .notNull()
      .references(() => topics.id, { onDelete: 'cascade' }),
    relatedTopicId: integer('related_topic_id')
      .notNull()
      .references(() => topics.id, { onDelete: 'cascade' }),
    score: real().notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.topicId, t.relatedTopicId] })],
);

/**
 * The feeds servers poll (FEEDS), one row each, shared by every server on the database: the
 * validators for the next conditional GET, what the last fetch came to, and when the next may
 * start. A server claims a feed by moving `next_attempt_at` past now (jobs/feed-poller.ts), so
 * two servers never fetch one feed at once.
 */
export const feeds = pgTable('feeds', {
  url: text().primaryKey(),
  /** The ETag and Last-Modified of the last feed read whole, sent back as If-None-Match / If-Modified-Since. */
  etag: text(),
  lastModified: text('last_modified'),
  /** When the last fetch ended, whatever it came to. */
  lastFetchedAt: timestamptz('last_fetched_at'),
  /** The HTTP status of the last fetch; null when none came (unreachable, timed out). */
  lastStatus: integer('last_status'),
  /** Why the last fetch got no feed; null when it did (or answered 304). */
  lastError: text('last_error'),
  /** Entries of the last feed read that were rejected (invalid, or in conflict). */
  lastRejected: integer('last_rejected').notNull().default(0),
  /** Articles stored from this feed, in all. */
  articlesAdded: integer('articles_added').notNull().default(0),
  /** Failed fetches in a row; each one doubles the wait before the next. */
  failures: integer().notNull().default(0),
  /** The next fetch starts at or after it; while a server fetches, it lies past that fetch's deadline. */
  nextAttemptAt: timestamptz('next_attempt_at').notNull().defaultNow(),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});
