/**
 * Whatever a client sends is answered with data or an error with a code it can act on, never an
 * internal error (production mode: unexpected errors are masked). A malformed id or cursor is
 * BAD_USER_INPUT; a well-formed id of an object that does not exist is null. Search snippets are
 * HTML whose only tags are the highlights.
 */
import { getNamedType, isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../src/graphql/index.js';
import { validateArticle } from '../src/jobs/article-input.js';
import { runClustering } from '../src/jobs/cluster.js';
import { storeArticles } from '../src/jobs/import.js';
import { createCorpusDatabase, driverUnderTest, type TestDatabase } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const TOKEN = 'client-input-token';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const drizzleCursor = (chunk: string) => b64(`DC:${chunk}`);

type Result<T = Record<string, unknown>> = {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
};

describe(`client input (${driverUnderTest})`, () => {
  let handle: TestDatabase;
  let server: TestServer;
  let ids: { article: string; topic: string; retiredTopic: string; source: string; run: string };

  async function post<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<Result<T>> {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as Result<T>;
  }

  /** The codes of a response's errors (undefined for an error without one). */
  const codes = (result: Result<unknown>) => (result.errors ?? []).map((error) => error.extensions?.code);

  beforeAll(async () => {
    handle = await createCorpusDatabase();
    const hostile = validateArticle({
      title: 'Zebra <img src=x onerror=alert(1)> zoo',
      body: 'The zebra at the zoo & its keeper: "stripes" <script>alert(2)</script> are the keeper’s pride.',
    });
    if (!hostile.ok) throw new Error(hostile.reason);
    await storeArticles(handle.db, [hostile.article]);
    await runClustering(handle.db, { k: 3, seed: 1 });
    await runClustering(handle.db, { k: 5, seed: 2 });
    server = await startTestServer(handle, { apiToken: TOKEN, production: true });
    const found = await post<{
      articles: { nodes: { id: string }[] };
      topics: { nodes: { id: string }[] };
      retired: { nodes: { id: string }[] };
      sources: { nodes: { id: string }[] };
      clusteringRuns: { nodes: { id: string }[] };
    }>(`{ articles(first: 1) { nodes { id } } topics(first: 1) { nodes { id } } retired: topics(first: 1, status: RETIRED) { nodes { id } }
      sources(first: 1) { nodes { id } } clusteringRuns(first: 1) { nodes { id } } }`);
    expect(found.errors).toBeUndefined();
    const data = found.data!;
    ids = {
      article: data.articles.nodes[0].id,
      topic: data.topics.nodes[0].id,
      retiredTopic: data.retired.nodes[0].id,
      source: data.sources.nodes[0].id,
      run: data.clusteringRuns.nodes[0].id,
    };
  });
  afterAll(async () => {
    await server?.close();
    await handle?.close();
  });

  it('answers node(id:) for a well-formed id of a missing object with null, for every type', async () => {
    for (const missing of ['Article:2147483647', 'Topic:2147483647', 'ClusteringRun:999999', 'Source:999999']) {
      const result = await post('query ($id: ID!) { node(id: $id) { id __typename } }', { id: b64(missing) });
      expect(result, missing).toEqual({ data: { node: null } });
    }
    const retired = await post<{ node: { id: string } }>('query ($id: ID!) { node(id: $id) { id } }', { id: ids.retiredTopic });
    expect(retired).toEqual({ data: { node: { id: ids.retiredTopic } } });
  });

  it('answers nodes(ids:) with null for each missing id and the others in order', async () => {
    const result = await post<{ nodes: ({ id: string } | null)[] }>('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', {
      ids: [ids.article, b64('Article:2147483647'), ids.topic, b64('Topic:2147483647'), ids.run],
    });
    expect(result).toEqual({ data: { nodes: [{ id: ids.article }, null, { id: ids.topic }, null, { id: ids.run }] } });
    const printed = schema.getQueryType()!.getFields().nodes.type.toString();
    expect(printed).toBe('[Node]!');
  });

  it('refuses malformed ids with BAD_USER_INPUT wherever ids are taken', async () => {
    const malformed = [
      'not base64!',
      '',
      b64('Article:abc'),
      b64('Article:0'),
      b64('Article:-1'),
      b64('Article:1.5'),
      b64('Article:99999999999'),
      b64('Article:2147483648'),
      b64('Article:007'),
      b64('Article:'),
      b64(':1'),
    ];
    const queries = [
      'query ($id: ID!) { article(id: $id) { id } }',
      'query ($id: ID!) { clusteringRun(id: $id) { id } }',
      'query ($id: ID!) { topic(id: $id) { id } }',
      'query ($id: ID!) { node(id: $id) { id } }',
      'query ($id: ID!) { nodes(ids: [$id]) { id } }',
      'query ($id: ID!) { articles(filter: { topicIds: [$id] }) { totalCount } }',
      'query ($id: ID!) { articles(filter: { sourceIds: [$id] }) { totalCount } }',
    ];
    for (const query of queries) {
      for (const id of malformed) {
        const result = await post(query, { id });
        expect(codes(result), `${query} ${id}`).toEqual(['BAD_USER_INPUT']);
      }
    }
    // An id of another type, or of a type without nodes.
    expect(codes(await post('query ($id: ID!) { article(id: $id) { id } }', { id: ids.topic }))).toEqual(['BAD_USER_INPUT']);
    expect(
      codes(await post('query ($id: ID!) { articles(filter: { topicIds: [$id] }) { totalCount } }', { id: ids.article })),
    ).toEqual(['BAD_USER_INPUT']);
    for (const id of [b64('Nope:1'), b64('Query:1'), b64('Keyword:1')]) {
      expect(codes(await post('query ($id: ID!) { node(id: $id) { id } }', { id })), id).toEqual(['BAD_USER_INPUT']);
    }
    // A well-formed id of a missing object is no error: null, or no match.
    const absent = await post<{ article: null; articles: { totalCount: number } }>(
      'query ($id: ID!, $topic: ID!) { article(id: $id) { id } articles(filter: { topicIds: [$topic] }) { totalCount } }',
      { id: b64('Article:2147483647'), topic: b64('Topic:2147483647') },
    );
    expect(absent, JSON.stringify(absent)).toEqual({ data: { article: null, articles: { totalCount: 0 } } });
  });

  it('refuses malformed cursors of every connection with BAD_USER_INPUT', async () => {
    // Malformed for every connection, whatever its order.
    const cursors = [
      'not-a-cursor',
      b64('DC:garbage'),
      drizzleCursor('N:abc'),
      drizzleCursor('N:NaN'),
      drizzleCursor('N:1e400'),
      drizzleCursor('D:1e400'),
      drizzleCursor('O:{"a":1}'),
      drizzleCursor('T:["N:1","N:2","N:3","N:4","N:5"]'),
      drizzleCursor('T:["S:x","S:y"]'),
      drizzleCursor('T:["N:1","S:\u0000"]'),
      b64(`feed:1:${drizzleCursor('T:["S:x","S:y"]')}`),
      b64(`feed:99999999999:${drizzleCursor('T:["N:0.5","N:1","N:1","N:1"]')}`),
    ];
    const connections = [
      'query ($c: String) { clusteringRuns(after: $c) { totalCount nodes { id } } }',
      'query ($c: String) { articles(after: $c) { nodes { id } } }',
      'query ($c: String) { articles(before: $c, last: 2, orderBy: OLDEST) { nodes { id } } }',
      'query ($c: String) { articles(after: $c, filter: { search: "election" }) { nodes { id } } }',
      'query ($c: String) { topics(after: $c) { nodes { id } } }',
      'query ($c: String) { topics(after: $c, orderBy: NEWEST) { nodes { id } } }',
      'query ($c: String) { topics(after: $c, orderBy: TRENDING) { nodes { id } } }',
      'query ($c: String) { sources(after: $c) { nodes { id } } }',
      'query ($c: String) { sources(first: 1) { nodes { articles(after: $c) { nodes { id } } } } }',
      'query ($c: String) { topics(first: 1) { nodes { history(after: $c) { nodes { kind } } } } }',
      'query ($c: String) { clusteringRuns(first: 1) { nodes { topics(after: $c) { nodes { id } } } } }',
      'query ($c: String) { topics(first: 1) { nodes { articles(after: $c) { nodes { id } } } } }',
      'query ($c: String) { topics(first: 1) { nodes { articles(after: $c, orderBy: NEWEST) { nodes { id } } } } }',
    ];
    for (const query of connections) {
      for (const cursor of cursors) {
        const result = await post(query, { c: cursor });
        expect(codes(result), `${query} ${Buffer.from(cursor, 'base64').toString()}`).toEqual(['BAD_USER_INPUT']);
        expect(result.errors?.[0].message).toMatch(/cursor|NUL/i);
      }
    }
    // Values of the wrong type for the order's keys: a text or a fraction for an id, an id beyond int4.
    const wrongType: [string, string][] = [
      ['query ($c: String) { clusteringRuns(after: $c) { nodes { id } } }', drizzleCursor('S:abc')],
      ['query ($c: String) { clusteringRuns(after: $c) { nodes { id } } }', drizzleCursor('N:1.5')],
      ['query ($c: String) { clusteringRuns(after: $c) { nodes { id } } }', drizzleCursor('N:99999999999')],
      ['query ($c: String) { articles(after: $c) { nodes { id } } }', drizzleCursor('T:["N:5","N:1"]')],
      [
        'query ($c: String) { articles(after: $c, filter: { search: "election" }) { nodes { id } } }',
        drizzleCursor('T:["S:x","N:1"]'),
      ],
      ['query ($c: String) { topics(after: $c) { nodes { id } } }', drizzleCursor('T:["N:0.5","N:1"]')],
      ['query ($c: String) { sources(after: $c) { nodes { id } } }', drizzleCursor('N:1')],
      [
        'query ($c: String) { topics(first: 1) { nodes { articles(after: $c) { nodes { id } } } } }',
        b64(`feed:1:${drizzleCursor('T:["S:x","N:1"]')}`),
      ],
    ];
    for (const [query, cursor] of wrongType) {
      expect(codes(await post(query, { c: cursor })), `${query} ${Buffer.from(cursor, 'base64').toString()}`).toEqual([
        'BAD_USER_INPUT',
      ]);
    }
    // The cursors a connection hands out still page on.
    const first = await post<{ clusteringRuns: { pageInfo: { endCursor: string } } }>(
      '{ clusteringRuns(first: 1) { pageInfo { endCursor } } }',
    );
    const next = await post<{ clusteringRuns: { nodes: unknown[] } }>(
      'query ($c: String) { clusteringRuns(first: 1, after: $c) { nodes { id } } }',
      {
        c: first.data?.clusteringRuns.pageInfo.endCursor,
      },
    );
    expect(next.errors).toBeUndefined();
    expect(next.data?.clusteringRuns.nodes).toHaveLength(1);
    expect(codes(await post('{ sources(first: 1, last: 1) { nodes { id } } }'))).toEqual(['BAD_USER_INPUT']);
    // Also beneath each node of nodes(ids:), which loads its items one by one.
    const beneathNodes = await post(
      'query ($ids: [ID!]!) { nodes(ids: $ids) { ... on ClusteringRun { topics(first: 1, last: 1) { nodes { id } } } } }',
      {
        ids: [ids.run, ids.run],
      },
    );
    expect(codes(beneathNodes)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT']);
  });

  it('accepts only real ISO 8601 instants as DateTime, in variables and inline', async () => {
    const query = 'query ($after: DateTime) { articles(filter: { publishedAfter: $after }) { totalCount } }';
    for (const value of [
      '1',
      '0000-01-01T00:00:00Z',
      '2020-02-30',
      '2021-02-29',
      '2020-01-01T24:00:00Z',
      '2020-01-01T23:59:60Z',
      '2020-01-01T00:00:00+24:00',
      '10000-01-01T00:00:00Z',
      'now',
      '',
      5,
    ]) {
      const result = await post(query, { after: value });
      expect(codes(result), String(value)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors?.[0].message).toMatch(/DateTime must be an ISO 8601 date/);
    }
    for (const literal of ['"1"', '"0000-01-01T00:00:00Z"', '"2020-02-30"', '5']) {
      const result = await post(`{ articles(filter: { publishedAfter: ${literal} }) { totalCount } }`);
      expect(result.errors?.[0].extensions?.code, literal).toMatch(/^(BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED)$/);
      expect(result.errors?.[0].message).toMatch(/DateTime must be an ISO 8601 date/);
    }
    const counts: number[] = [];
    for (const value of [
      '2020-02-29',
      '2004-01-01T00:00:00Z',
      '2004-01-01T02:00:00+02:00',
      '2004-01-01T00:00:00.000000Z',
      '2004-01-01T00:00',
      '1000-01-01',
      '9999-12-31T23:59:59.999Z',
    ]) {
      const result = await post<{ articles: { totalCount: number } }>(query, { after: value });
      expect(result.errors, value).toBeUndefined();
      counts.push(result.data!.articles.totalCount);
    }
    // The same instant written four ways (the last in UTC, as an import reads it) selects the same articles.
    expect(counts[1]).toBe(counts[2]);
    expect(counts[1]).toBe(counts[3]);
    expect(counts[1]).toBe(counts[4]);
    const inline = await post<{ articles: { totalCount: number } }>(
      '{ articles(filter: { publishedAfter: "2004-01-01T00:00Z" }) { totalCount } }',
    );
    expect(inline.data?.articles.totalCount).toBe(counts[1]);
  });

  it('answers any search term with data or BAD_USER_INPUT', async () => {
    const query = 'query ($q: String) { articles(first: 3, filter: { search: $q }) { totalCount edges { snippet } } }';
    for (const term of [
      '',
      ' ',
      '!!!',
      'a & | !',
      '(a | b) & !c <-> d:*',
      '"unterminated',
      "'; drop table articles; --",
      '\ud800',
      'x\udc00y',
      '日本語',
    ]) {
      const result = await post(query, { q: term });
      expect(result.errors, JSON.stringify(term)).toBeUndefined();
    }
    for (const term of ['x'.repeat(10_000), 'a\u0000b']) {
      expect(codes(await post(query, { q: term })), term.slice(0, 10)).toEqual(['BAD_USER_INPUT']);
    }
    // NUL is refused in every string a query sends to the database, not only in searches.
    expect(codes(await post('query ($slug: String) { topic(slug: $slug) { id } }', { slug: 'a\u0000' }))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });

  it('codes every refused variable and out-of-range number', async () => {
    const cases: [string, Record<string, unknown>, string | null][] = [
      ['query ($n: Int) { topics(first: $n) { totalCount } }', { n: 'ten' }, null],
      ['query ($n: Int) { topics(first: $n) { totalCount } }', { n: 1.5 }, null],
      ['query ($n: Int) { topics(first: $n) { totalCount } }', { n: 2_147_483_648 }, null],
      ['query ($n: Int) { topics(first: $n) { totalCount } }', { n: -1 }, null],
      ['query ($n: Int) { topics(first: $n) { totalCount } }', { n: 1000 }, null],
      ['query ($id: ID!) { node(id: $id) { id } }', {}, null],
      ['query ($id: ID!) { node(id: $id) { id } }', { id: null }, null],
      ['query ($o: TopicOrder) { topics(orderBy: $o) { totalCount } }', { o: 'NOPE' }, null],
      ['query ($n: Int) { articles(first: 1) { nodes { excerpt(length: $n) } } }', { n: 1_000_000 }, null],
      ['mutation ($k: Int) { startClusteringRun(k: $k) { id } }', { k: 2_147_483_647 }, TOKEN],
      ['mutation ($w: String) { startClusteringRun(window: $w) { id } }', { w: '1e400d' }, TOKEN],
      ['mutation { startClusteringRun { id } }', {}, null],
    ];
    for (const [query, variables, token] of cases) {
      const result = await post(query, variables, token ?? undefined);
      const [code] = codes(result);
      expect(code, `${query} ${JSON.stringify(variables)}`).toBeDefined();
      expect(code).not.toBe('INTERNAL_SERVER_ERROR');
    }
  });

  it('escapes stored HTML in search snippets and keeps only the highlight tags', async () => {
    const result = await post<{ articles: { edges: { snippet: string; node: { title: string } }[] } }>(
      '{ articles(first: 5, filter: { search: "zebra" }) { edges { snippet node { title } } } }',
    );
    expect(result.errors).toBeUndefined();
    const [edge] = result.data!.articles.edges;
    expect(edge.node.title).toBe('Zebra <img src=x onerror=alert(1)> zoo');
    expect(edge.snippet).toContain('<b>Zebra</b> &lt;img src=x onerror=alert(1)&gt;');
    expect(edge.snippet).toContain('zoo &amp; its keeper: &quot;stripes&quot;');
    // No tag but <b> and </b> survives.
    expect(edge.snippet.replace(/<\/?b>/g, '')).not.toMatch(/[<>]/);
  });

  it('takes back the cursors it gives, for every connection and every order', async () => {
    // Each node's identity: its id, or for a topic's history (changes have none) its run's.
    const selection = (field: string) =>
      `{ pageInfo { endCursor hasNextPage } nodes { ${field === 'history' ? 'run { id }' : 'id'} } }`;
    const identity = (node: { id?: string; run?: { id: string } }) => node.id ?? node.run?.id;
    const onNode = (id: string, type: string) => (field: string) => `node(id: "${id}") { ... on ${type} { ${field} } }`;
    const atRoot = (field: string) => field;
    // [name, where the connection sits, its field, its other arguments, the page in the answer]
    // biome-ignore lint/suspicious/noExplicitAny: each case digs its page out of an answer of its own shape.
    type Case = [string, (field: string) => string, string, string, (data: any) => any];
    const cases: Case[] = [
      ...['NEWEST', 'OLDEST'].map(
        (order): Case => [`articles ${order}`, atRoot, 'articles', `orderBy: ${order}`, (d) => d.articles],
      ),
      ['articles RELEVANCE', atRoot, 'articles', 'orderBy: RELEVANCE, filter: { search: "market" }', (d) => d.articles],
      ...['NEWEST', 'SIZE', 'TRENDING'].flatMap((order) =>
        ['ACTIVE', 'RETIRED'].map(
          (status): Case => [
            `topics ${order} ${status}`,
            atRoot,
            'topics',
            `orderBy: ${order}, status: ${status}`,
            (d) => d.topics,
          ],
        ),
      ),
      ...['NEWEST', 'RELEVANCE'].map(
        (order): Case => [
          `topic.articles ${order}`,
          onNode(ids.topic, 'Topic'),
          'articles',
          `orderBy: ${order}`,
          (d) => d.node.articles,
        ],
      ),
      ['topic.history', onNode(ids.topic, 'Topic'), 'history', '', (d) => d.node.history],
      ['source.articles', onNode(ids.source, 'Source'), 'articles', '', (d) => d.node.articles],
      ['clusteringRun.topics', onNode(ids.run, 'ClusteringRun'), 'topics', '', (d) => d.node.topics],
      ['clusteringRuns', atRoot, 'clusteringRuns', '', (d) => d.clusteringRuns],
      ['sources', atRoot, 'sources', '', (d) => d.sources],
    ];
    let paged = 0;
    for (const [name, where, field, args, pageOf] of cases) {
      const query = `query ($after: String) { ${where(`${field}(first: 2, after: $after${args ? `, ${args}` : ''}) ${selection(field)}`)} }`;
      const first = await post(query, { after: null });
      expect(first.errors, name).toBeUndefined();
      const { pageInfo, nodes } = pageOf(first.data);
      if (!pageInfo.hasNextPage) continue;
      const next = await post(query, { after: pageInfo.endCursor });
      expect(next.errors, name).toBeUndefined();
      const seen = new Set(nodes.map(identity));
      expect(seen.has(undefined), name).toBe(false);
      for (const node of pageOf(next.data).nodes) expect(seen.has(identity(node)), name).toBe(false);
      paged++;
    }
    // Most of them have a second page in this corpus: the cursors were really read back.
    expect(paged).toBeGreaterThanOrEqual(10);
  });

  it('says of every text field a client might render whether it is plain text or HTML', () => {
    const rendered = [
      'Article.title',
      'Article.body',
      'Article.excerpt',
      'QueryArticlesConnectionEdge.snippet',
      'ArticleTopic.matchedTerms',
      'Topic.label',
      'TopicChange.label',
      'Keyword.term',
      'Source.name',
    ];
    for (const path of rendered) {
      const [typeName, fieldName] = path.split('.');
      const type = schema.getType(typeName);
      expect(isObjectType(type), typeName).toBe(true);
      const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
      expect(getNamedType(field!.type).name, path).toBe('String');
      expect(field?.description, path).toMatch(/plain text|as HTML/);
    }
  });
});
