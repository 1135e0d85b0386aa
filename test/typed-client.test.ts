/**
 * The typed-client example (scripts/typed-client/): its generated types are those GraphQL Code
 * Generator writes from the current schema.graphql and operations (so `npm run typecheck` checks
 * the example against the schema the server serves), and it reads a topic's feed, page by page,
 * from a running server.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codegenConfig } from '../scripts/typed-client/codegen.js';
import { topicFeed } from '../scripts/typed-client/topic-feed.js';
import { runClustering } from '../src/jobs/cluster.js';
import { seedPageArticles } from '../src/jobs/seed.js';
import { projectPath } from '../src/project-root.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';

describe('the typed client example', () => {
  let handle: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    handle = await createTestDatabase();
    await seedPageArticles(handle.db);
    await runClustering(handle.db, { reason: 'typed client test' });
    server = await startTestServer(handle);
  });
  afterAll(async () => {
    await server?.close();
    await handle?.close();
  });

  it('has its generated types up to date with schema.graphql (npm run typed-client:generate)', async () => {
    const root = projectPath('.');
    const files: { filename: string; content: string }[] = await generate({ ...codegenConfig, cwd: root, silent: true }, false);
    expect(files.map((file) => path.relative(root, path.resolve(root, file.filename))).sort()).toEqual([
      'scripts/typed-client/generated/gql.ts',
      'scripts/typed-client/generated/graphql.ts',
      'scripts/typed-client/generated/index.ts',
    ]);
    for (const file of files) {
      expect(readFileSync(path.resolve(root, file.filename), 'utf8'), `${file.filename} is stale`).toBe(file.content);
    }
  });

  it('reads a topic feed, newest first, page by page', async () => {
    const { data } = await server.query<{
      topics: { nodes: { slug: string; articles: { totalCount: number; nodes: { id: string }[] } }[] };
    }>('{ topics { nodes { slug articles(first: 10, orderBy: NEWEST) { totalCount nodes { id } } } } }');
    const [topic] = data!.topics.nodes;
    const read: string[] = [];
    for await (const article of topicFeed(`${server.url}/graphql`, topic.slug, 1)) read.push(article.id);
    expect(read).toEqual(topic.articles.nodes.map((node) => node.id));
    expect(read.length).toBe(topic.articles.totalCount);
    await expect(topicFeed(`${server.url}/graphql`, 'no-such-topic').next()).rejects.toThrow('no topic has the slug');
  });
});
