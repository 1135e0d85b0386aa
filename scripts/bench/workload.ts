/**
 * The three operations of the API benchmark, as request bodies for each server (ours, the floor,
 * the PostGraphile peer), with the check each response body must pass, in two workloads:
 *
 * - narrow: the first page of every topic's feed (5 topics with k=5), 12 articles, 8 search
 *   terms, the same bodies as the benchmark has always sent.
 * - wide: what client apps send when they page through the news. Every topic of the current run,
 *   in both orders (RELEVANCE, NEWEST), with pages of 10 and of 20 walked through with our
 *   `pageInfo.endCursor` to the end before the load starts (about 650 pages for the BBC corpus);
 *   200 articles; 200 search terms, the most frequent words of the titles (5 letters or more,
 *   one word per distinct tsquery, each matching at least one article).
 *
 * Every wide feed page is asked of each server as the same page of the same order: ours with the
 * cursor, the floor and PostGraphile with `offset` (the page's position) and `first`.
 */
import postgres from 'postgres';
import type { LoadRequest } from './load.js';

export type ServerKind = 'ours' | 'floor' | 'peer';
export type Operation = 'topicFeed' | 'articlePage' | 'search';
export type Workload = 'narrow' | 'wide';
export type FeedOrder = 'RELEVANCE' | 'NEWEST';

export const OPERATIONS: Operation[] = ['topicFeed', 'articlePage', 'search'];
export const OPERATION_NAMES: Record<Operation, string> = {
  topicFeed: 'topic feed',
  articlePage: 'article page',
  search: 'search',
};
export const WORKLOADS: Workload[] = ['narrow', 'wide'];

/** One page of a topic's feed: our cursor for it, and its position for the others. */
export interface FeedPage {
  topicId: number;
  orderBy: FeedOrder;
  first: number;
  /** Articles before the page (its position in the order). */
  offset: number;
  /** Our endCursor of the page before (null: the first page). */
  after: string | null;
}

export interface Fixtures {
  workload: Workload;
  currentRunId: number;
  topicIds: number[];
  /** narrow: none (its feed requests are the first 20 of each topic, as they always were). */
  feedPages: FeedPage[];
  articleIds: number[];
  searchTerms: string[];
  /** Articles with a publication date (without any, NEWEST is the order of article ids, newest first). */
  datedArticles: number;
}

/** Words that occur in the BBC corpus, from several of its subjects. */
const SEARCH_TERMS = ['election', 'economy', 'film', 'music', 'football', 'mobile phone', 'oil prices', 'champion'];
const ARTICLE_SAMPLE = 12;

const WIDE_ARTICLES = 200;
const WIDE_SEARCH_TERMS = 200;
const WIDE_PAGE_SIZES = [10, 20];
const FEED_ORDERS: FeedOrder[] = ['RELEVANCE', 'NEWEST'];
/** Shortest title word the wide workload searches for. */
const MIN_TERM_LENGTH = 5;

/** Every topic of the current run, a fixed pseudo-random sample of articles, the search terms. */
export async function loadFixtures(databaseUrl: string): Promise<Fixtures> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [run] = await sql<{ id: number }[]>`select id from clustering_runs where is_current`;
    if (!run) throw new Error('the benchmark database has no current clustering run');
    const topics = await sql<{ id: number }[]>`
      select topic_id as id from topic_changes where run_id = ${run.id} and found order by position`;
    const articles = await sql<{ id: number }[]>`
      select id from articles order by md5(id::text) limit ${ARTICLE_SAMPLE}`;
    return {
      workload: 'narrow',
      currentRunId: run.id,
      topicIds: topics.map((row) => row.id),
      feedPages: [],
      articleIds: articles.map((row) => row.id),
      searchTerms: SEARCH_TERMS,
      datedArticles: (await sql<{ n: number }[]>`select count(published_at)::int as n from articles`)[0].n,
    };
  } finally {
    await sql.end({ timeout: 2 });
  }
}

const FEED_WALK_QUERY = `query FeedWalk($id: ID!, $first: Int!, $after: String, $orderBy: TopicArticleOrder!) {
  topic(id: $id) { articles(first: $first, after: $after, orderBy: $orderBy) { edges { node { id } } pageInfo { hasNextPage endCursor } } }
}`;

interface FeedWalkAnswer {
  data?: { topic: { articles: { edges: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } | null };
  errors?: unknown[];
}

/** Walks one feed through our server, page after page, and returns its pages. */
async function walkFeed(graphqlUrl: string, topicId: number, orderBy: FeedOrder, first: number): Promise<FeedPage[]> {
  const pages: FeedPage[] = [];
  let after: string | null = null;
  for (let offset = 0; ; offset += first) {
    const variables = { id: globalId('Topic', topicId), first, after, orderBy };
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: FEED_WALK_QUERY, operationName: 'FeedWalk', variables }),
      signal: AbortSignal.timeout(10_000),
    });
    const answer = (await response.json()) as FeedWalkAnswer;
    const articles = answer.data?.topic?.articles;
    if (!response.ok || answer.errors || !articles) {
      throw new Error(`walking topic ${topicId}'s ${orderBy} feed failed (HTTP ${response.status}): ${JSON.stringify(answer)}`);
    }
    if (articles.edges.length > 0) pages.push({ topicId, orderBy, first, offset, after });
    if (!articles.pageInfo.hasNextPage || articles.pageInfo.endCursor === null) return pages;
    after = articles.pageInfo.endCursor;
  }
}

