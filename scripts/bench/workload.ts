/**
 * The three operations of the API benchmark, as request bodies for each server (ours, the floor,
 * the PostGraphile peer), over several topics / articles / search terms so that no single cached
 * row dominates, with the check each response body must pass.
 */
import postgres from 'postgres';
import type { LoadRequest } from './load.js';

export type ServerKind = 'ours' | 'floor' | 'peer';
export type Operation = 'topicFeed' | 'articlePage' | 'search';

export const OPERATIONS: Operation[] = ['topicFeed', 'articlePage', 'search'];
export const OPERATION_NAMES: Record<Operation, string> = {
  topicFeed: 'topic feed',
  articlePage: 'article page',
  search: 'search',
};

export interface Fixtures {
  currentRunId: number;
  topicIds: number[];
  articleIds: number[];
  searchTerms: string[];
}

/** Words that occur in the BBC corpus, from several of its subjects. */
const SEARCH_TERMS = ['election', 'economy', 'film', 'music', 'football', 'mobile phone', 'oil prices', 'champion'];
const ARTICLE_SAMPLE = 12;

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
      currentRunId: run.id,
      topicIds: topics.map((row) => row.id),
      articleIds: articles.map((row) => row.id),
      searchTerms: SEARCH_TERMS,
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
    articleTopicsByArticleId(condition: { runId: $runId }, orderBy: SCORE_DESC) { nodes { score topicByTopicId { label } } }
    editorialLinksByFromArticleId(orderBy: POSITION_ASC) { nodes { articleByToArticleId { title } } }
    articleSimilaritiesByArticleId(condition: { runId: $runId }, orderBy: SCORE_DESC, first: 5) {
      nodes { score articleBySimilarArticleId { title } } } }
}`,
  search: `query Search($q: String!) {
  benchPeerSearchArticles(q: $q, maxResults: 10) { nodes { snippet title } }
}`,
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

function variablesFor(server: ServerKind, operation: Operation, fixtures: Fixtures): Record<string, unknown>[] {
  switch (operation) {
    case 'topicFeed':
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

const OPERATION_NAME: Record<Operation, string> = { topicFeed: 'TopicFeed', articlePage: 'ArticlePage', search: 'Search' };

/** The request bodies one server receives for one operation, each with its check. */
export function requestsFor(server: ServerKind, operation: Operation, fixtures: Fixtures): LoadRequest[] {
  return variablesFor(server, operation, fixtures).map((variables) => {
    const body =
      server === 'floor'
        ? { operationName: OPERATION_NAME[operation], variables }
        : {
            query: (server === 'ours' ? OUR_QUERIES : PEER_QUERIES)[operation],
            operationName: OPERATION_NAME[operation],
            variables,
          };
    return { body: JSON.stringify(body), check: (response: string) => checkBody(server, operation, response) };
  });
}

/** The titles in an answer, in order: the three servers must agree on them. */
export function titlesIn(body: string): string[] {
  return [...body.matchAll(/"title":("(?:[^"\\]|\\.)*")/g)].map((match) => JSON.parse(match[1]) as string);
}
