/**
 * Every topic and every search as a feed, in Atom 1.0, RSS 2.0 and JSON Feed 1.1, as a yoga plugin:
 *
 *   /topics/SLUG/feed.atom | .rss | .json   the topic's newest articles
 *   /search/feed.atom | .rss | .json?q=…    the newest articles matching a search
 *
 * A feed is read with a GraphQL query through the server's own GraphQL endpoint (`runQuery`): the
 * same fields, limits, response cache and outage errors as any client's query; there is one way to
 * read a topic feed. The body is a pure function of the answer, so its hash is the ETag: it changes
 * with any new entry, clustering run or retirement, and `If-None-Match` (or `If-Modified-Since`)
 * gets 304.
 */
import { createHash } from 'node:crypto';
import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { FEED_CONTENT_TYPES, type Feed, type FeedEntry, type FeedFormat, type FeedLink, writeFeed } from '../feeds/feed.js';
import { RETRY_AFTER_SECONDS } from './unavailable.js';

/** Entries per feed: the newest ones. */
export const FEED_ENTRIES = 50;
/** Characters of each entry's summary (the article's excerpt). */
export const FEED_SUMMARY_LENGTH = 400;
/**
 * Entry and feed ids are tag URIs (RFC 4151) built from global ids, which never change: an article
 * keeps its id across clustering runs, whatever host the feed is read from.
 */
export const FEED_TAG_PREFIX = 'tag:news-topics,2026:';

/** Runs a query as a client's POST /graphql would: the answer and its HTTP status. */
export type FeedQueryRunner = (
  query: string,
  variables: Record<string, unknown>,
  request: Request,
) => Promise<{ status: number; result: ExecutionResult }>;

const ARTICLE_FIELDS = `id title url excerpt(length: ${FEED_SUMMARY_LENGTH}) publishedAt storedAt source { name }`;

export const TOPIC_FEED_QUERY = `query TopicFeedOut($slug: String!) {
  topic(slug: $slug) {
    id slug label status retiredAt
    run { finishedAt }
    successors { share articles topic { slug label } }
    articles(first: ${FEED_ENTRIES}, orderBy: NEWEST) { nodes { ${ARTICLE_FIELDS} } }
  }
}`;

export const SEARCH_FEED_QUERY = `query SearchFeedOut($q: String!) {
  articles(first: ${FEED_ENTRIES}, orderBy: NEWEST, filter: { search: $q }) { nodes { ${ARTICLE_FIELDS} } }
  currentClusteringRun { finishedAt }
}`;

interface FeedArticle {
  id: string;
  title: string;
  url: string | null;
  excerpt: string;
  publishedAt: string | null;
  storedAt: string;
  source: { name: string } | null;
}

interface TopicFeedData {
  topic: {
    id: string;
    slug: string;
    label: string;
    status: 'ACTIVE' | 'RETIRED';
    retiredAt: string | null;
    run: { finishedAt: string | null };
    successors: { share: number; articles: number; topic: { slug: string; label: string } }[];
    articles: { nodes: FeedArticle[] };
  } | null;
}

interface SearchFeedData {
  articles: { nodes: FeedArticle[] };
  currentClusteringRun: { finishedAt: string | null } | null;
}

const TOPIC_FEED_PATH = /^\/topics\/([^/]+)\/feed\.(atom|rss|json)$/;
const SEARCH_FEED_PATH = /^\/search\/feed\.(atom|rss|json)$/;

/** The feed of a topic in a format, as a path. */
export function topicFeedPath(slug: string, format: FeedFormat): string {
  return `/topics/${encodeURIComponent(slug)}/feed.${format}`;
}

/** A failure the client is told about in plain text. */
class FeedError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The latest of some instants (ISO 8601), or undefined when none is given. */
function latest(instants: (string | null | undefined)[]): string | undefined {
  let best: number | undefined;
  for (const instant of instants) {
    const time = instant ? Date.parse(instant) : Number.NaN;
    if (!Number.isNaN(time) && (best === undefined || time > best)) best = time;
  }
  return best === undefined ? undefined : new Date(best).toISOString();
}

