/**
 * PostgreSQL going away under a running server (NODE_ENV=production, as deployed): requests fail
 * fast with UNAVAILABLE and HTTP 503 + Retry-After, the log names the cause, and queries succeed
 * again promptly once it is back. A statement past DATABASE_STATEMENT_TIMEOUT answers TIMEOUT;
 * transactions (imports) are not held to that limit.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClustering } from '../src/jobs/cluster.js';
import { seedPageArticles } from '../src/jobs/seed.js';
import { createTestDatabase, driverUnderTest, type TestDatabase } from './helpers/database.js';
import { type ServerProcess, startServerProcess } from './helpers/server-process.js';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.js';

const TOKEN = 'outage-token';
const FEED = '{ topics(first: 5) { nodes { label articles(first: 5) { nodes { title } } } } }';

interface Answer {
  status: number;
  retryAfter: string | null;
  ms: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function post(server: ServerProcess, query: string, variables?: Record<string, unknown>): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as Answer['body'];
  return { status: response.status, retryAfter: response.headers.get('retry-after'), ms: performance.now() - started, body };
}

async function preparedDatabase(): Promise<TestDatabase> {
  const handle = await createTestDatabase();
  await seedPageArticles(handle.db);
  await runClustering(handle.db);
  return handle;
}

describe.runIf(driverUnderTest === 'postgres')('PostgreSQL going away under a production server', () => {
  let handle: TestDatabase;
  let proxy: TcpProxy;
  let server: ServerProcess;

  beforeAll(async () => {
    handle = await preparedDatabase();
    const url = new URL(handle.url ?? '');
    proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    server = await startServerProcess({
      DATABASE_URL: url.toString(),
      NODE_ENV: 'production',
      RESPONSE_CACHE_TTL_MS: '0',
      RECLUSTER: 'off',
      API_TOKEN: TOKEN,
    });
  });
  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
    await handle?.close();
  });

  it('answers UNAVAILABLE with 503 and Retry-After within a bounded time, logs the cause, and recovers promptly', async () => {
    expect((await post(server, FEED)).body.errors).toBeUndefined();

    await proxy.cut();
    // The pool's connections were dropped, then new ones are refused: both are outages.
    for (let i = 0; i < 3; i++) {
      const answer = await post(server, FEED);
      expect(answer.ms).toBeLessThan(3_000);
      expect(answer.status).toBe(503);
      expect(answer.retryAfter).toMatch(/^\d+$/);
      expect(answer.body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAVAILABLE']);
      expect(answer.body.errors?.[0].message).toMatch(/database is unavailable; retry/);
    }
    // Data that needs no database still comes back: a partial answer keeps its status 200.
    const partial = await post(server, '{ __typename topic(slug: "north-korea") { label } }');
    expect(partial.status).toBe(200);
    expect(partial.body.data?.__typename).toBe('Query');
    expect(partial.body.errors?.map((error) => error.extensions?.code)).toEqual(['UNAVAILABLE']);
    // The import mutation (a transaction) fails the same way.
    const importing = await post(server, 'mutation ($a: [ArticleInput!]!) { importArticles(input: $a) { created } }', {
      a: [{ title: 'During the outage', body: 'Nothing can be stored now.' }],
    });
    expect(importing.status).toBe(503);
    expect(importing.body.errors?.[0].extensions?.code).toBe('UNAVAILABLE');

    // The log line may reach the pipe after the answer reached the socket.
    await expect.poll(() => server.output()).toMatch(/database unavailable: .*(ECONNREFUSED|ECONNRESET|CONNECTION_CLOSED)/);
    const log = server.output();
    expect(log).not.toContain('Failed query');
    expect(log).not.toContain('params:');

    await proxy.restore();
    const restored = performance.now();
    let answer = await post(server, FEED);
    while (answer.body.errors && performance.now() - restored < 5_000) answer = await post(server, FEED);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.status).toBe(200);
    expect(performance.now() - restored).toBeLessThan(2_000);
  });
});

describe.runIf(driverUnderTest === 'postgres')('DATABASE_STATEMENT_TIMEOUT', () => {
  let handle: TestDatabase;
  let server: ServerProcess;
  let locker: postgres.Sql;

  beforeAll(async () => {
    handle = await preparedDatabase();
    server = await startServerProcess({
      DATABASE_URL: handle.url ?? '',
      NODE_ENV: 'production',
      RESPONSE_CACHE_TTL_MS: '0',
      RECLUSTER: 'off',
      API_TOKEN: TOKEN,
      DATABASE_STATEMENT_TIMEOUT: '1s',
    });
    locker = postgres(handle.url ?? '', { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await locker?.end();
    await server?.stop();
    await handle?.close();
  });

  it('ends a query that runs past it with TIMEOUT, and logs the statement without its parameters', async () => {
    // A table locked by another session keeps the feed query waiting past the limit.
    const answer = await locker.begin(async (tx) => {
      await tx`lock table topics in access exclusive mode`;
      return post(server, FEED);
    });
    expect(answer.ms).toBeLessThan(5_000);
    expect(answer.status).toBe(503);
    expect(answer.body.errors?.map((error) => error.extensions?.code)).toEqual(['TIMEOUT']);
    await expect
      .poll(() => server.output())
      .toMatch(/database statement timeout: canceling statement due to statement timeout \(in: select/);
    expect(server.output()).not.toContain('params:');
  });

  it('does not hold a transaction (an import waiting for a lock) to it', async () => {
    // Held for 2 s, twice the limit; the import answers once it is released (commit).
    const { importing } = await locker.begin(async (tx) => {
      await tx`lock table articles in exclusive mode`;
      const pending = post(server, 'mutation ($a: [ArticleInput!]!) { importArticles(input: $a) { created } }', {
        a: [{ title: 'Waits for the lock', body: 'Stored once the lock is released.' }],
      });
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      return { importing: pending };
    });
    const answer = await importing;
    expect(answer.ms).toBeGreaterThan(1_500);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data).toEqual({ importArticles: { created: 1 } });
  });
});
