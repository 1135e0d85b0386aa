/**
 * A database clustered before topics lived across runs upgrades in place: the current run's
 * topics become persistent topics with the same ids and slugs, its memberships stay, and the older
 * runs keep their rows but lose their topics (as pruning would have done).
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsFolder } from '../src/db/client.js';
import { articleTopics, topicChanges } from '../src/db/schema.js';
import { runClustering } from '../src/jobs/cluster.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { startTestServer } from './helpers/server.js';

describe('upgrading a database clustered before topics lived across runs', () => {
  const firstMigrationOnly = mkdtempSync(path.join(tmpdir(), 'news-migrations-'));
  let handle: TestDatabase;

  beforeAll(async () => {
    const [first] = readdirSync(migrationsFolder)
      .filter((name) => !name.startsWith('.'))
      .sort();
    cpSync(path.join(migrationsFolder, first), path.join(firstMigrationOnly, first), { recursive: true });
    handle = await createTestDatabase({ unmigrated: true });
    await handle.migrate(firstMigrationOnly);
    // What the earlier version wrote: two runs, the second current, each with its own topics.
    await handle.db.execute(sql`insert into articles (title, body, content_hash) values
      ('Kim rejects letter', 'North Korea ...', 'h1'), ('Kim builds navy', 'North Korea ...', 'h2'),
      ('Hong Kong growth', 'Hong Kong ...', 'h3'), ('Visa crackdown', 'Students ...', 'h4')`);
    await handle.db.execute(sql`insert into clustering_runs (status, is_current, seed, k, article_count, finished_at) values
      ('succeeded', false, 42, 2, 4, now() - interval '1 day'), ('succeeded', true, 43, 2, 4, now())`);
    await handle.db.execute(sql`insert into topics (run_id, position, label, slug, keywords, size) values
      (1, 0, 'Old A', 'north-korea-kim-jong-un', '[]', 2), (1, 1, 'Old B', 'hong-kong', '[]', 2),
      (2, 0, 'North Korea · Kim Jong-un', 'north-korea-kim-jong-un', '[{"term":"Kim Jong-un","weight":1}]', 2),
      (2, 1, 'Hong Kong · innovation', 'hong-kong', '[{"term":"Hong Kong","weight":1}]', 2)`);
    await handle.db.execute(sql`insert into article_topics (run_id, article_id, topic_id, score, weak) values
      (1, 1, 1, 0.9, false), (1, 2, 1, 0.8, false), (1, 3, 2, 0.9, false), (1, 4, 2, 0.7, false),
      (2, 1, 3, 0.9, false), (2, 2, 3, 0.8, false), (2, 3, 4, 0.9, false), (2, 4, 4, 0.6, true)`);
    await handle.db.execute(sql`insert into run_models (run_id, vocabulary, dimensions, weak_threshold, idf, components, centroids) values
      (2, '[]', 2, 0.1, ''::bytea, ''::bytea, decode('0000803f000000000000000000008040', 'hex'))`);
    await handle.db.execute(
      sql`insert into topic_relations (topic_id, related_topic_id, score) values (3, 4, 0.2), (4, 3, 0.2), (1, 2, 0.3)`,
    );
    await handle.db.execute(
      sql`insert into article_similarities (run_id, article_id, similar_article_id, score) values (1, 1, 2, 0.8), (2, 1, 2, 0.9)`,
    );
    await handle.migrate();
  });
  afterAll(async () => {
    await handle?.close();
    rmSync(firstMigrationOnly, { recursive: true, force: true });
  });

  it('keeps the current run’s topics, ids, slugs and memberships, and drops the older run’s', async () => {
    const topics = await handle.db.query.topics.findMany({ orderBy: { id: 'asc' }, with: { changes: true } });
    expect(
      topics.map((topic) => [topic.id, topic.slug, topic.bornRunId, topic.latestRunId, topic.retiredRunId, topic.size]),
    ).toEqual([
      [3, 'north-korea-kim-jong-un', 2, 2, null, 2],
      [4, 'hong-kong', 2, 2, null, 2],
    ]);
    expect(
      topics.map((topic) => topic.changes.map((change) => [change.runId, change.kind, change.found, change.position])),
    ).toEqual([[[2, 'born', true, 0]], [[2, 'born', true, 1]]]);
    const centroids = await handle.db.execute(sql`select encode(centroid, 'hex') as hex from topic_changes order by position`);
    const rows = (Array.isArray(centroids) ? centroids : (centroids as { rows: { hex: string }[] }).rows) as { hex: string }[];
    expect(rows.map((row) => row.hex)).toEqual(['0000803f00000000', '0000000000008040']);
    const runs = await handle.db.query.clusteringRuns.findMany({ orderBy: { id: 'asc' } });
    expect(runs.map((run) => [run.isCurrent, run.prunedAt !== null])).toEqual([
      [false, true],
      [true, false],
    ]);
    expect(await handle.db.$count(articleTopics)).toBe(4);
  });

  it('serves the upgraded topics, and clusters on from them', async () => {
    const server = await startTestServer(handle);
    try {
      const result = await server.query<{
        topics: { nodes: { slug: string; size: number; status: string; history: { totalCount: number } }[] };
      }>('{ topics { nodes { slug size status history { totalCount } relatedTopics { score } } } }');
      expect(result.errors).toBeUndefined();
      expect(
        result.data?.topics.nodes.map((topic) => [topic.slug, topic.size, topic.status, topic.history.totalCount]).sort(),
      ).toEqual([
        ['hong-kong', 2, 'ACTIVE', 1],
        ['north-korea-kim-jong-un', 2, 'ACTIVE', 1],
      ]);
      const next = await runClustering(handle.db, { k: 2 });
      expect(next.topics).toHaveLength(2);
      expect(next.topics.every((topic) => ['BORN', 'CONTINUED', 'MERGED', 'SPLIT'].includes(topic.kind))).toBe(true);
      expect(await handle.db.$count(topicChanges)).toBe(2 + next.topics.length + next.ended.length);
    } finally {
      await server.close();
    }
  });
});
