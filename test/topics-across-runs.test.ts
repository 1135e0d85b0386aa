/**
 * A topic lives across clustering runs: its id and slug stay, each run records what became of it
 * (planted changes: a new section is BORN, k − 1 MERGES two topics, k + 1 SPLITS or gives birth),
 * feed cursors and subscriptions survive runs, and old runs' memberships are pruned while topics
 * and their history stay.
 */
import { eq, isNotNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articleTopics, clusteringRuns } from '../src/db/schema.js';
import { runClustering } from '../src/jobs/cluster.js';
import { readBbcSample, storeLines } from './helpers/bbc.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { type Subscription, startTestServer, subscribe, type TestServer } from './helpers/server.js';

const TOKEN = 'lineage-token';

interface TopicShareResult {
  share: number;
  articles: number;
  topic: { id: string };
}

interface ChangeResult {
  kind: string;
  ended: boolean;
  size: number;
  topic: { id: string; slug: string; status: string };
  from: TopicShareResult[];
  to: TopicShareResult[];
}

describe('topics across clustering runs', () => {
  const lines = readBbcSample();
  const withoutSport = lines.filter((line) => line.category !== 'sport');
  const sport = lines.filter((line) => line.category === 'sport');
  let handle: TestDatabase;
  let server: TestServer;
  const subscriptions: Subscription[] = [];
  /** The topics the subscriptions follow, in the same order. */
  const subscribedIds: string[] = [];

  async function query<T>(text: string, variables?: Record<string, unknown>): Promise<T> {
    const result = await server.query<T>(text, variables);
    expect(result.errors).toBeUndefined();
    return result.data as T;
  }

  async function currentTopics() {
    const data = await query<{ topics: { nodes: { id: string; slug: string; label: string; size: number; status: string }[] } }>(
      '{ topics { nodes { id slug label size status } } }',
    );
    return data.topics.nodes;
  }

  async function currentChanges(): Promise<ChangeResult[]> {
    const data = await query<{ currentClusteringRun: { changes: ChangeResult[] } }>(`{
      currentClusteringRun { changes {
        kind ended size topic { id slug status }
        from { share articles topic { id } } to { share articles topic { id } }
      } }
    }`);
    return data.currentClusteringRun.changes;
  }

  /** Topic id of each article in the current run. */
  async function membershipMap(): Promise<Map<number, number>> {
    const rows = await handle.db
      .select({ articleId: articleTopics.articleId, topicId: articleTopics.topicId })
      .from(articleTopics)
      .where(sql`${articleTopics.runId} = (select id from clustering_runs where is_current)`);
    return new Map(rows.map((row) => [row.articleId, row.topicId]));
  }

  beforeAll(async () => {
    handle = await createTestDatabase();
    server = await startTestServer(handle, { apiToken: TOKEN });
  });
  afterAll(async () => {
    for (const subscription of subscriptions) subscription.close();
    await server?.close();
    await handle?.close();
  });

  it('gives each topic the same id and slug when the same articles are clustered again with another seed', async () => {
    await storeLines(handle.db, withoutSport);
    const first = await runClustering(handle.db, { k: 4, seed: 1 });
    expect(first.topics.map((topic) => topic.kind)).toEqual(['BORN', 'BORN', 'BORN', 'BORN']);
    const before = await currentTopics();
    const membersBefore = await membershipMap();

    const second = await runClustering(handle.db, { k: 4, seed: 2 });
    expect(second.topics.map((topic) => topic.kind)).toEqual(['CONTINUED', 'CONTINUED', 'CONTINUED', 'CONTINUED']);
    const after = await currentTopics();
    const identity = (topics: typeof before) => topics.map((topic) => `${topic.id} ${topic.slug}`).sort();
    expect(identity(after)).toEqual(identity(before));
    const membersAfter = await membershipMap();
    const kept = [...membersBefore].filter(([article, topic]) => membersAfter.get(article) === topic).length;
    expect(kept / membersBefore.size).toBeGreaterThanOrEqual(0.95);
  });

  it('pages on with a feed cursor taken before a run, each article once', async () => {
    const [largest] = await currentTopics();
    const page = `query ($id: ID!, $after: String) { topic(id: $id) { articles(first: 25, after: $after) {
      totalCount nodes { id } pageInfo { hasNextPage endCursor } } } }`;
    type Page = {
      topic: { articles: { totalCount: number; nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    };
    const firstPage = await query<Page>(page, { id: largest.id });
    const seen = firstPage.topic.articles.nodes.map((node) => node.id);
    const total = firstPage.topic.articles.totalCount;
    let after: string | null = firstPage.topic.articles.pageInfo.endCursor;

    await runClustering(handle.db, { k: 4, seed: 3 });
    for (let pages = 0; after && pages < 50; pages++) {
      const next: Page = await query<Page>(page, { id: largest.id, after });
      seen.push(...next.topic.articles.nodes.map((node) => node.id));
      expect(next.topic.articles.totalCount).toBe(total);
      after = next.topic.articles.pageInfo.hasNextPage ? next.topic.articles.pageInfo.endCursor : null;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(total);

    const garbage = await server.query(page, { id: largest.id, after: 'not-a-cursor' });
    expect(garbage.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('reports a new section as BORN and the others as CONTINUED', async () => {
    await storeLines(handle.db, sport);
    await runClustering(handle.db, { k: 5, seed: 4 });
    const changes = await currentChanges();
    expect(changes.map((change) => change.kind).sort()).toEqual(['BORN', 'CONTINUED', 'CONTINUED', 'CONTINUED', 'CONTINUED']);
    expect(changes.every((change) => !change.ended && change.topic.status === 'ACTIVE')).toBe(true);
    const born = changes.find((change) => change.kind === 'BORN')!;
    // The sport articles the previous model had placed into the four topics (a guess) left them for it.
    expect(born.size).toBeGreaterThanOrEqual(90);
    for (const continued of changes.filter((change) => change.kind === 'CONTINUED')) {
      expect(continued.from[0].topic.id).toBe(continued.topic.id);
      expect(continued.from[0].share).toBeGreaterThanOrEqual(0.7);
      expect(continued.to[0].topic.id).toBe(continued.topic.id);
    }
  });

  let absorbed: ChangeResult;
  let heir: ChangeResult;

  it('merges two topics under the larger one’s id when asked for one topic fewer; the other retires with it as successor', async () => {
    const before = await currentTopics();
    for (const topic of before) {
      subscribedIds.push(topic.id);
      subscriptions.push(
        await subscribe(
          server.url,
          'subscription ($t: ID!) { articleAdded(topicId: $t) { score topic { id } article { title } } }',
          {
            t: topic.id,
          },
        ),
      );
    }
    await runClustering(handle.db, { k: 4, seed: 5 });
    const changes = await currentChanges();
    expect(changes.map((change) => `${change.kind}${change.ended ? ' (ended)' : ''}`).sort()).toEqual([
      'CONTINUED',
      'CONTINUED',
      'CONTINUED',
      'MERGED',
      'MERGED (ended)',
    ]);
    heir = changes.find((change) => change.kind === 'MERGED' && !change.ended)!;
    absorbed = changes.find((change) => change.ended)!;
    expect(heir.from.map((share) => share.topic.id).sort()).toEqual([heir.topic.id, absorbed.topic.id].sort());
    expect(heir.from.every((share) => share.share >= 0.7)).toBe(true);
    const sizeOf = (id: string) => before.find((topic) => topic.id === id)!.size;
    expect(sizeOf(heir.topic.id)).toBeGreaterThanOrEqual(sizeOf(absorbed.topic.id));

    const retired = `query ($id: ID, $slug: String) { topic(id: $id, slug: $slug) {
      id slug status retiredAt successors { share topic { id status } }
      history { totalCount nodes { kind ended run { id } } } } }`;
    type Retired = {
      topic: {
        id: string;
        slug: string;
        status: string;
        retiredAt: string | null;
        successors: { share: number; topic: { id: string; status: string } }[];
        history: { totalCount: number; nodes: { kind: string; ended: boolean }[] };
      };
    };
    const byId = await query<Retired>(retired, { id: absorbed.topic.id });
    const bySlug = await query<Retired>(retired, { slug: absorbed.topic.slug });
    expect(bySlug).toEqual(byId);
    expect(byId.topic.status).toBe('RETIRED');
    expect(byId.topic.retiredAt).not.toBeNull();
    expect(byId.topic.successors[0]).toMatchObject({ topic: { id: heir.topic.id, status: 'ACTIVE' } });
    expect(byId.topic.successors[0].share).toBeGreaterThanOrEqual(0.7);
    expect(byId.topic.history.nodes.map((change) => change.kind)).toEqual([
      'BORN',
      'CONTINUED',
      'CONTINUED',
      'CONTINUED',
      'MERGED',
    ]);
    expect(byId.topic.history.nodes.at(-1)?.ended).toBe(true);
    const node = await query<{ node: { id: string; status: string } }>(
      'query ($id: ID!) { node(id: $id) { id ... on Topic { status } } }',
      {
        id: absorbed.topic.id,
      },
    );
    expect(node.node).toEqual({ id: absorbed.topic.id, status: 'RETIRED' });
  });

  it('keeps a subscription to the absorbed topic going with the topic that absorbed it', async () => {
    const [member] = await handle.db
      .select({ title: sql<string>`a.title`, body: sql<string>`a.body` })
      .from(articleTopics)
      .innerJoin(sql`articles a`, sql`a.id = ${articleTopics.articleId}`)
      .where(sql`${articleTopics.runId} = (select id from clustering_runs where is_current)
        and ${articleTopics.topicId} = ${Number(Buffer.from(heir.topic.id, 'base64').toString().split(':')[1])}`)
      .orderBy(sql`${articleTopics.score} desc`)
      .limit(1);
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        query:
          'mutation ($a: [ArticleInput!]!) { importArticles(input: $a) { items { status article { primaryTopic { id } } } } }',
        variables: { a: [{ title: `Follow-up: ${member.title}`, body: `${member.body}\n\nMore on this story to follow.` }] },
      }),
    });
    const imported = (await response.json()) as {
      data: { importArticles: { items: { status: string; article: { primaryTopic: { id: string } } }[] } };
    };
    expect(imported.data.importArticles.items[0]).toMatchObject({
      status: 'CREATED',
      article: { primaryTopic: { id: heir.topic.id } },
    });
    const received = await subscriptions[subscribedIds.indexOf(absorbed.topic.id)].waitFor('Follow-up');
    expect(received).toContain(heir.topic.id);
  });

  it('splits a topic or gives birth to one when asked for one topic more', async () => {
    await runClustering(handle.db, { k: 5, seed: 6 });
    const kinds = (await currentChanges()).filter((change) => !change.ended).map((change) => change.kind);
    expect(kinds).toHaveLength(5);
    expect(kinds.every((kind) => ['CONTINUED', 'SPLIT', 'BORN'].includes(kind))).toBe(true);
    expect(kinds.some((kind) => kind === 'SPLIT' || kind === 'BORN')).toBe(true);
  });

  it('prunes the memberships of old runs but keeps every run, topic and change', async () => {
    // Runs superseded more than an hour ago lose their memberships (the one before the current keeps them).
    await handle.db
      .update(clusteringRuns)
      .set({ supersededAt: sql`now() - interval '2 hours'` })
      .where(isNotNull(clusteringRuns.supersededAt));
    await runClustering(handle.db, { k: 5, seed: 7 });
    const runs = await handle.db.select().from(clusteringRuns).orderBy(clusteringRuns.id);
    expect(runs).toHaveLength(7);
    expect(runs.map((run) => run.prunedAt !== null)).toEqual([true, true, true, true, true, false, false]);
    const runsWithMembers = await handle.db.selectDistinct({ runId: articleTopics.runId }).from(articleTopics);
    expect(runsWithMembers.map((row) => row.runId).sort()).toEqual([runs[5].id, runs[6].id]);
    const history = await query<{ topic: { status: string; history: { totalCount: number } } }>(
      'query ($id: ID!) { topic(id: $id) { status history { totalCount } } }',
      { id: absorbed.topic.id },
    );
    expect(history.topic).toEqual({ status: 'RETIRED', history: { totalCount: 5 } });
    const first = await query<{ clusteringRuns: { totalCount: number } }>('{ clusteringRuns { totalCount } }');
    expect(first.clusteringRuns.totalCount).toBe(7);
    expect(await handle.db.$count(clusteringRuns, eq(clusteringRuns.isCurrent, true))).toBe(1);
  });
});
