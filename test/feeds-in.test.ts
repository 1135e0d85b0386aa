/**
 * Feeds in: RSS 2.0 and Atom documents become articles through the JSONL import's validation and
 * store (idempotent, entries rejected alone, a malformed document imports nothing), by
 * `npm run seed -- --feed` and by the server's poller (FEEDS), which fetches feeds served here on
 * 127.0.0.1 with conditional GET, a time limit and backoff, shares its per-feed state through the
 * database, and shows it to operators in the `feeds` query.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { articles, articleTopics, feeds } from '../src/db/schema.js';
import { feedDateToIso } from '../src/feeds/feed-date.js';
import { htmlToLine, htmlToText } from '../src/feeds/html-text.js';
import { decodeFeedBytes, FeedFormatError, parseFeedDocument } from '../src/feeds/parse-feed.js';
import { runClustering } from '../src/jobs/cluster.js';
import { importFeedDocument } from '../src/jobs/feed-import.js';
import { createFeedPoller, type FeedPoller, feedRetryDelayMs } from '../src/jobs/feed-poller.js';
import { createCorpusDatabase, createTestDatabase, driverUnderTest, type TestDatabase } from './helpers/database.js';
import { startTestServer } from './helpers/server.js';

const root = path.join(import.meta.dirname, '..');
const fixtures = path.join(import.meta.dirname, 'fixtures', 'feeds');
const fixture = (name: string) => readFileSync(path.join(fixtures, name));

describe('reading a feed document', () => {
  it('turns HTML into the text a reader sees: tags removed, entities decoded, white space collapsed', () => {
    expect(htmlToText('<p>One&nbsp;&amp; <b>two</b></p>\n\n<p>Three&#8217;s <a href="x">four</a></p>')).toBe(
      'One & two\n\nThree’s four',
    );
    expect(htmlToText('Before<script>alert("x")</script><style>p{}</style><!-- note -->after')).toBe('Before after');
    expect(htmlToText('line one<br>line two')).toBe('line one line two');
    // Escaped markup is text: decoded after the tags go, it stays visible, never becomes a tag.
    expect(htmlToText('Use &lt;b&gt; for bold')).toBe('Use <b> for bold');
    expect(htmlToLine('5 < 6 and <em>x</em> <3')).toBe('5 < 6 and x <3');
    expect(htmlToLine('  <h1>A\n  headline</h1>  ')).toBe('A headline');
  });

  it('reads RFC 822 and ISO 8601 dates without rolling an impossible one over', () => {
    expect(feedDateToIso('Sat, 14 Jun 2025 08:30:00 GMT', 'pubDate')).toBe('2025-06-14T08:30:00+00:00');
    expect(feedDateToIso('Fri, 13 Jun 2025 17:05 +0200', 'pubDate')).toBe('2025-06-13T17:05:00+02:00');
    expect(feedDateToIso('3 Jan 05 09:00:00 PST', 'pubDate')).toBe('2005-01-03T09:00:00-08:00');
    expect(feedDateToIso('2025-06-12T09:00:00Z', 'updated')).toBe('2025-06-12T09:00:00Z');
    // Kept as written: the article validation refuses day 31 of June.
    expect(feedDateToIso('Tue, 31 Jun 2025 10:00:00 GMT', 'pubDate')).toBe('2025-06-31T10:00:00+00:00');
    expect(() => feedDateToIso('last Tuesday', 'pubDate')).toThrow(
      '"pubDate" is not an RFC 822 or ISO 8601 date: "last Tuesday"',
    );
    expect(() => feedDateToIso('14 Jun 2025 08:30:00 XYZ', 'pubDate')).toThrow('time zone');
  });

  it('maps RSS 2.0 items to articles: guid or link as the id, HTML titles and bodies as text, the channel as the source', () => {
    const feed = parseFeedDocument(decodeFeedBytes(fixture('rss-harbour.xml')), 'https://gazette.example/rss.xml');
    expect(feed.format).toBe('rss');
    expect(feed.title).toBe('Harbour & City Gazette');
    const [first, second, third, fourth] = feed.entries.map((entry) => ('article' in entry ? entry.article : entry.reason));
    expect(first).toEqual({
      title: 'Ferry strike ends after “three long days”',
      body:
        'The harbour’s ferry crews went back to work on Saturday after the union & the operator agreed on pay.\n\n' +
        'Services to the outer islands resume on Monday.',
      externalId: 'https://gazette.example/2025/06/ferry-strike-ends',
      url: 'https://gazette.example/2025/06/ferry-strike-ends',
      source: 'Harbour & City Gazette',
      publishedAt: '2025-06-14T08:30:00+00:00',
    });
    // content:encoded rather than the description; a bare guid qualified by the channel's link.
    expect(second).toMatchObject({
      externalId: 'https://gazette.example/#gazette-4411',
      body: 'Vote\n\nThe council voted 9 to 2 for the covered fish market on the old quay.\n\nOpening: spring\n\nCost: 4 million',
    });
    // No date: an undated article. A relative link resolved against the channel's.
    expect(third).toMatchObject({ publishedAt: null, url: 'https://gazette.example/2025/06/lighthouse-keeper' });
    // No guid: the link is the id; dc:date stands in for pubDate.
    expect(fourth).toMatchObject({ externalId: 'https://gazette.example/2025/06/regatta', publishedAt: '2025-06-12T09:00:00Z' });
  });

  it('maps Atom entries: html and xhtml text constructs as text, plain text kept as it is, published before updated', () => {
    const feed = parseFeedDocument(decodeFeedBytes(fixture('atom-observatory.xml')));
    expect(feed.format).toBe('atom');
    expect(feed.title).toBe('The Observatory Letter');
    expect(feed.entries).toEqual([
      {
        number: 1,
        article: {
          title: 'Comet visible at dawn',
          body: 'The comet is bright enough to see without a telescope & rises an hour before the sun.',
          externalId: 'tag:observatory.example,2025:comet',
          url: 'https://observatory.example/comet',
          source: 'The Observatory Letter',
          publishedAt: '2025-06-13T05:00:00+02:00',
        },
      },
      {
        number: 2,
        article: {
          title: 'Telescope dome repaired: 5 < 6 panels replaced',
          body: 'The dome turns again after the storm damage was repaired.',
          externalId: 'tag:observatory.example,2025:dome',
          url: 'https://observatory.example/dome',
          source: 'The Observatory Letter',
          publishedAt: '2025-06-11T12:00:00Z',
        },
      },
    ]);
  });

  it('refuses a document that is not well-formed XML, or not a feed, with where and why', () => {
    const read = (text: string) => () => parseFeedDocument(text);
    expect(read(fixture('malformed.xml').toString())).toThrow(FeedFormatError);
    expect(read(fixture('malformed.xml').toString())).toThrow(
      "not well-formed XML (line 14, column 5: Expected closing tag 'title' (opened in line 12, col 7) instead of closing tag 'item'.)",
    );
    // Cut off before its end: feedsmith alone would read it as a shorter feed.
    expect(read('<rss version="2.0"><channel><title>x</title><item><title>a</title></item></channel>')).toThrow(
      /not well-formed XML \(line 1, column 1: Unclosed tag 'rss'/,
    );
    expect(read('<html><body>Not a feed</body></html>')).toThrow('not an RSS 2.0 or Atom feed');
    expect(read('')).toThrow(FeedFormatError);
  });

  it('decodes the bytes by byte order mark, HTTP charset or XML declaration, and refuses bytes invalid in it', () => {
    const latin1 = Buffer.from(
      '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>Caf\xe9</title></channel></rss>',
      'latin1',
    );
    expect(parseFeedDocument(decodeFeedBytes(latin1)).title).toBe('Café');
    const utf8 = Buffer.from('<rss version="2.0"><channel><title>Café</title></channel></rss>');
    expect(parseFeedDocument(decodeFeedBytes(utf8, 'utf-8')).title).toBe('Café');
    expect(() => decodeFeedBytes(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x3c]))).toThrow('the feed is not valid utf-8');
    expect(() => decodeFeedBytes(utf8, 'x-unknown')).toThrow('encoding "x-unknown" is not one this import reads');
  });
});

describe(`feed import on ${driverUnderTest}`, () => {
  let handle: TestDatabase;
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(() => handle?.close());

  it('stores each entry once, however often it is given: twice in one feed, or the feed imported again', async () => {
    const document = { bytes: fixture('rss-harbour.xml'), location: 'harbour.xml' };
    const first = await importFeedDocument(handle.db, document);
    expect(first).toMatchObject({ format: 'rss', entries: 5, inserted: 4, alreadyPresent: 1, rejected: [] });
    expect(first.createdIds).toHaveLength(4);
    const again = await importFeedDocument(handle.db, document);
    expect(again).toMatchObject({ inserted: 0, alreadyPresent: 5, rejected: [] });
    expect(await handle.db.$count(articles)).toBe(4);

    const stored = await handle.db.query.articles.findFirst({
      where: { externalId: 'https://gazette.example/#gazette-4412' },
      with: { source: true },
    });
    expect(stored).toMatchObject({
      title: 'Lighthouse keeper retires',
      publishedAt: null,
      url: 'https://gazette.example/2025/06/lighthouse-keeper',
    });
    expect(stored?.source?.name).toBe('Harbour & City Gazette');
    const ferry = await handle.db.query.articles.findFirst({
      where: { externalId: 'https://gazette.example/2025/06/ferry-strike-ends' },
    });
    expect(ferry?.title).toBe('Ferry strike ends after “three long days”');
    expect(new Date(ferry?.publishedAt ?? '').toISOString()).toBe('2025-06-14T08:30:00.000Z');
  });

  it('rejects the entries that are not articles, each with its number and reason, and stores the rest', async () => {
    const summary = await importFeedDocument(handle.db, { bytes: fixture('rss-bad-entries.xml'), location: 'bad.xml' });
    expect(summary.inserted).toBe(1);
    expect(summary.rejected).toEqual([
      { number: 1, reason: 'missing "title"' },
      {
        number: 2,
        reason: '"publishedAt" is not a real date and time: "2025-06-31T10:00:00+00:00" (day 31 is outside 01–30)',
      },
      { number: 3, reason: '"pubDate" is not an RFC 822 or ISO 8601 date: "last Tuesday"' },
      { number: 4, reason: 'missing "body"' },
    ]);
    const good = await handle.db.query.articles.findFirst({ where: { externalId: 'https://rejects.example/good' } });
    expect(new Date(good?.publishedAt ?? '').toISOString()).toBe('2025-06-11T14:00:00.000Z');
  });

  it('imports nothing of a malformed document', async () => {
    const before = await handle.db.$count(articles);
    await expect(importFeedDocument(handle.db, { bytes: fixture('malformed.xml'), location: 'malformed.xml' })).rejects.toThrow(
      /^not well-formed XML \(line 14/,
    );
    expect(await handle.db.$count(articles)).toBe(before);
  });

  it('rejects an entry whose id is stored with other content, as a conflict', async () => {
    const changed = fixture('atom-observatory.xml').toString().replace('rises an hour', 'rises two hours');
    const first = await importFeedDocument(handle.db, { bytes: fixture('atom-observatory.xml'), location: 'o.atom' });
    expect(first).toMatchObject({ inserted: 2, rejected: [] });
    const second = await importFeedDocument(handle.db, { bytes: Buffer.from(changed), location: 'o.atom' });
    expect(second.rejected).toEqual([
      {
        number: 1,
        reason: 'conflict: an article with id "tag:observatory.example,2025:comet" is already stored with different content',
      },
    ]);
    expect(second.alreadyPresent).toBe(1);
  });
});

describe(`feed import into topics on ${driverUnderTest}`, () => {
  let handle: TestDatabase;
  beforeAll(async () => {
    handle = await createCorpusDatabase();
    await runClustering(handle.db, { k: 5, reason: 'test' });
  }, 120_000);
  afterAll(() => handle?.close());

  it('places the new articles into the current run’s topics, as a JSONL import does', async () => {
    const summary = await importFeedDocument(handle.db, { bytes: fixture('rss-harbour.xml'), location: 'harbour.xml' });
    expect(summary.inserted).toBe(4);
    const placed = await handle.db.select().from(articleTopics).where(eq(articleTopics.articleId, summary.createdIds[0]));
    expect(placed).toHaveLength(1);
  });
});

/** Feeds served on 127.0.0.1, with what each request asked. */
interface FeedServer {
  url(route: string): string;
  requests: { path: string; ifNoneMatch: string | undefined; ifModifiedSince: string | undefined }[];
  /** How long /slow waits before it answers. */
  slowMs: number;
  close(): Promise<void>;
}

