import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.js';
import { articles, clusteringRuns, topics } from '../src/db/schema.js';
import { runClustering } from '../src/jobs/cluster.js';
import { seedPageArticles } from '../src/jobs/seed.js';
import { createCorpusDatabase, createTestDatabase, driverUnderTest, type TestDatabase } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { startTcpProxy } from './helpers/tcp-proxy.js';

const root = path.join(import.meta.dirname, '..');
const TOKEN = 'reliability-token';

describe('clustering runs under faults', () => {
  let handle: TestDatabase;
  beforeAll(async () => {
    handle = await createCorpusDatabase();
  });
  afterAll(() => handle?.close());

  it('runs one of two runs started at once and refuses the other; never two current runs', async () => {
    const outcomes = await Promise.allSettled([runClustering(handle.db, { k: 5 }), runClustering(handle.db, { k: 4 })]);
    const fulfilled = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const rejected = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(String(rejected[0].reason.message)).toMatch(/already in progress/);
    expect(await handle.db.$count(clusteringRuns, undefined)).toBe(1);
    const current = await handle.db.query.clusteringRuns.findMany({ where: { isCurrent: true } });
    expect(current).toHaveLength(1);
  });

  it.runIf(driverUnderTest === 'postgres')(
    'keeps the previous run current and complete when a run’s process is killed; the next run succeeds',
    async () => {
      const before = await handle.db.query.clusteringRuns.findFirst({ where: { isCurrent: true } });
      const topicsBefore = await handle.db.$count(topics);
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cluster.ts', '--k', '6'], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: handle.url },
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // Kill it once its run is recorded and under way.
      for (let i = 0; i < 600; i++) {
        const running = await handle.db.query.clusteringRuns.findFirst({ where: { status: 'running' } });
        if (running) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      child.kill('SIGKILL');
      await exited;

      const current = await handle.db.query.clusteringRuns.findFirst({ where: { isCurrent: true } });
      expect(current?.id).toBe(before?.id);
      expect(await handle.db.$count(topics)).toBe(topicsBefore);
      const next = await runClustering(handle.db, { k: 3 });
      const runs = await handle.db.query.clusteringRuns.findMany({ orderBy: { id: 'asc' } });
      expect(runs.at(-1)).toMatchObject({ id: next.runId, status: 'succeeded', isCurrent: true });
      // The killed run, if it had started, is marked failed rather than left running.
      expect(runs.filter((run) => run.status === 'running')).toEqual([]);
    },
  );
});

describe('a server stopping during a clustering run', () => {
  let handle: TestDatabase;
  beforeAll(async () => {
    handle = await createCorpusDatabase();
  });
  afterAll(() => handle?.close());

  it('stops the run at once, marks it failed and leaves the previous run current', async () => {
    const before = await runClustering(handle.db, { k: 3 });
    const server = await startTestServer(handle, { apiToken: TOKEN });
    const started = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ query: 'mutation { startClusteringRun(k: 4) { id status } }' }),
    });
    expect(((await started.json()) as { data: { startClusteringRun: { status: string } } }).data.startClusteringRun.status).toBe(
      'RUNNING',
    );
    const stopping = Date.now();
    await server.close();
    expect(Date.now() - stopping).toBeLessThan(5_000);
    const runs = await handle.db.query.clusteringRuns.findMany({ orderBy: { id: 'asc' } });
    expect(runs.map((run) => [run.status, run.isCurrent])).toEqual([
      ['succeeded', true],
      ['failed', false],
    ]);
    expect(runs[1].error).toMatch(/stopped: the server is shutting down$/);
    expect(runs[0].id).toBe(before.runId);
  });
});