function articleEntry(article: FeedArticle, origin: string): FeedEntry {
  return {
    id: `${FEED_TAG_PREFIX}${article.id}`,
    title: article.title,
    // The article's page in the explorer: every article has one, with or without a `url`.
    link: `${origin}/articles/${encodeURIComponent(article.id)}`,
    relatedLink: article.url ?? undefined,
    summary: article.excerpt,
    // An undated article is dated by its import, so that readers sort it among the new ones.
    date: new Date(article.publishedAt ?? article.storedAt).toISOString(),
    author: article.source?.name,
  };
}

/** GraphQL errors as the client's HTTP answer: its own mistakes 400, an outage 503, anything else 500. */
function checkAnswer(answer: { status: number; result: ExecutionResult }): void {
  const errors = answer.result.errors ?? [];
  if (errors.length === 0 && answer.status < 400) return;
  const codes = errors.map((error) => (error.extensions as { code?: unknown } | undefined)?.code);
  const message = errors.map((error) => error.message).join('; ');
  if (codes.includes('UNAVAILABLE')) throw new FeedError(503, message, { 'retry-after': String(RETRY_AFTER_SECONDS) });
  if (codes.includes('BAD_USER_INPUT')) throw new FeedError(400, message);
  throw new FeedError(500, `the feed could not be read: ${message || `HTTP ${answer.status}`}`);
}

async function topicFeed(
  runQuery: FeedQueryRunner,
  request: Request,
  origin: string,
  slug: string,
  format: FeedFormat,
): Promise<Feed> {
  const answer = await runQuery(TOPIC_FEED_QUERY, { slug }, request);
  checkAnswer(answer);
  const { topic } = answer.result.data as unknown as TopicFeedData;
  if (topic === null) throw new FeedError(404, `no topic has the slug "${slug}"`);
  const entries = topic.articles.nodes.map((article) => articleEntry(article, origin));
  const successors: FeedLink[] = topic.successors.map((successor) => ({
    href: `${origin}${topicFeedPath(successor.topic.slug, format)}`,
    title: successor.topic.label,
  }));
  const updated =
    latest([...topic.articles.nodes.map((article) => article.storedAt), topic.run.finishedAt, topic.retiredAt]) ??
    new Date(0).toISOString();
  const homeLink = `${origin}/topics/${encodeURIComponent(topic.slug)}`;
  if (topic.status === 'RETIRED') {
    const retiredAt = new Date(topic.retiredAt ?? updated).toISOString();
    // The ending comes first, as the newest news of the feed; readers that show no feed-level
    // links still see where the topic went.
    const endings: FeedEntry[] =
      topic.successors.length > 0
        ? topic.successors.map((successor, index) => ({
            id: `${FEED_TAG_PREFIX}${topic.id}/continued-in/${successor.topic.slug}`,
            title: `“${topic.label}” continues in “${successor.topic.label}”`,
            link: successors[index].href,
            summary:
              `This topic ended in a clustering run; ${successor.articles} of its articles ` +
              `(${Math.round(successor.share * 100)}%) went to the topic “${successor.topic.label}”. Follow its feed: ${successors[index].href}`,
            date: retiredAt,
          }))
        : [
            {
              id: `${FEED_TAG_PREFIX}${topic.id}/ended`,
              title: `“${topic.label}” has ended`,
              link: homeLink,
              summary: 'This topic ended in a clustering run and no other topic took its articles.',
              date: retiredAt,
            },
          ];
    entries.unshift(...endings);
  }
  return {
    id: `${FEED_TAG_PREFIX}${topic.id}`,
    title: topic.label,
    description:
      topic.status === 'RETIRED'
        ? `The topic “${topic.label}” has ended${successors.length > 0 ? `; it continues in ${successors.map((s) => `“${s.title}”`).join(', ')}` : ''}.`
        : `The newest articles of the topic “${topic.label}”.`,
    selfLink: `${origin}${topicFeedPath(topic.slug, format)}`,
    homeLink,
    updated,
    ended: topic.status === 'RETIRED',
    successors,
    entries,
  };
}

