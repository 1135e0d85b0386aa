import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClustering } from '../src/jobs/cluster.js';
import { seedPageArticles } from '../src/jobs/seed.js';
import { createTestDatabase, StatementCounter, type TestDatabase } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const TOPICS_QUERY = /* GraphQL */ `
  query Topics {
    topics(first: 10) {
      totalCount
      nodes {
        id
        label
        slug
        size
        keywords { term weight }
        relatedTopics { score topic { label } }
        articles(first: 10) {
          totalCount
          edges {
            score
            weak
            node {
              id
              title
              source { name }
              topics { score topic { label } }
              primaryTopic { label }
              relatedArticles { kind score article { title } }
            }
          }
        }
      }
    }
  }
`;

interface TopicsResult {
  topics: {
    totalCount: number;
    nodes: {
      id: string;
      label: string;
      slug: string;
      size: number;
      keywords: { term: string; weight: number }[];
      relatedTopics: { score: number; topic: { label: string } }[];
      articles: {
        totalCount: number;
        edges: {
          score: number;
          weak: boolean;
          node: {
            id: string;
            title: string;
            source: { name: string } | null;
            topics: { score: number; topic: { label: string } }[];
            primaryTopic: { label: string } | null;
            relatedArticles: { kind: string; score: number | null; article: { title: string } }[];
          };
        }[];
      };
    }[];
  };
}

describe('GraphQL over HTTP', () => {
  const counter = new StatementCounter();
  let handle: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    handle = await createTestDatabase({ logger: counter });
    await seedPageArticles(handle.db);
    await runClustering(handle.db);
    server = await startTestServer(handle);
  });
  afterAll(async () => {
    await server?.close();
    await handle?.close();
  });

  it('returns labelled topics with their articles, scores and related articles', async () => {
    const { data, errors } = await server.query<TopicsResult>(TOPICS_QUERY);
    expect(errors).toBeUndefined();
    const topics = data?.topics.nodes ?? [];
    expect(topics.length).toBeGreaterThanOrEqual(2);
    expect(data?.topics.totalCount).toBe(topics.length);
    expect(topics.reduce((sum, topic) => sum + topic.size, 0)).toBe(4);

    const northKorea = topics.find((topic) =>
      topic.articles.edges.some((edge) => edge.node.title.includes('Kim Jong-un rejects Trump letter')),
    );
    expect(northKorea?.label).toMatch(/North Korea|Kim Jong-un/);
    expect(northKorea?.keywords.length).toBeGreaterThan(0);
    expect(northKorea?.articles.totalCount).toBe(northKorea?.size);
    const scores = northKorea?.articles.edges.map((edge) => edge.score) ?? [];
    expect(scores).toEqual([...scores].sort((a, b) => b - a));

    const main = northKorea?.articles.edges.find((edge) => edge.node.title.includes('rejects Trump letter'))?.node;
    expect(main?.source?.name).toBe('South China Morning Post');
    expect(main?.primaryTopic?.label).toBe(northKorea?.label);
    expect(main?.topics[0].topic.label).toBe(northKorea?.label);
    const editorial = main?.relatedArticles.filter((related) => related.kind === 'EDITORIAL') ?? [];
    expect(editorial.map((related) => related.article.title)).toEqual([
      "Is North Korea's Kim shoring up navy in strategic bid with allies China, Russia?",
      "Will Trump's student visa crackdown backfire and bleed US innovation?",
      'How Hong Kong can shake off stagnant growth',
    ]);

    const navy = topics
      .flatMap((topic) => topic.articles.edges)
      .find((edge) => edge.node.title.startsWith("Is North Korea's Kim"))?.node;
    const similar = navy?.relatedArticles.filter((related) => related.kind === 'SIMILAR') ?? [];
    expect(similar[0]?.article.title).toContain('rejects Trump letter');
    expect(similar[0]?.score).toBeGreaterThan(0);
    expect(topics[0].relatedTopics.length).toBeGreaterThan(0);
  });

  it('answers the nested query without a statement per row', async () => {
    counter.reset();
    const { errors } = await server.query(TOPICS_QUERY);
    expect(errors).toBeUndefined();
    // One for the topics and their nested rows, one for totalCount.
    expect(counter.statements.length).toBeLessThanOrEqual(3);
  });

  it('fetches an article and a topic by id, and any entity through node', async () => {
    const { data } = await server.query<TopicsResult>(TOPICS_QUERY);
    const topic = data?.topics.nodes[0];
    const article = topic?.articles.edges[0].node;
    const result = await server.query<{
      article: { title: string };
      topic: { label: string };
      bySlug: { id: string };
      node: { __typename: string };
    }>(
      `query ($article: ID!, $topic: ID!, $slug: String!) {
        article(id: $article) { title }
        topic(id: $topic) { label }
        bySlug: topic(slug: $slug) { id }
        node(id: $topic) { __typename }
      }`,
      { article: article?.id, topic: topic?.id, slug: topic?.slug },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.article.title).toBe(article?.title);
    expect(result.data?.topic.label).toBe(topic?.label);
    expect(result.data?.bySlug.id).toBe(topic?.id);
    expect(result.data?.node.__typename).toBe('Topic');
  });

  it('pages through articles with cursors', async () => {
    const titles: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const result: {
        data?: {
          articles: { totalCount: number; nodes: { title: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
        };
      } = await server.query(
        `query ($after: String) { articles(first: 3, after: $after) { totalCount nodes { title } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      const connection = result.data?.articles;
      titles.push(...(connection?.nodes.map((node) => node.title) ?? []));
      if (!connection?.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(titles).toHaveLength(4);
    expect(new Set(titles).size).toBe(4);
  });

  it('serves GraphiQL without loading anything from another host', async () => {
    const response = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain('GraphiQL');
    expect(html).not.toMatch(/<script[^>]+src="https?:\/\//);
    expect(html).not.toMatch(/<link[^>]+href="https?:\/\//);
  });

  it('refuses mutations when no API_TOKEN is configured, saying how to enable them', async () => {
    const result = await server.query('mutation { startClusteringRun { id } }');
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'Mutations are disabled: start the server with API_TOKEN=<secret> and send "Authorization: Bearer <secret>".',
        extensions: { code: 'FORBIDDEN' },
      }),
    ]);
  });

  it('reports /health and /ready', async () => {
    for (const path of ['/health', '/health?probe=1']) {
      const health = await fetch(`${server.url}${path}`);
      expect({ status: health.status, body: await health.json() }).toEqual({ status: 200, body: { status: 'ok' } });
    }
    // Only that path: a GraphQL GET whose query string ends in /health still runs.
    const query = await fetch(`${server.url}/graphql?query=${encodeURIComponent('{ __typename }')}&note=/health`);
    expect(await query.json()).toEqual({ data: { __typename: 'Query' } });
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });
});
