/**
 * Topic and search feeds in Atom, RSS and JSON Feed, read by an independent parser
 * (fast-xml-parser): the topic's newest articles with title, link, summary, date and a stable id;
 * titles with `&`, `<` and quotes come back as they were stored; conditional GETs get 304 until
 * the feed changes; a retired topic's feed points to its successors.
 */
// biome-ignore lint/suspicious/noDeprecatedImports: fast-xml-parser 5 still ships its validator; the package meant to replace it has two releases so far.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEED_ENTRIES, FEED_TAG_PREFIX } from '../src/graphql/feeds.js';
import { runClustering } from '../src/jobs/cluster.js';
import { createCorpusDatabase, type TestDatabase } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const TOKEN = 'feeds-token';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (name) => ['entry', 'item', 'link', 'atom:link', 'author'].includes(name),
});

type XmlText = string | { '#text': string; '@type'?: string };
interface AtomLink {
  '@rel': string;
  '@href': string;
  '@title'?: string;
}
interface AtomEntry {
  id: string;
  title: XmlText;
  link: AtomLink[];
  updated: string;
  summary: XmlText;
  author?: { name: string }[];
}
interface AtomDocument {
  feed: { id: string; title: XmlText; updated: string; link: AtomLink[]; entry?: AtomEntry[] };
}
interface RssItem {
  title: string;
  link: string[];
  guid: { '#text': string; '@isPermaLink': string };
  pubDate: string;
  description: string;
}
interface RssDocument {
  rss: {
    '@version': string;
    channel: { title: string; link: string[]; lastBuildDate: string; 'atom:link': AtomLink[]; item?: RssItem[] };
  };
}
interface JsonFeed {
  version: string;
  title: string;
  feed_url: string;
  expired?: boolean;
  items: { id: string; url: string; title: string; summary: string; content_text: string; date_published: string }[];
  _news_topics: { updated: string; successors: { title: string; feed_url: string }[] };
}

const text = (value: XmlText) => (typeof value === 'string' ? value : value['#text']);

/** What an HTML renderer shows for RSS's description (the writer escapes only &, < and >). */
const htmlText = (html: string) => html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function parseXml<T>(body: string): T {
  expect(XMLValidator.validate(body)).toBe(true);
  return parser.parse(body) as T;
}

/** A title that breaks naive XML and HTML (and one character XML 1.0 cannot hold at all). */
const TRICKY_TITLE = `Fish & chips <b>"bold"</b> 'quoted' </title><script>alert(1)</script> \u0001end`;
const TRICKY_TITLE_IN_FEEDS = TRICKY_TITLE.replace('\u0001', '');