async function searchFeed(
  runQuery: FeedQueryRunner,
  request: Request,
  origin: string,
  url: URL,
  format: FeedFormat,
): Promise<Feed> {
  const q = url.searchParams.get('q')?.trim() ?? '';
  if (q === '') throw new FeedError(400, `a search feed needs a search term: /search/feed.${format}?q=interest+rates`);
  const answer = await runQuery(SEARCH_FEED_QUERY, { q }, request);
  checkAnswer(answer);
  const data = answer.result.data as unknown as SearchFeedData;
  const query = new URLSearchParams({ q }).toString();
  return {
    id: `${FEED_TAG_PREFIX}search?${query}`,
    title: `Search: ${q}`,
    description: `The newest articles matching the search ${q}.`,
    selfLink: `${origin}/search/feed.${format}?${query}`,
    homeLink: `${origin}/search?${query}`,
    // A search's matches do not depend on clustering: the run's time only dates a feed without any.
    updated:
      latest(data.articles.nodes.map((article) => article.storedAt)) ??
      latest([data.currentClusteringRun?.finishedAt]) ??
      new Date(0).toISOString(),
    ended: false,
    successors: [],
    entries: data.articles.nodes.map((article) => articleEntry(article, origin)),
  };
}

/** Weak comparison (RFC 9110 8.8.3.2): the `W/` prefix does not count. */
function sameTag(a: string, b: string): boolean {
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return opaque(a) === opaque(b);
}

/**
 * Whether the client's copy is current. `If-None-Match` decides when present (RFC 9110 13.2.2);
 * else `If-Modified-Since`, to the second, as HTTP dates go.
 */
function isNotModified(request: Request, etag: string, lastModified: string): boolean {
  const ifNoneMatch = request.headers.get('if-none-match');
  if (ifNoneMatch !== null) return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || sameTag(tag, etag));
  const since = Date.parse(request.headers.get('if-modified-since') ?? '');
  return !Number.isNaN(since) && Math.floor(Date.parse(lastModified) / 1000) * 1000 <= since;
}

type RequestPayload = Parameters<NonNullable<Plugin['onRequest']>>[0];

export function feedsPlugin(runQuery: FeedQueryRunner): Plugin {
  return {
    // Synchronous for every other request: a GraphQL request does not wait on this plugin.
    onRequest(payload) {
      const topicPath = TOPIC_FEED_PATH.exec(payload.url.pathname);
      const searchPath = topicPath ? null : SEARCH_FEED_PATH.exec(payload.url.pathname);
      if (!topicPath && !searchPath) return;
      return serveFeed(runQuery, payload, topicPath, searchPath);
    },
  };
}

/** Answers a feed request: `topicPath` or `searchPath` is its path's match. */
async function serveFeed(
  runQuery: FeedQueryRunner,
  { request, url, endResponse, fetchAPI }: RequestPayload,
  topicPath: RegExpExecArray | null,
  searchPath: RegExpExecArray | null,
): Promise<void> {
  const text = (status: number, message: string, headers: Record<string, string> = {}) =>
    endResponse(
      new fetchAPI.Response(`${message}\n`, {
        status,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers },
      }),
    );
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    text(405, `feeds are read with GET, not ${request.method}`, { allow: 'GET, HEAD' });
    return;
  }
  const format = (topicPath?.[2] ?? searchPath?.[1]) as FeedFormat;
  try {
    let feed: Feed;
    if (topicPath) {
      let slug: string;
      try {
        slug = decodeURIComponent(topicPath[1]);
      } catch {
        throw new FeedError(400, `"${topicPath[1]}" is not a percent-encoded slug`);
      }
      feed = await topicFeed(runQuery, request, url.origin, slug, format);
    } else {
      feed = await searchFeed(runQuery, request, url.origin, url, format);
    }
    const body = writeFeed(feed, format);
    const etag = `W/"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    const headers = {
      etag,
      'last-modified': new Date(feed.updated).toUTCString(),
      // Readers revalidate at every poll; a 304 costs one query and no transfer.
      'cache-control': 'no-cache',
    };
    if (isNotModified(request, etag, feed.updated)) {
      endResponse(new fetchAPI.Response(null, { status: 304, headers }));
      return;
    }
    endResponse(
      new fetchAPI.Response(request.method === 'HEAD' ? null : body, {
        headers: {
          ...headers,
          'content-type': FEED_CONTENT_TYPES[format],
          'content-length': String(Buffer.byteLength(body)),
        },
      }),
    );
  } catch (error) {
    if (!(error instanceof FeedError)) throw error;
    text(error.status, error.message, error.headers);
  }
}
