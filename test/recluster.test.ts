/**
 * Automatic re-clustering: a server starts a run by itself when its policy says one is due (new
 * articles reach a share of the current run, or an interval passed), and at once when the model
 * cannot represent the corpus any more (two seed topics would otherwise hold a whole import).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClustering } from '../src/jobs/cluster.js';
import { evaluateReclusterPolicy } from '../src/jobs/recluster-policy.js';
import { seedPageArticles } from '../src/jobs/seed.js';
import { readBbcSample } from './helpers/bbc.js';
import { bbcSample, createTestDatabase, driverUnderTest, type TestDatabase } from './helpers/database.js';
import { startTestServer, subscribe, type TestServer } from './helpers/server.js';

const TOKEN = 'policy-token';
const root = path.join(import.meta.dirname, '..');

interface State {
  automatic: boolean;
  due: boolean;
  reason: string;
  newArticles: number;
  threshold: number | null;
  dueAt: string | null;
}

const STATE_QUERY = '{ reclustering { automatic due reason newArticles threshold dueAt } }';

async function importThrough(server: TestServer, lines: { id: string; title: string; body: string }[]) {
  const articles = lines.map((line) => ({ externalId: line.id, title: line.title, body: line.body }));
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({
      query:
        'mutation ($a: [ArticleInput!]!) { importArticles(input: $a) { created items { article { primaryTopic { id } } } } }',
      variables: { a: articles },
    }),
  });
  const body = (await response.json()) as {
    errors?: unknown[];
    data: { importArticles: { created: number; items: { article: { primaryTopic: { id: string } | null } | null }[] } };
  };
  expect(body.errors).toBeUndefined();
  return body.data.importArticles;
}

async function state(server: TestServer): Promise<State> {
  const result = await server.query<{ reclustering: State }>(STATE_QUERY);
  expect(result.errors).toBeUndefined();
  return result.data!.reclustering;
}

async function currentRun(server: TestServer) {
  const result = await server.query<{ currentClusteringRun: { id: string; articleCount: number; reason: string } }>(
    '{ currentClusteringRun { id articleCount reason } }',
  );
  return result.data!.currentClusteringRun;
}

describe('automatic re-clustering', () => {
  const sample = readBbcSample();
  let handle: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    handle = await createTestDatabase();
    await seedPageArticles(handle.db);
    await runClustering(handle.db, { reason: 'test' });
    server = await startTestServer(handle, {
      apiToken: TOKEN,
      recluster: { enabled: true, newShare: 0.1, quietMs: 50, checkEveryMs: 200 },
    });
  });
  afterAll(async () => {
    await server?.close();
    await handle?.close();
  });

  it('re-clusters at once when an import dwarfs the current run, without crowding it into the seed topics', async () => {
    const changed = await subscribe(server.url, 'subscription { topicsChanged { id reason articleCount } }');
    const imported = await importThrough(server, sample.slice(0, 200));
    // The sample holds one article twice.
    expect(imported.created).toBe(199);
    // The four seed articles' model does not place 199 BBC articles: they wait for the run.
    expect(imported.items.filter((item) => item.article).every((item) => item.article?.primaryTopic === null)).toBe(true);
    const event = await changed.waitFor('topicsChanged');
    changed.close();
    expect(event).toContain('"articleCount":203');
    const run = await currentRun(server);
    expect(run.reason).toMatch(/^automatic: run \d+ clustered 4 articles; 199 articles arrived since: too many/);
    const topics = await server.query<{ topics: { nodes: { size: number }[] }; retired: { totalCount: number } }>(
      '{ topics { nodes { size } } retired: topics(status: RETIRED) { totalCount } }',
    );
    expect(topics.data?.topics.nodes.reduce((sum, topic) => sum + topic.size, 0)).toBe(203);
    expect(topics.data?.retired.totalCount).toBeGreaterThanOrEqual(1);
  });

  it('shows when the next run is due and starts it once new articles reach 10% of the current run', async () => {
    await server.app.clustering.idle();
    const before = await state(server);
    expect(before).toMatchObject({ automatic: true, due: false, newArticles: 0, threshold: 21, dueAt: null });
    expect(before.reason).toMatch(/a run is due at 21$/);

    const first = await importThrough(server, sample.slice(200, 210));
    expect(first.items.every((item) => item.article?.primaryTopic !== null)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await state(server)).toMatchObject({ due: false, newArticles: 10 });
    const runBefore = await currentRun(server);

    const changed = await subscribe(server.url, 'subscription { topicsChanged { id reason } }');
    await importThrough(server, sample.slice(210, 225));
    await changed.waitFor('topicsChanged');
    changed.close();
    const run = await currentRun(server);
    expect(run.id).not.toBe(runBefore.id);
    expect(run.articleCount).toBe(228);
    expect(run.reason).toMatch(/25 articles arrived since, at least 10% of its size \(21\)/);
  });

  it('runs after the interval when articles arrived, and says so when automatic runs are off', async () => {
    await server.app.clustering.idle();
    const timed = await startTestServer(handle, {
      apiToken: TOKEN,
      recluster: { enabled: true, newShare: null, intervalMs: 400, quietMs: 20, checkEveryMs: 100 },
    });
    const off = await startTestServer(handle, { apiToken: TOKEN });
    try {
      const idle = await state(timed);
      expect(idle).toMatchObject({ due: false, threshold: null, newArticles: 0 });
      expect(idle.dueAt).not.toBeNull();
      const changed = await subscribe(timed.url, 'subscription { topicsChanged { id } }');
      await importThrough(timed, sample.slice(225, 226));
      await changed.waitFor('topicsChanged');
      changed.close();
      expect((await currentRun(timed)).reason).toMatch(/it finished more than 400 ms ago/);
      await timed.app.clustering.idle();

      const offState = await state(off);
      expect(offState).toMatchObject({ automatic: false, due: false });
      expect(offState.reason).toMatch(/^automatic runs are off \(RECLUSTER=off\)/);
    } finally {
      await timed.close();
      await off.close();
    }
  });

  it('evaluates the policy from the database alone (what `npm run seed` uses)', async () => {
    const empty = await createTestDatabase();
    try {
      const none = await evaluateReclusterPolicy(empty.db, { newShare: 0.1, newCount: null, intervalMs: null, windowMs: null });
      expect(none).toMatchObject({ due: false, newArticles: 0, reason: '0 articles stored; clustering needs 2' });
      await seedPageArticles(empty.db);
      const first = await evaluateReclusterPolicy(empty.db, { newShare: null, newCount: null, intervalMs: null, windowMs: null });
      expect(first).toMatchObject({ due: true, newArticles: 4, reason: 'there is no clustering run yet' });
    } finally {
      await empty.close();
    }
  });
});

describe(`npm run seed on a ${driverUnderTest} database`, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'news-seed-cli-'));
  let database: TestDatabase | undefined;

  beforeAll(async () => {
    if (driverUnderTest === 'postgres') database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function seed(...args: string[]): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/seed.ts', ...args], {
        cwd: root,
        env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: database?.url ?? '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      child.on('exit', (code) => resolve({ code, output }));
    });
  }

  it('clusters the seed articles, then re-clusters at once when a corpus is imported into that tiny model', async () => {
    const first = await seed();
    expect(first.code).toBe(0);
    expect(first.output).toContain('clustering now: there is no clustering run yet');
    const imported = await seed('--file', bbcSample);
    expect(imported.code).toBe(0);
    expect(imported.output).toMatch(/198 inserted/);
    expect(imported.output).toMatch(/clustering now: run 1 clustered 4 articles; 198 articles arrived since/);
    expect(imported.output).toMatch(/run 2: \d+ topics from 202 articles/);
    const again = await seed('--file', bbcSample);
    expect(again.output).toMatch(/0 inserted, 200 already present/);
    expect(again.output).not.toContain('clustering now');
  });
});
