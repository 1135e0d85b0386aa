/**
 * Subscriptions and the response cache follow every change to the database, whoever makes it:
 * another process's import or clustering run reaches this server's subscribers and clears its
 * cache at once (LISTEN/NOTIFY), and on PostgreSQL two servers see each other's imports.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClustering } from '../src/jobs/cluster.js';
import { readBbcSample, storeLines } from './helpers/bbc.js';
import { bbcSample, createCorpusDatabase, driverUnderTest, type TestDatabase } from './helpers/database.js';
import { startTestServer, subscribe, type TestServer } from './helpers/server.js';
import { type ServerProcess, startServerProcess } from './helpers/server-process.js';

const root = path.join(import.meta.dirname, '..');
const TOKEN = 'events-token';
const TOPICS = '{ topics { nodes { id size } } }';

type Topics = { topics: { nodes: { id: string; size: number }[] } };

async function post<T>(url: string, query: string, variables?: Record<string, unknown>, token?: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: T; errors?: unknown[] };
}

/** Polls until `check` holds, for at most `ms`; returns how long it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - start;
}

const sizeTotal = (response: { data?: Topics }) => response.data?.topics.nodes.reduce((sum, topic) => sum + topic.size, 0) ?? -1;

describe('changes made by another process on the database', () => {
  const sample = readBbcSample();
  let handle: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    handle = await createCorpusDatabase();
    await runClustering(handle.db, { k: 4 });
    server = await startTestServer(handle, { responseCacheTtlMs: 60_000 });
  });
  afterAll(async () => {
    await server?.close();
    await handle?.close();
  });

  it('reach this server’s subscribers and clear its response cache at once', async () => {
    const before = await server.query<Topics>(TOPICS);
    const biggest = before.data!.topics.nodes[0];
    const added = await subscribe(
      server.url,
      'subscription ($t: ID!) { articleAdded(topicId: $t) { topic { id } article { title } } }',
      {
        t: biggest.id,
      },
    );
    const updated = await subscribe(server.url, 'subscription ($t: ID!) { topicUpdated(id: $t) { id size } }', { t: biggest.id });
    // As `npm run seed` would: straight into the database, not through this server.
    const stored = await storeLines(handle.db, sample.slice(0, 40));
    expect(stored.assignments.length).toBeGreaterThan(20);
    const tookMs = await within(
      2_000,
      async () => sizeTotal(await server.query<Topics>(TOPICS)) === sizeTotal(before) + stored.assignments.length,
    );
    expect(tookMs).toBeLessThan(2_000);
    expect(await added.waitFor('"articleAdded"')).toContain(biggest.id);
    expect(await updated.waitFor('"topicUpdated"')).toContain(biggest.id);
    added.close();
    updated.close();
  });

  it('announce another process’s clustering run with its changes', async () => {
    const changed = await subscribe(server.url, 'subscription { topicsChanged { id k changes { kind topic { id } } } }');
    const finished = await subscribe(server.url, 'subscription { clusteringRunFinished { id status } }');
    const run = await runClustering(handle.db, { k: 4, seed: 9 });
    const runId = Buffer.from(`ClusteringRun:${run.runId}`).toString('base64');
    const event = await changed.waitFor(runId);
    expect(event).toContain('"kind":"CONTINUED"');
    expect(await finished.waitFor('SUCCEEDED')).toContain(runId);
    changed.close();
    finished.close();
    const current = await server.query<{ currentClusteringRun: { id: string } }>('{ currentClusteringRun { id } }');
    expect(current.data?.currentClusteringRun.id).toBe(runId);
  });
});

describe.runIf(driverUnderTest === 'postgres')('two server processes on one PostgreSQL', () => {
  let handle: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    handle = await createCorpusDatabase();
    await runClustering(handle.db, { k: 4 });
    const env = { DATABASE_URL: handle.url ?? '', API_TOKEN: TOKEN, RESPONSE_CACHE_TTL_MS: '60000', RECLUSTER: 'off' };
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await handle?.close();
  });

  it('lets an import through server A reach a subscriber on server B, and changes B’s cached answer at once', async () => {
    const before = await post<Topics>(b.url, TOPICS);
    expect(await post<Topics>(b.url, TOPICS)).toEqual(before);
    const topicIds = before.data!.topics.nodes.map((topic) => topic.id);
    const subscriptions = await Promise.all(
      topicIds.map((t) =>
        subscribe(b.url, 'subscription ($t: ID!) { articleAdded(topicId: $t) { topic { id } article { title } } }', { t }),
      ),
    );
    const imported = await post<{ importArticles: { created: number } }>(
      a.url,
      'mutation ($a: [ArticleInput!]!) { importArticles(input: $a) { created } }',
      {
        a: [
          {
            title: 'Striker signs for the cup holders',
            body: 'The striker signed a new contract with the club before the cup final, the coach said after training.',
          },
        ],
      },
      TOKEN,
    );
    expect(imported.data?.importArticles.created).toBe(1);
    const received = await Promise.race(subscriptions.map((subscription) => subscription.waitFor('Striker signs')));
    expect(received).toContain('"articleAdded"');
    const tookMs = await within(2_000, async () => sizeTotal(await post<Topics>(b.url, TOPICS)) === sizeTotal(before) + 1);
    expect(tookMs).toBeLessThan(2_000);
    for (const subscription of subscriptions) subscription.close();
  });

  it('lets `npm run seed` in a third process reach server B’s subscribers', async () => {
    const subscription = await subscribe(b.url, 'subscription { clusteringRunFinished { id status } }');
    const changed = await post<Topics>(b.url, TOPICS);
    const topicIds = changed.data!.topics.nodes.map((topic) => topic.id);
    const feeds = await Promise.all(
      topicIds.map((t) => subscribe(b.url, 'subscription ($t: ID!) { articleAdded(topicId: $t) { article { title } } }', { t })),
    );
    const seeded = await new Promise<number | null>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'scripts/seed.ts', '--file', bbcSample.replace('bbc-200', 'bbc-500')],
        {
          cwd: root,
          env: { ...process.env, DATABASE_URL: handle.url ?? '' },
          stdio: 'ignore',
        },
      );
      child.on('exit', resolve);
    });
    expect(seeded).toBe(0);
    await Promise.race(feeds.map((feed) => feed.waitFor('"articleAdded"')));
    for (const feed of feeds) feed.close();
    subscription.close();
  });
});
