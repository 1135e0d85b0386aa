import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articles, clusteringRuns } from '../src/db/schema.js';
import { runClustering } from '../src/jobs/cluster.js';
import { createCorpusDatabase, StatementCounter, type TestDatabase } from './helpers/database.js';
import { startTestServer, subscribe, type TestServer } from './helpers/server.js';

const TOKEN = 'test-operator-token';

interface Page {
  nodes: { id: string; title: string }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

describe('API for client apps and operators', () => {
  const counter = new StatementCounter();
  let handle: TestDatabase;
  let server: TestServer;
  let inserted = 0;

  async function operator<T>(query: string, variables?: Record<string, unknown>, token: string | null = TOKEN) {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  }

  /** Stores a fresh article through the API, as an operator would. */
  async function insertArticle(text: string) {
    inserted++;
    const result = await operator<{ importArticles: { created: number } }>(
      `mutation ($input: [ArticleInput!]!) { importArticles(input: $input) { created } }`,
      { input: [{ title: `Late news ${inserted}: ${text}`, body: `${text} Reported as story ${inserted}.` }] },
    );
    expect(result.data?.importArticles.created).toBe(1);
  }

  /**
   * The current run's parameters name every key it stored, each with a value: a run after another
   * records them all (the warm start's and the lineage's too).
   */
  async function expectTypedParameters(expected: Record<string, unknown>) {
    const introspection = await server.query<{ __type: { fields: { name: string }[] } }>(
      '{ __type(name: "ClusteringRunParameters") { fields { name } } }',
    );
    const fields = introspection.data!.__type.fields.map((field) => field.name).filter((name) => name !== 'raw');
    const result = await server.query<{
      currentClusteringRun: { parameters: Record<string, unknown> & { raw: Record<string, unknown> } };
    }>(`{ currentClusteringRun { parameters { ${fields.join(' ')} raw } } }`);
    expect(result.errors).toBeUndefined();
    const { raw, ...typed } = result.data!.currentClusteringRun.parameters;
    expect(Object.keys(raw).sort()).toEqual([...fields].sort());
    expect(Object.entries(typed).filter(([, value]) => value === null)).toEqual([]);
    expect(typed).toMatchObject({ ...expected, warmStart: expect.stringMatching(/^(USED|REJECTED)$/) });
    expect(typed.warmStart).toBe(String(raw.warmStart).toUpperCase());
  }

  beforeAll(async () => {
    handle = await createCorpusDatabase({ logger: counter });
    await runClustering(handle.db, { k: 2 });
    server = await startTestServer(handle, { apiToken: TOKEN });
  });
  afterAll(async () => {
    await server?.close();
    await handle?.close();
  });

  it('pages through 200+ articles in pages of 7, visiting each once while new ones arrive', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    for (let page = 0; page < 100; page++) {
      const result: { data?: { articles: Page } } = await server.query(
        `query ($after: String) { articles(first: 7, after: $after) { totalCount nodes { id title } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      const connection = result.data?.articles;
      if (page === 0) total = connection?.totalCount ?? 0;
      seen.push(...(connection?.nodes.map((node) => node.id) ?? []));
      if (page % 5 === 2) await insertArticle('Parliament debates the budget and tax plans of the chancellor.');
      if (!connection?.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(total).toBeGreaterThanOrEqual(202);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
  });

  it('pages through a topic feed by relevance, each article once, while new articles join it', async () => {
    const topics = await server.query<{ topics: { nodes: { id: string; size: number }[] } }>(
      '{ topics(orderBy: SIZE) { nodes { id size } } }',
    );
    const biggest = topics.data?.topics.nodes[0];
    expect(biggest?.size).toBeGreaterThan(50);
    const seen: string[] = [];
    const scores: number[] = [];
    let after: string | null = null;
    let size = 0;
    for (let page = 0; page < 100; page++) {
      const result: { data?: { node: { articles: Page & { edges: { score: number }[] } } } } = await server.query(
        `query ($id: ID!, $after: String) { node(id: $id) { ... on Topic { articles(first: 7, after: $after) {
           totalCount nodes { id title } edges { score } pageInfo { hasNextPage endCursor } } } } }`,
        { id: biggest?.id, after },
      );
      const connection = result.data?.node.articles;
      if (page === 0) size = connection?.totalCount ?? 0;
      seen.push(...(connection?.nodes.map((node) => node.id) ?? []));
      scores.push(...(connection?.edges.map((edge) => edge.score) ?? []));
      if (page % 4 === 1) await insertArticle('The striker scored twice as the club won the cup final.');
      if (!connection?.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(size);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('pages a feed the same whether its nodes ask for the article’s columns or for more', async () => {
    // `{ id title }` nodes are read by the feed's own statement; an excerpt needs the body, which
    // the topic's relational query loads. Both must give the same pages, cursors and pageInfo.
    const topics = await server.query<{ topics: { nodes: { id: string }[] } }>('{ topics(first: 2) { nodes { id } } }');
    const page = (
      nodes: string,
    ) => `query ($id: ID!, $o: TopicArticleOrder!, $first: Int, $last: Int, $after: String, $before: String) {
      node(id: $id) { ... on Topic { articles(orderBy: $o, first: $first, last: $last, after: $after, before: $before) {
        totalCount edges { cursor score weak node { ${nodes} } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } } }`;
    type Answer = { node: { articles: Page & { edges: { cursor: string; node: { id: string; title: string } }[] } } };
    const both = async (variables: Record<string, unknown>) => {
      const [plain, rich] = await Promise.all(
        ['id title source { name }', 'id title source { name } excerpt(length: 40)'].map((nodes) =>
          server.query<Answer>(page(nodes), variables),
        ),
      );
      expect(plain.errors ?? rich.errors).toBeUndefined();
      const strip = (answer: typeof plain) => ({
        ...answer.data?.node.articles,
        edges: answer.data?.node.articles.edges.map(({ node, ...edge }) => ({
          ...edge,
          node: { id: node.id, title: node.title },
        })),
      });
      expect(strip(plain)).toEqual(strip(rich));
      return plain.data?.node.articles as Answer['node']['articles'];
    };
    for (const topic of topics.data?.topics.nodes ?? []) {
      for (const o of ['RELEVANCE', 'NEWEST']) {
        let after: string | null = null;
        let walked = 0;
        for (let n = 0; n < 4; n++) {
          const forward: Answer['node']['articles'] = await both({ id: topic.id, o, first: 3, after });
          walked += forward.edges.length;
          // Backwards from this page's end: the two before its last article.
          const backward = await both({ id: topic.id, o, last: 2, before: forward.pageInfo.endCursor });
          if (forward.edges.length === 3) {
            expect(backward.edges.map((edge) => edge.node.id)).toEqual(forward.edges.slice(0, 2).map((edge) => edge.node.id));
          }
          if (!forward.pageInfo.hasNextPage) break;
          after = forward.pageInfo.endCursor;
        }
        expect(walked).toBeGreaterThan(0);
      }
    }
  });

  it('ranks the best search match first and returns a highlighted snippet', async () => {
    const result = await server.query<{
      articles: { edges: { snippet: string | null; node: { title: string } }[]; totalCount: number };
    }>(`{ articles(first: 5, filter: { search: "Kim Jong-un letter" }) { totalCount edges { snippet node { title } } } }`);
    expect(result.errors).toBeUndefined();
    const edges = result.data?.articles.edges ?? [];
    expect(edges[0].node.title).toBe(
      'South Korea and US seek to revive talks with North Korea as Kim Jong-un rejects Trump letter',
    );
    expect(edges[0].snippet).toMatch(/<b>letter<\/b>/i);
    expect(result.data?.articles.totalCount).toBe(edges.length);
  });

  it('takes search strings full of SQL and tsquery syntax without an error', async () => {
    // (NUL is refused with BAD_USER_INPUT in any query string: test/client-input.test.ts.)
    for (const search of ["'; drop table articles; --", 'a & | ! ( :* "', '\\\\ \u0007 <->', 'x'.repeat(400)]) {
      const result = await server.query(`query ($s: String!) { articles(filter: { search: $s }) { totalCount } }`, {
        s: search,
      });
      expect(result.errors).toBeUndefined();
    }
    expect(await handle.db.$count(articles)).toBeGreaterThan(200);
  });

  it('exposes clustering runs, topic timelines and every topic ordering', async () => {
    const result = await server.query<{
      currentClusteringRun: {
        id: string;
        k: number;
        topicCount: number;
        kSelection: unknown;
        timings: Record<string, number | null>;
      };
      clusteringRuns: { totalCount: number; nodes: { id: string; status: string }[] };
      bySize: {
        nodes: {
          id: string;
          size: number;
          trend: number | null;
          latestArticleAt: string | null;
          timeline: { start: string; count: number }[];
        }[];
      };
      newest: { nodes: { latestArticleAt: string | null }[] };
      trending: { nodes: { trend: number | null }[] };
    }>(`{
      currentClusteringRun { id k topicCount kSelection { chosen } timings { load vectorise reduce cluster label relate write } }
      clusteringRuns(first: 5) { totalCount nodes { id status } }
      bySize: topics(orderBy: SIZE) { nodes { id size trend latestArticleAt timeline(granularity: WEEK) { start count } } }
      newest: topics(orderBy: NEWEST) { nodes { latestArticleAt } }
      trending: topics(orderBy: TRENDING) { nodes { trend } }
    }`);
    expect(result.errors).toBeUndefined();
    const data = result.data!;
    // k was given: no k selection.
    expect(data.currentClusteringRun).toMatchObject({ k: 2, topicCount: 2, kSelection: null });
    for (const ms of Object.values(data.currentClusteringRun.timings)) expect(ms).toBeGreaterThanOrEqual(0);
    expect(data.clusteringRuns.nodes[0]).toEqual({ id: data.currentClusteringRun.id, status: 'SUCCEEDED' });
    const sizes = data.bySize.nodes.map((topic) => topic.size);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    // Only the seed articles carry dates (the BBC lines have none): timelines count those, and a
    // topic without any has no trend, no latest date and an empty timeline.
    for (const topic of data.bySize.nodes) {
      const dated = await server.query<{ articles: { totalCount: number } }>(
        'query ($t: ID!) { articles(filter: { topicIds: [$t], publishedAfter: "1900-01-01T00:00:00Z" }) { totalCount } }',
        { t: topic.id },
      );
      const datedCount = dated.data?.articles.totalCount ?? -1;
      expect(topic.timeline.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(datedCount);
      if (datedCount === 0) {
        expect(topic).toMatchObject({ trend: null, latestArticleAt: null, timeline: [] });
        continue;
      }
      const starts = topic.timeline.map((bucket) => Date.parse(bucket.start));
      expect(new Date(starts[0]).getUTCDay()).toBe(1);
      expect(starts.slice(1).map((start, i) => start - starts[i])).toEqual(starts.slice(1).map(() => 7 * 86_400_000));
      expect(topic.trend).toBeGreaterThan(0);
    }
    const latest = data.newest.nodes.map((topic) => topic.latestArticleAt ?? '');
    expect(latest).toEqual([...latest].sort().reverse());
    const trends = data.trending.nodes.map((topic) => topic.trend ?? 0);
    expect(trends).toEqual([...trends].sort((a, b) => b - a));
  });

  it('refuses mutations without a token or with a wrong one, writing nothing', async () => {
    const before = await handle.db.$count(articles);
    const runsBefore = await handle.db.$count(clusteringRuns);
    const importMutation = `mutation { importArticles(input: [{ title: "Sneaky", body: "Should not be stored." }]) { created } }`;
    const refusals = {
      none: 'This mutation needs "Authorization: Bearer <API_TOKEN>".',
      wrong: 'The bearer token is not valid.',
    };
    for (const [token, message] of [
      [null, refusals.none],
      ['wrong-token', refusals.wrong],
    ] as const) {
      const imported = await operator(importMutation, undefined, token);
      expect(imported.errors?.[0]).toMatchObject({ message, extensions: { code: 'UNAUTHENTICATED' } });
      const started = await operator('mutation { startClusteringRun(k: 3) { id } }', undefined, token);
      expect(started.errors?.[0]).toMatchObject({ message, extensions: { code: 'UNAUTHENTICATED' } });
    }
    expect(await handle.db.$count(articles)).toBe(before);
    expect(await handle.db.$count(clusteringRuns)).toBe(runsBefore);
  });

  it('reports each imported item as created, duplicate or rejected', async () => {
    const result = await operator<{
      importArticles: {
        created: number;
        duplicates: number;
        rejected: number;
        items: { index: number; status: string; reason: string | null }[];
      };
    }>(
      `mutation ($input: [ArticleInput!]!) { importArticles(input: $input) { created duplicates rejected items { index status reason } } }`,
      {
        input: [
          { title: 'Ad sales boost Time Warner profit', body: 'another text under a stored id', externalId: 'bbc-business-001' },
          { title: 'Fresh story about rugby', body: 'England beat Wales at Twickenham.' },
          { title: '', body: 'No title' },
          { title: 'Bad date', body: 'Text', publishedAt: 'yesterday' },
          { title: 'Fresh story about  rugby', body: 'England beat Wales at Twickenham.', externalId: 'syndicated-rugby' },
        ],
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.importArticles).toMatchObject({ created: 1, duplicates: 1, rejected: 3 });
    expect(result.data?.importArticles.items.map((item) => item.status)).toEqual([
      'REJECTED',
      'CREATED',
      'REJECTED',
      'REJECTED',
      'DUPLICATE',
    ]);
    expect(result.data?.importArticles.items[0].reason).toBe(
      'conflict: an article with id "bbc-business-001" is already stored with different content',
    );
    expect(result.data?.importArticles.items[2].reason).toBe('missing "title"');
  });

  it('delivers articleAdded events to a topic’s subscribers when an operator imports', async () => {
    const article = await server.query<{ articles: { nodes: { primaryTopic: { id: string; label: string } }[] } }>(
      `{ articles(first: 1, filter: { search: "Kim Jong-un" }) { nodes { primaryTopic { id label } } } }`,
    );
    const topicId = article.data?.articles.nodes[0].primaryTopic.id;
    const subscription = await subscribe(
      server.url,
      'subscription ($topic: ID!) { articleAdded(topicId: $topic) { score article { title } topic { id } } }',
      { topic: topicId },
    );
    const received = subscription.waitFor('"articleAdded"');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const imported = await operator<{ importArticles: { items: { article: { primaryTopic: { id: string } } }[] } }>(
      `mutation ($input: [ArticleInput!]!) { importArticles(input: $input) { items { article { primaryTopic { id } } } } }`,
      {
        input: [
          {
            title: 'North Korea’s Kim Jong-un test-fires missiles as Pyongyang rejects talks',
            body: 'North Korean leader Kim Jong-un oversaw missile tests, North Korea state media said, as Pyongyang rejected talks with the United States and South Korea.',
          },
        ],
      },
    );
    expect(imported.data?.importArticles.items[0].article.primaryTopic.id).toBe(topicId);
    const event = await received;
    subscription.close();
    expect(event).toContain('test-fires missiles');
    expect(event).toContain(topicId);
  });

  it('runs a clustering run in the background for an operator, one at a time, and announces its end', async () => {
    const subscription = await subscribe(server.url, 'subscription { clusteringRunFinished { id status k topicCount } }');
    const finished = subscription.waitFor('"clusteringRunFinished"');
    await new Promise((resolve) => setTimeout(resolve, 100));

    const started = await operator<{ startClusteringRun: { id: string; status: string } }>(
      'mutation { startClusteringRun(k: 3, seed: 7) { id status } }',
    );
    expect(started.errors).toBeUndefined();
    expect(started.data?.startClusteringRun.status).toBe('RUNNING');
    const second = await operator('mutation { startClusteringRun(k: 4) { id } }');
    expect(second.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(second.errors?.[0].message).toMatch(/already in progress/);
    // The server keeps answering while the run computes.
    expect((await server.query('{ topics { totalCount } }')).errors).toBeUndefined();

    const event = await finished;
    subscription.close();
    expect(event).toContain(started.data?.startClusteringRun.id);
    expect(event).toContain('"status":"SUCCEEDED"');
    const current = await server.query<{ currentClusteringRun: { id: string; k: number } }>('{ currentClusteringRun { id k } }');
    expect(current.data?.currentClusteringRun).toEqual({ id: started.data?.startClusteringRun.id, k: 3 });
    await expectTypedParameters({ k: 3, seed: 7, kChosenBy: 'option' });
    const badK = await operator('mutation { startClusteringRun(k: 1) { id } }');
    expect(badK.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('serves repeated queries from its response cache until this server changes the data', async () => {
    const cached = await startTestServer(handle, { apiToken: TOKEN, responseCacheTtlMs: 60_000 });
    try {
      const feed = '{ articles(first: 3) { totalCount nodes { title } } }';
      const first = await cached.query<{ articles: { totalCount: number; nodes: { title: string }[] } }>(feed);
      counter.reset();
      const again = await cached.query(feed);
      expect(again).toEqual(first);
      expect(counter.statements).toEqual([]);

      // /metrics counts the miss and the hit; with API_TOKEN set it is the operator's.
      expect((await fetch(`${cached.url}/metrics`)).status).toBe(401);
      const metrics = await fetch(`${cached.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await metrics.text();
      const sample = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
      expect([sample('news_response_cache_hits_total'), sample('news_response_cache_misses_total')]).toEqual([1, 1]);
      expect(sample('news_response_cache_entries')).toBe(1);
      expect(sample('process_resident_memory_bytes')).toBeGreaterThan(sample('nodejs_heap_used_bytes'));

      const response = await fetch(`${cached.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({
          query: `mutation { importArticles(input: [{ title: "Cache buster", body: "A fresh story the cache has not seen.", publishedAt: "${new Date().toISOString()}" }]) { created } }`,
        }),
      });
      expect(((await response.json()) as { data: { importArticles: { created: number } } }).data.importArticles.created).toBe(1);
      const after = await cached.query<{ articles: { totalCount: number; nodes: { title: string }[] } }>(feed);
      expect(after.data?.articles.totalCount).toBe((first.data?.articles.totalCount ?? 0) + 1);
      expect(after.data?.articles.nodes[0].title).toBe('Cache buster');
    } finally {
      await cached.close();
    }
  });

  it('refuses queries that are too deep, too aliased, too costly or ask for too large a page', async () => {
    const deep = `{ topics { nodes { articles { nodes { ${'relatedArticles { article { '.repeat(4)} title ${'} } '.repeat(4)} } } } } }`;
    const aliases = `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: sources { totalCount }`).join(' ')} }`;
    const costly = `{ articles(first: 100) { nodes { topics { topic { articles(first: 100) { nodes { relatedArticles { article { title } } } } } } } } }`;
    const bigPage = `{ articles(first: 500) { nodes { title } } }`;
    const codes: Record<string, string | undefined> = {};
    for (const [name, query] of Object.entries({ deep, aliases, costly, bigPage })) {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      expect(response.status).toBeLessThan(500);
      const body = (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
      codes[name] = body.errors?.[0]?.extensions?.code;
    }
    expect(codes).toEqual({
      deep: 'QUERY_TOO_COMPLEX',
      aliases: 'QUERY_TOO_COMPLEX',
      costly: 'QUERY_TOO_COMPLEX',
      bigPage: 'BAD_USER_INPUT',
    });
  });

  it('answers the README queries with a number of statements that does not grow with the page size', async () => {
    const slug = (await server.query<{ topics: { nodes: { slug: string }[] } }>('{ topics(first: 1) { nodes { slug } } }')).data
      ?.topics.nodes[0].slug;
    // The README's queries, each with its main page at 1, 10 and 100 (the cap).
    const topicsList = (size: number) => `{ topics(first: ${size}) { totalCount nodes { label size keywords { term weight }
      articles(first: 5) { edges { score node { title source { name } publishedAt } } }
      relatedTopics { score topic { label } } } } }`;
    const topicFeed = (size: number) => `{ topic(slug: "${slug}") { label articles(first: ${size}) { totalCount
      edges { score node { title excerpt(length: 100) topics { score matchedTerms topic { label } }
        relatedArticles { kind score article { title } } } } pageInfo { hasNextPage endCursor } } } }`;
    const search = (size: number) =>
      `{ articles(first: ${size}, filter: { search: "election" }) { totalCount edges { snippet node { title excerpt(length: 120) primaryTopic { label } } } } }`;
    const counts: Record<string, number[]> = {};
    for (const [name, query] of Object.entries({ topicsList, topicFeed, search })) {
      counts[name] = [];
      for (const size of [1, 10, 100]) {
        counter.reset();
        const result = await server.query(query(size));
        expect(result.errors).toBeUndefined();
        counts[name].push(counter.statements.length);
      }
    }
    for (const [name, [small, medium, large]] of Object.entries(counts)) {
      expect({ name, medium, large }).toEqual({ name, medium: small, large: small });
      expect(small).toBeLessThanOrEqual(3);
    }
  });
});
