/**
 * The GraphQL documents the explorer sends, each with the type of its answer (written by hand
 * from schema.graphql; the documents ask for exactly these fields).
 */

export interface TimelineBucket {
  start: string;
  count: number;
}

export interface TopicRef {
  id: string;
  slug: string;
  label: string;
}

export interface OverviewTopic extends TopicRef {
  size: number;
  trend: number | null;
  latestArticleAt: string | null;
  timeline: TimelineBucket[];
  relatedTopics: { score: number; topic: { id: string } }[];
}

export interface MapPoint {
  x: number;
  y: number;
  topic: { id: string };
}

export interface OverviewData {
  currentClusteringRun: {
    id: string;
    k: number | null;
    articleCount: number | null;
    finishedAt: string | null;
    topicMap: MapPoint[];
  } | null;
  topics: { totalCount: number; nodes: OverviewTopic[] };
}

export const OVERVIEW = `query ExplorerOverview {
  currentClusteringRun { id k articleCount finishedAt topicMap { x y topic { id } } }
  topics(first: 100, orderBy: SIZE) {
    totalCount
    nodes {
      id slug label size trend latestArticleAt
      timeline(granularity: DAY) { start count }
      relatedTopics { score topic { id } }
    }
  }
}`;

export type ChangeKind = 'BORN' | 'CONTINUED' | 'MERGED' | 'SPLIT' | 'RETIRED';

export interface TopicShare {
  share: number;
  articles: number;
  topic: TopicRef;
}

export interface TopicChange {
  kind: ChangeKind;
  ended: boolean;
  label: string;
  size: number;
  run: { id: string; finishedAt: string | null };
  from: TopicShare[];
  to: TopicShare[];
}

export interface TopicDetail extends TopicRef {
  size: number;
  status: 'ACTIVE' | 'RETIRED';
  trend: number | null;
  bornAt: string;
  retiredAt: string | null;
  keywords: { term: string; weight: number }[];
  relatedTopics: { score: number; topic: TopicRef }[];
  successors: TopicShare[];
  timeline: TimelineBucket[];
  history: { totalCount: number; nodes: TopicChange[] };
}

const SHARE = 'share articles topic { id slug label }';

export const TOPIC = `query ExplorerTopic($slug: String!) {
  topic(slug: $slug) {
    id slug label size status trend bornAt retiredAt
    keywords { term weight }
    relatedTopics { score topic { id slug label } }
    successors { ${SHARE} }
    timeline(granularity: DAY) { start count }
    history(first: 100) {
      totalCount
      nodes { kind ended label size run { id finishedAt } from { ${SHARE} } to { ${SHARE} } }
    }
  }
}`;

export interface ArticleSummary {
  id: string;
  title: string;
  excerpt: string;
  publishedAt: string | null;
  source: { name: string } | null;
}

const ARTICLE_SUMMARY = 'id title excerpt(length: 240) publishedAt source { name }';

export type FeedOrder = 'RELEVANCE' | 'NEWEST';

export interface FeedEdge {
  cursor: string;
  score: number;
  weak: boolean;
  node: ArticleSummary;
}

export interface FeedData {
  topic: {
    articles: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: FeedEdge[] };
  } | null;
}

export const FEED_PAGE_SIZE = 20;

export const FEED = `query ExplorerFeed($id: ID!, $order: TopicArticleOrder!, $after: String) {
  topic(id: $id) {
    articles(first: ${FEED_PAGE_SIZE}, orderBy: $order, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor score weak node { ${ARTICLE_SUMMARY} } }
    }
  }
}`;

export interface ArticleAddedData {
  articleAdded: { score: number; topic: { id: string }; article: ArticleSummary };
}

export const ARTICLE_ADDED = `subscription ExplorerArticleAdded($topicId: ID!) {
  articleAdded(topicId: $topicId) { score topic { id } article { ${ARTICLE_SUMMARY} } }
}`;

export interface ArticleDetail {
  id: string;
  title: string;
  body: string;
  url: string | null;
  publishedAt: string | null;
  source: { name: string } | null;
  topics: { score: number; weak: boolean; origin: string; matchedTerms: string[]; topic: TopicRef }[];
  relatedArticles: {
    kind: 'EDITORIAL' | 'SIMILAR';
    score: number | null;
    article: { id: string; title: string; publishedAt: string | null; source: { name: string } | null };
  }[];
}

export const ARTICLE = `query ExplorerArticle($id: ID!) {
  article(id: $id) {
    id title body url publishedAt source { name }
    topics { score weak origin matchedTerms topic { id slug label } }
    relatedArticles { kind score article { id title publishedAt source { name } } }
  }
}`;

export interface SearchEdge {
  cursor: string;
  snippet: string | null;
  node: { id: string; title: string; publishedAt: string | null; source: { name: string } | null; primaryTopic: TopicRef | null };
}

export interface SearchData {
  articles: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: SearchEdge[] };
}

export const SEARCH = `query ExplorerSearch($search: String!, $after: String) {
  articles(first: 20, after: $after, orderBy: RELEVANCE, filter: { search: $search }) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor snippet node { id title publishedAt source { name } primaryTopic { id slug label } } }
  }
}`;

export interface Timings {
  load: number | null;
  vectorise: number | null;
  reduce: number | null;
  cluster: number | null;
  label: number | null;
  relate: number | null;
  write: number | null;
}

export interface RunSummary {
  id: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  isCurrent: boolean;
  k: number | null;
  requestedK: number | null;
  articleCount: number | null;
  topicCount: number;
  reason: string | null;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
  kSelection: { method: string; chosen: number; tried: { k: number; score: number }[] } | null;
  quality: { inertia: number; silhouette: number | null } | null;
  timings: Timings | null;
}

export interface RunsData {
  clusteringRuns: { totalCount: number; nodes: RunSummary[] };
}

export const RUNS = `query ExplorerRuns {
  clusteringRuns(first: 20) {
    totalCount
    nodes {
      id status isCurrent k requestedK articleCount topicCount reason error startedAt finishedAt
      kSelection { method chosen tried { k score } }
      quality { inertia silhouette }
      timings { load vectorise reduce cluster label relate write }
    }
  }
}`;
