/**
 * Time: undated articles never pose as news of the day they were imported (no trend, no timeline,
 * last in NEWEST), timelines fill the buckets between their first and last with zeros, and a
 * clustering window clusters recent articles only: topics whose articles all left it retire, and
 * the older articles keep the topic they had.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDuration } from '../src/config.js';
import { runClustering } from '../src/jobs/cluster.js';
import { type BbcLine, storeLines } from './helpers/bbc.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { themedArticles } from './helpers/themes.js';

const DAY = 86_400_000;
/** Midnight UTC, `days` ago: the dates the test gives its articles. */
const daysAgo = (days: number) => new Date(Math.floor(Date.now() / DAY) * DAY - days * DAY + 12 * 3_600_000).toISOString();

interface TopicResult {
  id: string;
  label: string;
  size: number;
  status: string;
  trend: number | null;
  latestArticleAt: string | null;
  timeline: { start: string; count: number }[];
}

describe('dates, timelines and clustering windows', () => {
  // Football two months ago, interest rates over the last ten days (every other day), phones undated.
  const sport: BbcLine[] = themedArticles('football', 30).map((line, i) => ({ ...line, publishedAt: daysAgo(60 - (i % 10)) }));
  const business: BbcLine[] = themedArticles('rates', 30).map((line, i) => ({ ...line, publishedAt: daysAgo(2 * (i % 5) + 1) }));
  const tech: BbcLine[] = themedArticles('phones', 30);
  let handle: TestDatabase;
  let server: TestServer;

  async function topics(status = 'ACTIVE'): Promise<TopicResult[]> {
    const result = await server.query<{ topics: { nodes: TopicResult[] } }>(
      `query ($s: TopicStatus) { topics(status: $s) { nodes { id label size status trend latestArticleAt timeline { start count } } } }`,
      { s: status },
    );
    expect(result.errors).toBeUndefined();
    return result.data!.topics.nodes;
  }

  /** The topic holding most of these articles (by title). */
  async function topicOf(lines: BbcLine[]): Promise<TopicResult> {
    const result = await server.query<{ articles: { nodes: { primaryTopic: { id: string } | null }[] } }>(
      'query ($s: String!) { articles(first: 1, filter: { search: $s }) { nodes { primaryTopic { id } } } }',
      { s: `"${lines[0].title.replace(/"/g, '')}"` },
    );
    const id = result.data?.articles.nodes[0]?.primaryTopic?.id;
    const all = [...(await topics('ACTIVE')), ...(await topics('RETIRED'))];
    return all.find((topic) => topic.id === id)!;
  }

  beforeAll(async () => {
    handle = await createTestDatabase();
    await storeLines(handle.db, [...sport, ...business, ...tech]);
    await runClustering(handle.db, { k: 3, seed: 1 });
    server = await startTestServer(handle);
  });
  afterAll(async () => {
    await server?.close();
    await handle?.close();
  });

  it('gives a topic of undated articles no trend, no latest date and no timeline', async () => {
    const undated = await topicOf(tech);
    expect(undated).toMatchObject({ trend: null, latestArticleAt: null, timeline: [] });
    expect(undated.size).toBe(30);
    const recent = await topicOf(business);
    const old = await topicOf(sport);
    expect(recent.trend).toBeGreaterThan(1);
    expect(old.trend).toBeLessThan(1);
    const trending = (await topics()).map((topic) => topic.id);
    expect(trending).toHaveLength(3);
    const ordered = await server.query<{ topics: { nodes: { id: string }[] } }>('{ topics(orderBy: TRENDING) { nodes { id } } }');
    expect(ordered.data?.topics.nodes.map((topic) => topic.id)).toEqual([recent.id, old.id, undated.id]);
  });

  it('fills the days without articles between a topic’s first and last with zeros', async () => {
    const recent = await topicOf(business);
    // Articles 9, 7, 5, 3 and 1 days ago: nine daily buckets, every other one empty.
    expect(recent.timeline.map((bucket) => bucket.count)).toEqual([6, 0, 6, 0, 6, 0, 6, 0, 6]);
    expect(recent.timeline[0].start).toBe(daysAgo(9).replace('T12:00:00.000Z', 'T00:00:00.000Z'));
    const weeks = await server.query<{ topic: { timeline: { count: number }[] } }>(
      'query ($id: ID!) { topic(id: $id) { timeline(granularity: MONTH) { count } } }',
      { id: recent.id },
    );
    expect(weeks.data?.topic.timeline.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(30);
  });

  it('sorts undated articles after the dated ones, newest or oldest first', async () => {
    type Page = { articles: { nodes: { publishedAt: string | null }[] } };
    const newest = await server.query<Page>('{ articles(first: 100) { nodes { publishedAt } } }');
    const oldest = await server.query<Page>('{ articles(first: 100, orderBy: OLDEST) { nodes { publishedAt } } }');
    for (const [page, direction] of [
      [newest, -1],
      [oldest, 1],
    ] as const) {
      const dates = page.data!.articles.nodes.map((node) => node.publishedAt);
      expect(dates).toHaveLength(90);
      expect(dates.slice(60)).toEqual(Array(30).fill(null));
      const dated = dates.slice(0, 60) as string[];
      expect(dated).toEqual([...dated].sort((a, b) => direction * a.localeCompare(b)));
    }
    const feed = await server.query<{ topic: { articles: { nodes: { publishedAt: string | null }[] } } }>(
      'query ($id: ID!) { topic(id: $id) { articles(first: 50, orderBy: NEWEST) { nodes { publishedAt } } } }',
      { id: (await topicOf(tech)).id },
    );
    expect(feed.data?.topic.articles.nodes.every((node) => node.publishedAt === null)).toBe(true);
  });

  /** A topic's NEWEST feed read page by page through its cursors: [publishedAt, id] of each article. */
  async function newestFeed(topicId: string, pageSize: number): Promise<[string | null, string][]> {
    type Page = {
      topic: {
        articles: { pageInfo: { endCursor: string; hasNextPage: boolean }; nodes: { id: string; publishedAt: string | null }[] };
      };
    };
    const read: [string | null, string][] = [];
    let after: string | null = null;
    for (let page = 0; page < 100; page++) {
      const result: { data?: Page; errors?: unknown } = await server.query<Page>(
        `query ($id: ID!, $first: Int!, $after: String) { topic(id: $id) {
          articles(first: $first, after: $after, orderBy: NEWEST) { pageInfo { endCursor hasNextPage } nodes { id publishedAt } } } }`,
        { id: topicId, first: pageSize, after },
      );
      expect(result.errors).toBeUndefined();
      const { nodes, pageInfo } = result.data!.topic.articles;
      read.push(...nodes.map((node): [string | null, string] => [node.publishedAt, node.id]));
      if (!pageInfo.hasNextPage) return read;
      after = pageInfo.endCursor;
    }
    throw new Error('the feed did not end');
  }

  it('pages a dated topic’s NEWEST feed in publication order, articles placed after the run included', async () => {
    const recent = await topicOf(business);
    // Imported after the run, dated today: placed into the topic by the run's model.
    const [latest] = themedArticles('rates', 31).slice(30);
    await storeLines(handle.db, [{ ...latest, publishedAt: daysAgo(0) }]);
    const feed = await newestFeed(recent.id, 7);
    expect(feed).toHaveLength(31);
    expect(new Set(feed.map(([, id]) => id)).size).toBe(31);
    expect(feed[0][0]).toBe(daysAgo(0));
    // Newest first; articles of one day by id, highest first (ids are base64 of "Article:<n>").
    const articleNumber = (id: string) => Number(Buffer.from(id, 'base64').toString().split(':')[1]);
    for (let i = 1; i < feed.length; i++) {
      const [previousDate, previousId] = feed[i - 1];
      const [date, id] = feed[i];
      expect(date! <= previousDate!).toBe(true);
      if (date === previousDate) expect(articleNumber(id)).toBeLessThan(articleNumber(previousId));
    }
  });

  it('clusters only a window: a topic whose articles all left it retires, and they keep it', async () => {
    const old = await topicOf(sport);
    const summary = await runClustering(handle.db, { k: 2, seed: 2, windowMs: parseDuration('--window', '30d') });
    // 60 articles of the last ten days, and the one the NEWEST test imported today.
    expect(summary.articleCount).toBe(61);
    expect(summary.carried).toBe(30);
    expect(summary.ended).toEqual([expect.objectContaining({ kind: 'RETIRED', label: old.label })]);
    expect(summary.topics.map((topic) => topic.kind)).toEqual(['CONTINUED', 'CONTINUED']);

    const retired = await server.query<{
      topic: {
        status: string;
        size: number;
        successors: unknown[];
        articles: { totalCount: number; edges: { node: { topics: { origin: string; topic: { id: string } }[] } }[] };
      };
    }>(
      `query ($id: ID!) { topic(id: $id) { status size successors { share }
        articles(first: 3) { totalCount edges { node { topics { origin topic { id } } } } } } }`,
      { id: old.id },
    );
    expect(retired.data?.topic).toMatchObject({ status: 'RETIRED', size: 30, successors: [] });
    expect(retired.data?.topic.articles.totalCount).toBe(30);
    // The carried memberships keep their articles' dates in the NEWEST order.
    const carriedDates = (await newestFeed(old.id, 12)).map(([date]) => date);
    expect(carriedDates).toHaveLength(30);
    expect(carriedDates).toEqual([...carriedDates].sort().reverse());
    for (const edge of retired.data!.topic.articles.edges) {
      expect(edge.node.topics).toEqual([{ origin: 'CARRIED', topic: { id: old.id } }]);
    }
    const run = await server.query<{ currentClusteringRun: { windowStart: string; articleCount: number } }>(
      '{ currentClusteringRun { windowStart articleCount } }',
    );
    expect(Date.parse(run.data!.currentClusteringRun.windowStart)).toBeCloseTo(Date.now() - 30 * DAY, -5);
    expect((await topics()).map((topic) => topic.size).sort()).toEqual([30, 31]);
  });

  it('reads durations as operators write them, and refuses others', () => {
    expect(parseDuration('--window', '30d')).toBe(30 * DAY);
    expect(parseDuration('--window', '12h')).toBe(12 * 3_600_000);
    expect(parseDuration('--window', '1.5s')).toBe(1_500);
    expect(parseDuration('--window', '250')).toBe(250);
    for (const bad of ['', '0d', '-3h', 'soon', '3 fortnights']) {
      expect(() => parseDuration('--window', bad)).toThrow(/--window must be a duration such as 30d/);
    }
  });
});