/**
 * The wide workload: the current run's topics, their feeds walked through our server (at
 * graphqlUrl, which must serve the benchmark's database), 200 articles, 200 search terms.
 */
export async function loadWideFixtures(databaseUrl: string, graphqlUrl: string): Promise<Fixtures> {
  const narrow = await loadFixtures(databaseUrl);
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const articles = await sql<{ id: number }[]>`
      select id from articles order by md5(id::text) limit ${WIDE_ARTICLES}`;
    // The most frequent title words, one per distinct query (plural and singular are one), each
    // matching at least one article (stop words match none).
    const terms = await sql<{ term: string }[]>`
      with words as (
        select word, count(*) as n
        from articles, regexp_split_to_table(lower(title), '[^a-z]+') as word
        where length(word) >= ${MIN_TERM_LENGTH}
        group by word
      ), queries as (
        select distinct on (websearch_to_tsquery('english', word)::text) word, n
        from words
        where websearch_to_tsquery('english', word)::text <> ''
        order by websearch_to_tsquery('english', word)::text, n desc, word
      )
      select word as term from queries q
      where exists (select 1 from articles a where a.search_vector @@ websearch_to_tsquery('english', q.word))
      order by n desc, word
      limit ${WIDE_SEARCH_TERMS}`;
    const feedPages: FeedPage[] = [];
    for (const topicId of narrow.topicIds) {
      for (const orderBy of FEED_ORDERS) {
        for (const first of WIDE_PAGE_SIZES) feedPages.push(...(await walkFeed(graphqlUrl, topicId, orderBy, first)));
      }
    }
    return {
      workload: 'wide',
      currentRunId: narrow.currentRunId,
      topicIds: narrow.topicIds,
      feedPages,
      articleIds: articles.map((row) => row.id),
      searchTerms: terms.map((row) => row.term),
      datedArticles: narrow.datedArticles,
    };
  } finally {
    await sql.end({ timeout: 2 });
  }
}

function globalId(typename: string, id: number): string {
  return Buffer.from(`${typename}:${id}`).toString('base64');
}

const OUR_QUERIES: Record<Operation, string> = {
  topicFeed: `query TopicFeed($id: ID!) {
  topic(id: $id) { label status articles(first: 20) { edges { score node { id title source { name } } } } }
}`,
  articlePage: `query ArticlePage($id: ID!) {
  article(id: $id) { title body topics { score topic { label } } relatedArticles { kind score article { title } } }
}`,
  search: `query Search($q: String!) {
  articles(first: 10, filter: { search: $q }) { edges { snippet node { title } } }
}`,
};

/** The wide workload's feed page: the narrow one's fields, one page of one order. */
const OUR_FEED_PAGE_QUERY = `query TopicFeed($id: ID!, $first: Int!, $after: String, $orderBy: TopicArticleOrder!) {
  topic(id: $id) { label status articles(first: $first, after: $after, orderBy: $orderBy) { edges { score node { id title source { name } } } } }
}`;

/**
 * PostGraphile's generated schema for the same data. It knows nothing of the "current run", so
 * the article page passes the current run's id as a condition; search is the bench_peer function.
 */
const PEER_QUERIES: Record<Operation, string> = {
  topicFeed: `query TopicFeed($id: Int!, $runId: Int!) {
  topicByRowId(rowId: $id) { label articleTopicsByTopicId(first: 20, condition: { runId: $runId }, orderBy: [SCORE_DESC, ARTICLE_ID_ASC]) {
    edges { node { score articleByArticleId { id title sourceBySourceId { name } } } } } }
}`,
  articlePage: `query ArticlePage($id: Int!, $runId: Int!) {
  articleByRowId(rowId: $id) { title body
    articleTopicsByArticleId(condition: { runId: $runId }, orderBy: [SCORE_DESC, TOPIC_ID_ASC]) { nodes { score topicByTopicId { label } } }
    editorialLinksByFromArticleId(orderBy: POSITION_ASC) { nodes { articleByToArticleId { title } } }
    articleSimilaritiesByArticleId(condition: { runId: $runId }, orderBy: [SCORE_DESC, SIMILAR_ARTICLE_ID_ASC], first: 5) {
      nodes { score articleBySimilarArticleId { title } } } }
}`,
  search: `query Search($q: String!) {
  benchPeerSearchArticles(q: $q, maxResults: 10) { nodes { snippet title } }
}`,
};