async function serveFeeds(): Promise<FeedServer> {
  const harbour = fixture('rss-harbour.xml');
  const etag = '"harbour-v1"';
  const lastModified = 'Sat, 14 Jun 2025 09:00:00 GMT';
  const state: Omit<FeedServer, 'url' | 'close'> = { requests: [], slowMs: 10_000 };
  const server: Server = createServer((request: IncomingMessage, response) => {
    const route = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const ifNoneMatch = request.headers['if-none-match'];
    state.requests.push({ path: route, ifNoneMatch, ifModifiedSince: request.headers['if-modified-since'] });
    if (route === '/harbour.xml') {
      if (ifNoneMatch === etag) {
        response.writeHead(304, { etag }).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag, 'last-modified': lastModified });
      response.end(harbour);
    } else if (route === '/observatory.atom') {
      response.writeHead(200, { 'content-type': 'application/atom+xml' }).end(fixture('atom-observatory.xml'));
    } else if (route === '/malformed.xml') {
      response.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"broken"' }).end(fixture('malformed.xml'));
    } else if (route === '/slow.xml') {
      // Headers at once, the body never in time: the time limit covers the whole answer.
      response.writeHead(200, { 'content-type': 'application/rss+xml' });
      response.write('<?xml version="1.0"?><rss version="2.0"><channel>');
      const timer = setTimeout(() => response.end('</channel></rss>'), state.slowMs);
      response.on('close', () => clearTimeout(timer));
    } else if (route === '/moved.xml') {
      response.writeHead(301, { location: '/harbour.xml' }).end();
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: (route: string) => `http://127.0.0.1:${port}${route}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}

/** Makes every feed due now (instead of waiting out its interval or backoff). */
const makeDue = (db: TestDatabase['db']) => db.execute(sql`update ${feeds} set next_attempt_at = now()`);

const millisecondsBetween = (from: string | null, to: string | null) =>
  new Date(to ?? '').getTime() - new Date(from ?? '').getTime();

describe(`feed polling on ${driverUnderTest}`, () => {
  let handle: TestDatabase;
  let served: FeedServer;
  const pollers: FeedPoller[] = [];
  const logged: string[] = [];
  beforeAll(async () => {
    handle = await createTestDatabase();
    served = await serveFeeds();
  });
  afterEach(async () => {
    await Promise.all(pollers.splice(0).map((poller) => poller.stop()));
    await handle.db.delete(feeds);
    served.requests.length = 0;
  });
  afterAll(async () => {
    await served?.close();
    await handle?.close();
  });

  const poller = (urls: string[], options: { intervalMs?: number; timeoutMs?: number } = {}) => {
    const created = createFeedPoller({
      db: handle.db,
      settings: { urls, intervalMs: options.intervalMs ?? 60_000, timeoutMs: options.timeoutMs ?? 1_000 },
      log: (message) => logged.push(message),
      schedule: false,
    });
    pollers.push(created);
    return created;
  };

  it('imports a feed, then asks conditionally: a 304 imports nothing and updates the status', async () => {
    const url = served.url('/harbour.xml');
    const feedPoller = poller([url]);
    expect((await feedPoller.statuses())[0]).toMatchObject({ url, lastFetchedAt: null, articlesAdded: 0 });
    await feedPoller.pollDue();
    const [first] = await feedPoller.statuses();
    expect(first).toMatchObject({
      lastStatus: 200,
      lastError: null,
      articlesAdded: 4,
      lastRejected: 0,
      failures: 0,
      etag: '"harbour-v1"',
      lastModified: 'Sat, 14 Jun 2025 09:00:00 GMT',
    });
    expect(millisecondsBetween(first.lastFetchedAt, first.nextAttemptAt)).toBeCloseTo(60_000, -2);
    const stored = await handle.db.$count(articles);

    // Not due yet: nothing fetched.
    await feedPoller.pollDue();
    expect(served.requests).toHaveLength(1);

    await makeDue(handle.db);
    await feedPoller.pollDue();
    expect(served.requests[1]).toEqual({
      path: '/harbour.xml',
      ifNoneMatch: '"harbour-v1"',
      ifModifiedSince: 'Sat, 14 Jun 2025 09:00:00 GMT',
    });
    const [second] = await feedPoller.statuses();
    expect(second).toMatchObject({ lastStatus: 304, lastError: null, articlesAdded: 4, failures: 0 });
    expect(new Date(second.lastFetchedAt ?? '').getTime()).toBeGreaterThan(new Date(first.lastFetchedAt ?? '').getTime());
    expect(await handle.db.$count(articles)).toBe(stored);
  });

  it('records a 404, a timeout, a redirect and malformed XML as errors, and backs off doubling the wait', async () => {
    const urls = ['/missing.xml', '/slow.xml', '/moved.xml', '/malformed.xml'].map((route) => served.url(route));
    // A time limit a loaded machine still meets for the quick answers; the slow one takes 10 s.
    const feedPoller = poller(urls, { intervalMs: 1_000, timeoutMs: 1_000 });
    const before = await handle.db.$count(articles);
    const started = performance.now();
    await feedPoller.pollDue();
    // The slow server held its answer for 10 s; the poller gave up after 1 s.
    expect(performance.now() - started).toBeLessThan(5_000);
    const [missing, slow, moved, malformed] = await feedPoller.statuses();
    expect(missing).toMatchObject({ lastStatus: 404, lastError: 'HTTP 404 Not Found', failures: 1 });
    expect(slow).toMatchObject({ lastStatus: null, lastError: 'no complete answer within 1 s', failures: 1 });
    expect(moved).toMatchObject({ lastStatus: 301, failures: 1 });
    expect(moved.lastError).toBe(
      `HTTP 301: redirected to /harbour.xml; redirects are not followed, configure the feed's new URL`,
    );
    expect(malformed).toMatchObject({ lastStatus: 200, failures: 1, articlesAdded: 0, etag: null });
    expect(malformed.lastError).toMatch(/^not well-formed XML \(line 14, column 5: /);
    for (const status of [missing, slow, moved, malformed]) {
      expect(millisecondsBetween(status.lastFetchedAt, status.nextAttemptAt)).toBeCloseTo(2_000, -2);
    }
    expect(await handle.db.$count(articles)).toBe(before);
    // Only the configured URLs were asked: the redirect was not followed.
    expect(served.requests.map((request) => request.path).sort()).toEqual([
      '/malformed.xml',
      '/missing.xml',
      '/moved.xml',
      '/slow.xml',
    ]);

    await makeDue(handle.db);
    await feedPoller.pollDue();
    const [missingAgain] = await feedPoller.statuses();
    expect(missingAgain).toMatchObject({ failures: 2 });
    expect(millisecondsBetween(missingAgain.lastFetchedAt, missingAgain.nextAttemptAt)).toBeCloseTo(4_000, -2);
    // The broken feed's validators were not kept: it is asked in full again.
    expect(served.requests.filter((request) => request.path === '/malformed.xml').map((request) => request.ifNoneMatch)).toEqual([
      undefined,
      undefined,
    ]);
    expect(logged.some((line) => line.includes('/missing.xml: HTTP 404 Not Found; next attempt in 4 s'))).toBe(true);
  });

  it('doubles the wait with each failure in a row, up to a cap', () => {
    expect([0, 1, 2, 3].map((failures) => feedRetryDelayMs(600_000, failures))).toEqual([
      600_000, 1_200_000, 2_400_000, 4_800_000,
    ]);
    expect(feedRetryDelayMs(600_000, 20)).toBe(6 * 3_600_000);
    expect(feedRetryDelayMs(86_400_000, 3)).toBe(86_400_000);
  });

  it('lets one server fetch a feed while several poll the same database at once', async () => {
    const urls = [served.url('/harbour.xml'), served.url('/observatory.atom')];
    const servers = [poller(urls), poller(urls), poller(urls)];
    await Promise.all(servers.map((each) => each.pollDue()));
    expect(served.requests.map((request) => request.path).sort()).toEqual(['/harbour.xml', '/observatory.atom']);
    const statuses = await servers[2].statuses();
    expect(statuses.map((status) => status.lastStatus)).toEqual([200, 200]);
  });

  it('stops cleanly in the middle of a fetch, leaving the feed due for the next server', async () => {
    const url = served.url('/slow.xml');
    const feedPoller = poller([url], { timeoutMs: 5_000 });
    const polling = feedPoller.pollDue();
    while (served.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const started = performance.now();
    await feedPoller.stop();
    await polling;
    expect(performance.now() - started).toBeLessThan(1_000);
    const [row] = await handle.db.select().from(feeds);
    expect(row).toMatchObject({ lastFetchedAt: null, lastError: null, failures: 0 });
    const [{ due }] = await handle.db.select({ due: sql<boolean>`${feeds.nextAttemptAt} <= now()` }).from(feeds);
    expect(due).toBe(true);
  });
});