describe('feeds of topics and searches', () => {
  let handle: TestDatabase;
  let server: TestServer;
  /** A topic of the first run and its feed's newest articles, as the API lists them. */
  let topic: { id: string; slug: string; label: string };

  async function query<T>(document: string, variables?: Record<string, unknown>, token?: string): Promise<T> {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: document, variables }),
    });
    const result = (await response.json()) as { data?: T; errors?: unknown[] };
    expect(result.errors).toBeUndefined();
    return result.data as T;
  }

  /** The topic's feed as the API lists it: NEWEST, dated articles first, then the undated by when they were stored. */
  async function newest(slug: string) {
    const data = await query<{ topic: { articles: { nodes: { id: string; publishedAt: string | null; storedAt: string }[] } } }>(
      `query ($slug: String!) { topic(slug: $slug) { articles(first: ${FEED_ENTRIES}, orderBy: NEWEST) { nodes { id publishedAt storedAt } } } }`,
      { slug },
    );
    return data.topic.articles.nodes;
  }
  const newestIds = async (slug: string) => (await newest(slug)).map((node) => node.id);

  async function importArticle(title: string, body: string) {
    const data = await query<{
      importArticles: { items: { status: string; article: { id: string; primaryTopic: { slug: string } | null } | null }[] };
    }>(
      `mutation ($input: [ArticleInput!]!) { importArticles(input: $input) { items { status article { id primaryTopic { slug } } } } }`,
      { input: [{ title, body, url: 'https://news.example/fish?a=1&b=2', source: 'Example & Sons' }] },
      TOKEN,
    );
    const [item] = data.importArticles.items;
    expect(item.status).toBe('CREATED');
    return item.article!;
  }

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });

  beforeAll(async () => {
    handle = await createCorpusDatabase();
    await runClustering(handle.db, { k: 5, seed: 3 });
    // With the response cache on: an import or a run must still reach the feeds at once.
    server = await startTestServer(handle, { apiToken: TOKEN, responseCacheTtlMs: 60_000 });
    const data = await query<{ topics: { nodes: { id: string; slug: string; label: string }[] } }>(
      '{ topics(orderBy: SIZE) { nodes { id slug label } } }',
    );
    topic = data.topics.nodes[0];
  });
  afterAll(async () => {
    await server?.close();
    await handle?.close();
  });

  it('writes a topic as Atom 1.0: the newest articles with title, link, summary, date and a stable id', async () => {
    const response = await get(`/topics/${topic.slug}/feed.atom`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const { feed } = parseXml<AtomDocument>(await response.text());
    expect(feed.id).toBe(`${FEED_TAG_PREFIX}${topic.id}`);
    expect(text(feed.title)).toBe(topic.label);
    expect(feed.link.find((link) => link['@rel'] === 'self')?.['@href']).toBe(`${server.url}/topics/${topic.slug}/feed.atom`);
    const entries = feed.entry ?? [];
    const articles = await newest(topic.slug);
    expect(articles.length).toBeGreaterThan(5);
    expect(entries.map((entry) => entry.id)).toEqual(articles.map((article) => `${FEED_TAG_PREFIX}${article.id}`));
    // Dated by publication when known, else by import (the seed page's articles are dated, the corpus is not).
    expect(entries.map((entry) => entry.updated)).toEqual(articles.map((article) => article.publishedAt ?? article.storedAt));
    expect(articles.some((article) => article.publishedAt === null)).toBe(true);
    for (const entry of entries) {
      expect(text(entry.title).length).toBeGreaterThan(0);
      expect(text(entry.summary).length).toBeGreaterThan(20);
      const alternate = entry.link.find((link) => link['@rel'] === 'alternate');
      expect(alternate?.['@href']).toBe(`${server.url}/articles/${encodeURIComponent(entry.id.slice(FEED_TAG_PREFIX.length))}`);
      expect(Number.isNaN(Date.parse(entry.updated))).toBe(false);
    }
    // The feed changed last when its newest article was stored or the run was written.
    const stored = Math.max(...articles.map((article) => Date.parse(article.storedAt)));
    expect(Date.parse(feed.updated)).toBeGreaterThanOrEqual(stored);
  });

  it('writes the same entries as RSS 2.0 and JSON Feed 1.1', async () => {
    const atom = parseXml<AtomDocument>(await (await get(`/topics/${topic.slug}/feed.atom`)).text()).feed.entry ?? [];
    const rssResponse = await get(`/topics/${topic.slug}/feed.rss`);
    expect(rssResponse.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    const { rss } = parseXml<RssDocument>(await rssResponse.text());
    expect(rss['@version']).toBe('2.0');
    const items = rss.channel.item ?? [];
    expect(items.map((item) => item.guid['#text'])).toEqual(atom.map((entry) => entry.id));
    expect(items.every((item) => item.guid['@isPermaLink'] === 'false')).toBe(true);
    expect(items.map((item) => item.title)).toEqual(atom.map((entry) => text(entry.title)));
    expect(items.map((item) => htmlText(item.description))).toEqual(atom.map((entry) => text(entry.summary)));
    expect(items.map((item) => Date.parse(item.pubDate))).toEqual(
      atom.map((entry) => Math.floor(Date.parse(entry.updated) / 1000) * 1000),
    );

    const jsonResponse = await get(`/topics/${topic.slug}/feed.json`);
    expect(jsonResponse.headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
    const json = (await jsonResponse.json()) as JsonFeed;
    expect(json.version).toBe('https://jsonfeed.org/version/1.1');
    expect(json.feed_url).toBe(`${server.url}/topics/${topic.slug}/feed.json`);
    expect(json.items.map((item) => item.id)).toEqual(atom.map((entry) => entry.id));
    expect(json.items.map((item) => item.summary)).toEqual(atom.map((entry) => text(entry.summary)));
    expect(json.items.map((item) => item.date_published)).toEqual(atom.map((entry) => entry.updated));
    expect(json.expired).toBeUndefined();
  });

  it('keeps titles with &, <, " and \' intact in all three formats, in topic and search feeds', async () => {
    const article = await importArticle(
      TRICKY_TITLE,
      'Fish and chips shops report record sales as the price of potatoes falls; <b>shop owners</b> & "customers" say it\'s a relief.',
    );
    const slug = article.primaryTopic!.slug;
    for (const path of [`/topics/${slug}/feed`, '/search/feed']) {
      const search = path.startsWith('/search') ? `?q=${encodeURIComponent('fish chips potatoes')}` : '';
      const id = `${FEED_TAG_PREFIX}${article.id}`;
      const atom = parseXml<AtomDocument>(await (await get(`${path}.atom${search}`)).text());
      const entry = atom.feed.entry?.find((candidate) => candidate.id === id);
      expect(entry, `${path}.atom`).toBeDefined();
      expect(text(entry!.title)).toBe(TRICKY_TITLE_IN_FEEDS);
      expect(text(entry!.summary)).toContain('<b>shop owners</b> & "customers" say it\'s');
      expect(entry!.link.find((link) => link['@rel'] === 'related')?.['@href']).toBe('https://news.example/fish?a=1&b=2');
      expect(entry!.author?.[0].name).toBe('Example & Sons');

      const rss = parseXml<RssDocument>(await (await get(`${path}.rss${search}`)).text());
      const item = rss.rss.channel.item?.find((candidate) => candidate.guid['#text'] === id);
      expect(item, `${path}.rss`).toBeDefined();
      expect(item!.title).toBe(TRICKY_TITLE_IN_FEEDS);
      // An HTML renderer shows the characters, not a tag.
      expect(item!.description).toContain('&lt;b&gt;shop owners&lt;/b&gt; &amp; "customers"');
      expect(htmlText(item!.description)).toBe(text(entry!.summary));

      const json = (await (await get(`${path}.json${search}`)).json()) as JsonFeed;
      const jsonItem = json.items.find((candidate) => candidate.id === id);
      expect(jsonItem?.title).toBe(TRICKY_TITLE_IN_FEEDS);
      expect(jsonItem?.summary).toBe(text(entry!.summary));
    }
  });

  it('answers a conditional GET with 304 until a new article changes the feed', async () => {
    const path = `/topics/${topic.slug}/feed.atom`;
    const first = await get(path);
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    expect(etag).toMatch(/^W\/"[\w-]+"$/);
    expect(new Date(lastModified).toUTCString()).toBe(lastModified);
    expect((await get(path, { 'if-none-match': etag })).status).toBe(304);
    expect((await get(path, { 'if-none-match': `"other", ${etag}` })).status).toBe(304);
    expect((await get(path, { 'if-modified-since': lastModified })).status).toBe(304);
    expect((await get(path, { 'if-none-match': '"other"' })).status).toBe(200);
    const notModified = await get(path, { 'if-none-match': etag });
    expect(notModified.headers.get('etag')).toBe(etag);
    expect(await notModified.text()).toBe('');
    // Each format is its own document with its own tag.
    expect((await get(`/topics/${topic.slug}/feed.rss`, { 'if-none-match': etag })).status).toBe(200);

    // HTTP dates count seconds: the import must fall in a later second than the feed's last change.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const ids = await newestIds(topic.slug);
    const { nodes } = await query<{ nodes: { title: string; body: string }[] }>(
      'query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Article { title body } } }',
      { ids: [ids[0]] },
    );
    const [member] = nodes;
    const added = await importArticle(`${member.title}, again`, `${member.body}\n\nA later report on the same story.`);
    expect(added.primaryTopic?.slug).toBe(topic.slug);

    const changed = await get(path, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    const { feed } = parseXml<AtomDocument>(await changed.text());
    const after = await newestIds(topic.slug);
    expect(after).toContain(added.id);
    expect(feed.entry?.map((entry) => entry.id)).toEqual(after.map((id) => `${FEED_TAG_PREFIX}${id}`));
    expect(Date.parse(feed.updated)).toBeGreaterThan(Date.parse(lastModified) + 999);
    expect((await get(path, { 'if-modified-since': lastModified })).status).toBe(200);
  });

  it('points a retired topic’s feed to the feeds of its successors, in every format', async () => {
    const before = await query<{ topics: { nodes: { slug: string }[] } }>('{ topics { nodes { slug } } }');
    const etags = new Map<string, string>();
    for (const { slug } of before.topics.nodes) etags.set(slug, (await get(`/topics/${slug}/feed.atom`)).headers.get('etag')!);
    await runClustering(handle.db, { k: 4, seed: 3 });
    const retired = await query<{
      topics: { nodes: { slug: string; label: string; successors: { topic: { slug: string; label: string } }[] }[] };
    }>('{ topics(status: RETIRED) { nodes { slug label successors { topic { slug label } } } } }');
    const ended = retired.topics.nodes.find((node) => node.successors.length > 0);
    expect(ended, 'a topic that ended in a merge').toBeDefined();
    const successor = ended!.successors[0].topic;

    const response = await get(`/topics/${ended!.slug}/feed.atom`, { 'if-none-match': etags.get(ended!.slug)! });
    expect(response.status).toBe(200);
    const { feed } = parseXml<AtomDocument>(await response.text());
    const successorFeed = `${server.url}/topics/${successor.slug}/feed.atom`;
    expect(feed.link.filter((link) => link['@rel'] === 'related')[0]).toEqual({
      '@rel': 'related',
      '@href': successorFeed,
      '@title': successor.label,
    });
    const [first] = feed.entry ?? [];
    expect(text(first.title)).toBe(`“${ended!.label}” continues in “${successor.label}”`);
    expect(first.link[0]['@href']).toBe(successorFeed);

    const rss = parseXml<RssDocument>(await (await get(`/topics/${ended!.slug}/feed.rss`)).text());
    expect(rss.rss.channel['atom:link'].find((link) => link['@rel'] === 'related')?.['@href']).toBe(
      `${server.url}/topics/${successor.slug}/feed.rss`,
    );
    expect(rss.rss.channel.item?.[0].link).toEqual([`${server.url}/topics/${successor.slug}/feed.rss`]);

    const json = (await (await get(`/topics/${ended!.slug}/feed.json`)).json()) as JsonFeed;
    expect(json.expired).toBe(true);
    expect(json._news_topics.successors[0]).toEqual({
      title: successor.label,
      feed_url: `${server.url}/topics/${successor.slug}/feed.json`,
    });
    expect(json.items[0].url).toBe(`${server.url}/topics/${successor.slug}/feed.json`);
  });

  it('lets the pages of an origin in CORS_ORIGINS read a feed, as they read /graphql', async () => {
    const cors = await startTestServer(handle, { http: { corsOrigins: ['https://reader.example'] } });
    try {
      const path = `/topics/${topic.slug}/feed.json`;
      const allowed = await fetch(`${cors.url}${path}`, { headers: { origin: 'https://reader.example' } });
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://reader.example');
      const other = await fetch(`${cors.url}${path}`, { headers: { origin: 'https://elsewhere.example' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await cors.close();
    }
  });

  it('answers unknown topics, missing search terms and other methods with a clear message', async () => {
    const unknown = await get('/topics/no-such-topic/feed.atom');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('no topic has the slug "no-such-topic"\n');
    const noTerm = await get('/search/feed.rss');
    expect(noTerm.status).toBe(400);
    expect(await noTerm.text()).toContain('a search feed needs a search term');
    const tooLong = await get(`/search/feed.json?q=${'a'.repeat(501)}`);
    expect(tooLong.status).toBe(400);
    expect(await tooLong.text()).toContain('longer than 500 characters');
    const post = await fetch(`${server.url}/topics/${topic.slug}/feed.atom`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${server.url}/topics/${topic.slug}/feed.json`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe((await get(`/topics/${topic.slug}/feed.json`)).headers.get('etag'));
  });
});