/**
 * The peer's feed page. NEWEST sorts on the membership's `published_sort` column, the key and
 * index (article_topics_newest_idx) our NEWEST feed reads, so both page the same order.
 */
const PEER_FEED_PAGE_QUERY = `query TopicFeed($id: Int!, $runId: Int!, $first: Int!, $offset: Int!, $orderBy: [ArticleTopicOrderBy!]) {
  topicByRowId(rowId: $id) { label articleTopicsByTopicId(first: $first, offset: $offset, condition: { runId: $runId }, orderBy: $orderBy) {
    edges { node { score articleByArticleId { id title sourceBySourceId { name } } } } } }
}`;
const PEER_FEED_ORDER: Record<FeedOrder, string[]> = {
  RELEVANCE: ['SCORE_DESC', 'ARTICLE_ID_ASC'],
  NEWEST: ['PUBLISHED_SORT_DESC', 'ARTICLE_ID_DESC'],
};

/** Fragments a correct answer contains (the JSON keys in query order). */
const EXPECTED: Record<ServerKind, Record<Operation, string[]>> = {
  ours: {
    topicFeed: ['"edges":[{"score":'],
    articlePage: ['"topics":[{"score":', '"relatedArticles":[{"kind":'],
    search: ['"edges":[{"snippet":'],
  },
  floor: {
    topicFeed: ['"edges":[{"score":'],
    articlePage: ['"topics":[{"score":', '"relatedArticles":[{"kind":'],
    search: ['"edges":[{"snippet":'],
  },
  peer: {
    topicFeed: ['"edges":[{"node":{"score":'],
    articlePage: ['"articleTopicsByArticleId":{"nodes":[{"score":', '"articleSimilaritiesByArticleId":{"nodes":[{"score":'],
    search: ['"nodes":[{"snippet":'],
  },
};

/**
 * A topic a clustering run retired has no feed (its successors have its articles): a client that
 * still holds its id, as a load test does across a run, gets that correct, empty answer.
 */
const RETIRED_FEED = '"status":"RETIRED","articles":{"edges":[]}';

export function checkBody(server: ServerKind, operation: Operation, body: string): boolean {
  if (body.includes('"errors"')) return false;
  if (server === 'ours' && operation === 'topicFeed' && body.includes(RETIRED_FEED)) return true;
  return EXPECTED[server][operation].every((fragment) => body.includes(fragment));
}

function feedVariables(server: ServerKind, page: FeedPage, runId: number): Record<string, unknown> {
  switch (server) {
    case 'ours':
      return { id: globalId('Topic', page.topicId), first: page.first, after: page.after, orderBy: page.orderBy };
    case 'floor':
      return { id: globalId('Topic', page.topicId), first: page.first, offset: page.offset, orderBy: page.orderBy };
    case 'peer':
      return { id: page.topicId, runId, first: page.first, offset: page.offset, orderBy: PEER_FEED_ORDER[page.orderBy] };
  }
}

function variablesFor(server: ServerKind, operation: Operation, fixtures: Fixtures): Record<string, unknown>[] {
  switch (operation) {
    case 'topicFeed':
      if (fixtures.workload === 'wide')
        return fixtures.feedPages.map((page) => feedVariables(server, page, fixtures.currentRunId));
      return fixtures.topicIds.map((id) =>
        server === 'peer' ? { id, runId: fixtures.currentRunId } : { id: globalId('Topic', id) },
      );
    case 'articlePage':
      return fixtures.articleIds.map((id) =>
        server === 'peer' ? { id, runId: fixtures.currentRunId } : { id: globalId('Article', id) },
      );
    case 'search':
      return fixtures.searchTerms.map((q) => ({ q }));
  }
}

function queryFor(server: 'ours' | 'peer', operation: Operation, workload: Workload): string {
  if (operation === 'topicFeed' && workload === 'wide') return server === 'ours' ? OUR_FEED_PAGE_QUERY : PEER_FEED_PAGE_QUERY;
  return (server === 'ours' ? OUR_QUERIES : PEER_QUERIES)[operation];
}

const OPERATION_NAME: Record<Operation, string> = { topicFeed: 'TopicFeed', articlePage: 'ArticlePage', search: 'Search' };

/** The request bodies one server receives for one operation, each with its check. */
export function requestsFor(server: ServerKind, operation: Operation, fixtures: Fixtures): LoadRequest[] {
  return variablesFor(server, operation, fixtures).map((variables) => {
    const body =
      server === 'floor'
        ? { operationName: OPERATION_NAME[operation], variables }
        : { query: queryFor(server, operation, fixtures.workload), operationName: OPERATION_NAME[operation], variables };
    return { body: JSON.stringify(body), check: (response: string) => checkBody(server, operation, response) };
  });
}

/** The titles in an answer, in order: the three servers must agree on them. */
export function titlesIn(body: string): string[] {
  return [...body.matchAll(/"title":("(?:[^"\\]|\\.)*")/g)].map((match) => JSON.parse(match[1]) as string);
}