describe(`the server's FEEDS and the feeds query on ${driverUnderTest}`, () => {
  let handle: TestDatabase;
  let served: FeedServer;
  beforeAll(async () => {
    handle = await createTestDatabase();
    served = await serveFeeds();
  });
  afterAll(async () => {
    await served?.close();
    await handle?.close();
  });

  const FEEDS_QUERY = '{ feeds { url lastFetchedAt lastStatus lastError articlesAdded lastRejected failures nextAttemptAt } }';

  it('polls the configured feeds by itself and shows their state to operators only', async () => {
    const urls = [served.url('/harbour.xml'), served.url('/missing.xml')];
    const server = await startTestServer(handle, {
      apiToken: 'secret',
      responseCacheTtlMs: 10_000,
      feeds: { urls, intervalMs: 60_000, timeoutMs: 5_000 },
    });
    try {
      const asOperator = async (token = 'secret') => {
        const response = await fetch(`${server.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: FEEDS_QUERY }),
        });
        return (await response.json()) as {
          data?: { feeds: { url: string; lastStatus: number | null; articlesAdded: number; lastError: string | null }[] };
          errors?: { message: string; extensions: { code: string } }[];
        };
      };
      const deadline = Date.now() + 10_000;
      let answer = await asOperator();
      while (answer.data?.feeds.some((feed) => feed.lastStatus === null) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        answer = await asOperator();
      }
      expect(answer.errors).toBeUndefined();
      expect(answer.data?.feeds).toMatchObject([
        { url: urls[0], lastStatus: 200, articlesAdded: 4, lastError: null },
        { url: urls[1], lastStatus: 404, articlesAdded: 0, lastError: 'HTTP 404 Not Found' },
      ]);
      // Nobody else gets the operator's answer, from the cache or otherwise: asked again once the
      // import's change notices have cleared the cache, the answer would be cached if it could be.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await asOperator()).data?.feeds).toHaveLength(2);
      const anonymous = await server.query(FEEDS_QUERY);
      expect(anonymous.data).toBeNull();
      expect(anonymous.errors?.[0]).toMatchObject({
        message: 'The operator field "feeds" needs "Authorization: Bearer <API_TOKEN>".',
        extensions: { code: 'UNAUTHENTICATED' },
      });
      const wrong = await asOperator('not-the-token');
      expect(wrong.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
      // The articles are there for everyone.
      const search = await server.query<{ articles: { nodes: { title: string }[] } }>(
        '{ articles(first: 10, filter: { search: "ferry" }) { nodes { title } } }',
      );
      expect(search.data?.articles.nodes.map((node) => node.title)).toEqual(['Ferry strike ends after “three long days”']);
    } finally {
      await server.close();
    }
  });

  it('polls nothing when FEEDS is unset: the query answers an empty list', async () => {
    const server = await startTestServer(handle, { apiToken: 'secret' });
    try {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer secret' },
        body: JSON.stringify({ query: '{ feeds { url } }' }),
      });
      expect(await response.json()).toEqual({ data: { feeds: [] } });
    } finally {
      await server.close();
    }
  });

  it('reads FEEDS, FEEDS_INTERVAL and FEEDS_TIMEOUT, refusing what is not an http(s) URL or a duration', () => {
    expect(loadConfig({}).feeds).toEqual({ urls: [], intervalMs: 600_000, timeoutMs: 20_000 });
    expect(
      loadConfig({
        FEEDS: ' https://a.example/rss , http://b.example/atom.xml,https://a.example/rss',
        FEEDS_INTERVAL: '15m',
        FEEDS_TIMEOUT: '5s',
      }).feeds,
    ).toEqual({ urls: ['https://a.example/rss', 'http://b.example/atom.xml'], intervalMs: 900_000, timeoutMs: 5_000 });
    expect(() => loadConfig({ FEEDS: 'https://a.example/rss,ftp://b.example/feed' })).toThrow(
      'FEEDS takes http(s) URLs separated by commas (a comma inside a URL is written %2C), got "ftp://b.example/feed"',
    );
    expect(() => loadConfig({ FEEDS_INTERVAL: 'often' })).toThrow('FEEDS_INTERVAL must be a duration');
  });
});

describe(`npm run seed -- --feed on ${driverUnderTest}`, () => {
  let handle: TestDatabase;
  let served: FeedServer;
  let folder: string;
  beforeAll(async () => {
    handle = await createTestDatabase();
    served = await serveFeeds();
    folder = await mkdtemp(path.join(tmpdir(), 'news-feeds-in-'));
  });
  afterAll(async () => {
    await served?.close();
    await handle?.close();
  });

  async function seed(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', FEEDS_TIMEOUT: '3s' };
    if (handle.url) env.DATABASE_URL = handle.url;
    else {
      delete env.DATABASE_URL;
      env.DATA_DIR = path.join(folder, 'pglite');
    }
    try {
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'scripts/seed.ts', ...args, '--no-cluster'],
        { cwd: root, env },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
      return { code, stdout, stderr };
    }
  }

  it('imports a file, then finds its entries already present; a feed over HTTP the same way', async () => {
    const file = path.join(fixtures, 'rss-harbour.xml');
    const first = await seed('--feed', file);
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(new RegExp(`${file}: 4 inserted, 1 already present, 0 rejected \\(\\d+\\.\\d s\\)`));
    expect(first.code).toBe(0);
    const again = await seed('--feed', file);
    expect(again.stdout).toMatch(/0 inserted, 5 already present, 0 rejected/);
    const url = served.url('/observatory.atom');
    const fetched = await seed('--feed', url);
    expect(fetched.stdout).toContain(`${url}: 2 inserted, 0 already present, 0 rejected`);
  }, 180_000);

  it('names each rejected entry, and says in one line why a feed could not be read', async () => {
    const bad = path.join(fixtures, 'rss-bad-entries.xml');
    const rejected = await seed('--feed', bad);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr.trimEnd().split('\n')).toEqual([
      `${bad}: entry 1: rejected: missing "title"`,
      `${bad}: entry 2: rejected: "publishedAt" is not a real date and time: "2025-06-31T10:00:00+00:00" (day 31 is outside 01–30)`,
      `${bad}: entry 3: rejected: "pubDate" is not an RFC 822 or ISO 8601 date: "last Tuesday"`,
      `${bad}: entry 4: rejected: missing "body"`,
    ]);
    expect(rejected.stdout).toMatch(/1 inserted, 0 already present, 4 rejected/);

    const malformed = path.join(fixtures, 'malformed.xml');
    const broken = await seed('--feed', malformed);
    expect(broken).toMatchObject({ code: 1, stdout: '' });
    expect(broken.stderr).toBe(
      `seed failed: ${malformed}: not well-formed XML (line 14, column 5: Expected closing tag 'title' (opened in line 12, col 7) instead of closing tag 'item'.)\n`,
    );
    const missing = await seed('--feed', served.url('/missing.xml'));
    expect(missing.stderr).toBe(`seed failed: ${served.url('/missing.xml')}: HTTP 404 Not Found\n`);
    const slow = await seed('--feed', served.url('/slow.xml'));
    expect(slow.stderr).toBe(`seed failed: ${served.url('/slow.xml')}: no complete answer within 3 s\n`);
    const nowhere = path.join(folder, 'nowhere.xml');
    expect((await seed('--feed', nowhere)).stderr).toBe(`seed failed: cannot read ${nowhere}: no such file\n`);
    const empty = path.join(folder, 'empty.xml');
    await writeFile(empty, '<rss version="2.0"><channel><title>Quiet</title></channel></rss>');
    const none = await seed('--feed', empty);
    expect(none).toMatchObject({ code: 1, stderr: `${empty}: holds no articles (the feed has no entries)\n` });
    const both = await seed('--feed', empty, '--file', empty);
    expect(both.code).toBe(2);
  }, 300_000);
});