describe.runIf(driverUnderTest === 'postgres')('the database going away and coming back', () => {
  let handle: TestDatabase;
  let server: TestServer;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let appDb: Awaited<ReturnType<typeof openDatabase>>;

  beforeAll(async () => {
    handle = await createTestDatabase();
    await seedPageArticles(handle.db);
    const url = new URL(handle.url ?? '');
    proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    appDb = await openDatabase({ databaseUrl: url.toString(), maxConnections: 4 });
    server = await startTestServer(appDb);
  });
  afterAll(async () => {
    await server?.close();
    await appDb?.close();
    await proxy?.close();
    await handle?.close();
  });

  it('reports not ready and fails queries clearly, then recovers without a restart', async () => {
    const query = '{ articles(first: 2) { totalCount } }';
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    expect((await server.query(query)).errors).toBeUndefined();

    await proxy.cut();
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(503);
    const failed = await server.query(query);
    expect(failed.errors?.length).toBeGreaterThan(0);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);

    await proxy.restore();
    let recovered = false;
    for (let i = 0; i < 50 && !recovered; i++) {
      recovered = (await fetch(`${server.url}/ready`)).status === 200;
      if (!recovered) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(recovered).toBe(true);
    const after = await server.query<{ articles: { totalCount: number } }>(query);
    expect(after.errors).toBeUndefined();
    expect(after.data?.articles.totalCount).toBe(4);
  });
});

describe('bad requests', () => {
  let handle: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    handle = await createTestDatabase();
    await seedPageArticles(handle.db);
    await runClustering(handle.db);
    server = await startTestServer(handle, { apiToken: TOKEN });
  });
  afterAll(async () => {
    await server?.close();
    await handle?.close();
  });

  async function post(body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers },
      body,
    });
    const text = await response.text();
    let json: { errors?: { message: string; extensions?: { code?: string } }[] } = {};
    try {
      json = JSON.parse(text);
    } catch {
      // Left empty: the assertion on errors below reports it.
    }
    return { status: response.status, errors: json.errors ?? [] };
  }

  it('answers each with a clear error, stays up, and writes nothing', async () => {
    const articlesBefore = await handle.db.$count(articles);
    const runsBefore = await handle.db.$count(clusteringRuns);
    const topicId = (await server.query<{ topics: { nodes: { id: string }[] } }>('{ topics { nodes { id } } }')).data?.topics
      .nodes[0].id;
    const bigImport = Array.from({ length: 10_000 }, (_, i) => ({ title: `Bulk ${i}`, body: `Body ${i}` }));
    const cases: [string, string | Uint8Array<ArrayBuffer>][] = [
      ['invalid JSON', '{"query": "{ sources { totalCount } "'],
      ['10 MB body', JSON.stringify({ query: '{ sources { totalCount } }', padding: 'x'.repeat(10 * 1024 * 1024) })],
      [
        'depth bomb',
        JSON.stringify({ query: `{ ${'topics { nodes { relatedTopics { topic { '.repeat(8)} label ${'} } } }'.repeat(8)} }` }),
      ],
      ['alias bomb', JSON.stringify({ query: `{ ${Array.from({ length: 500 }, (_, i) => `a${i}: __typename`).join(' ')} }` })],
      [
        '10,000-item import',
        JSON.stringify({
          query: 'mutation ($input: [ArticleInput!]!) { importArticles(input: $input) { created } }',
          variables: { input: bigImport },
        }),
      ],
      ['id of the wrong type', JSON.stringify({ query: `{ article(id: "${topicId}") { title } }` })],
      ['id that is no id', JSON.stringify({ query: '{ article(id: "not-an-id") { title } }' })],
      ['id of the wrong scalar', JSON.stringify({ query: '{ article(id: 12.5) { title } }' })],
      [
        'invalid UTF-8',
        new Uint8Array([...Buffer.from('{"query": "{ sources { totalCount'), 0xff, 0xfe, ...Buffer.from(' } }"}')]),
      ],
      ['unknown field', JSON.stringify({ query: '{ nonsense }' })],
    ];
    for (const [name, body] of cases) {
      const { status, errors } = await post(body);
      expect({ name, status: status < 500 }).toEqual({ name, status: true });
      expect({ name, hasError: errors.length > 0 }).toEqual({ name, hasError: true });
      expect({ name, message: errors[0]?.message.length > 0 }).toEqual({ name, message: true });
    }
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(await handle.db.$count(articles)).toBe(articlesBefore);
    expect(await handle.db.$count(clusteringRuns)).toBe(runsBefore);
  });
});
