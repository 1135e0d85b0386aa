/**
 * Imports and clustering runs at the same time: an article imported while a run computes ends up
 * in the new run's topics (placed by its model) before anyone sees that run, topic sizes always
 * count the current run's memberships, every article has one topic, and a run an operator failed
 * cannot become current.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANGES_CHANNEL, parseChangeNotice } from '../src/db/change-notices.js';
import { lockCurrentRun } from '../src/db/current-run.js';
import { articles, articleTopics } from '../src/db/schema.js';
import { completeRun, runClustering } from '../src/jobs/cluster.js';
import { FAILED_BY_OPERATOR, failRun, startRun } from '../src/jobs/run-lock.js';
import { readBbcSample, storeLines } from './helpers/bbc.js';
import { createCorpusDatabase, driverUnderTest, type TestDatabase } from './helpers/database.js';
import { themedArticles } from './helpers/themes.js';

describe('imports during clustering runs', () => {
  const sample = readBbcSample();
  let handle: TestDatabase;

  beforeAll(async () => {
    handle = await createCorpusDatabase();
    await runClustering(handle.db, { k: 4 });
  });
  afterAll(() => handle?.close());

  /** Sizes that disagree with the current run's memberships, and articles with other than one topic. */
  async function inconsistencies() {
    const sizes = await handle.db.execute(sql`
      select t.id from topics t
      where t.size <> (select count(*) from article_topics m where m.topic_id = t.id and m.run_id = (select id from clustering_runs where is_current))`);
    const topicsPerArticle = await handle.db.execute(sql`
      select a.id from articles a
      where (select count(*) from article_topics m where m.article_id = a.id and m.run_id = (select id from clustering_runs where is_current)) <> 1`);
    const rows = (result: unknown) => (Array.isArray(result) ? result : ((result as { rows: unknown[] }).rows ?? []));
    return { sizes: rows(sizes).length, articles: rows(topicsPerArticle).length };
  }

  it('places an article imported while a run computes with the new run, not with the topics of the old one', async () => {
    // Not in the corpus yet (the BBC sample shares articles with it).
    const fresh = themedArticles('rates', 5, 7);
    let imported: Promise<unknown> | undefined;
    const summary = await runClustering(handle.db, {
      k: 4,
      seed: 2,
      onProgress: (stage) => {
        // Once the articles are loaded: the import commits before the run writes.
        if (stage === 'cluster' && !imported) imported = storeLines(handle.db, fresh);
      },
    });
    await imported;
    expect(summary.carried).toBe(0);
    const memberships = await handle.db
      .select({ origin: articleTopics.origin, retired: sql<number | null>`t.retired_run_id` })
      .from(articleTopics)
      .innerJoin(articles, eq(articles.id, articleTopics.articleId))
      .innerJoin(sql`topics t`, sql`t.id = ${articleTopics.topicId}`)
      .where(and(eq(articleTopics.runId, summary.runId), sql`${articles.externalId} in ${fresh.map((line) => line.id)}`));
    expect(memberships).toHaveLength(5);
    for (const membership of memberships) expect(membership).toEqual({ origin: 'placed', retired: null });
    expect(
      await handle.db.$count(articleTopics, and(eq(articleTopics.runId, summary.runId), eq(articleTopics.origin, 'carried'))),
    ).toBe(0);
    expect(await inconsistencies()).toEqual({ sizes: 0, articles: 0 });
  });

  it('keeps sizes and memberships consistent while imports and runs overlap', async () => {
    const batches = [sample.slice(5, 45), sample.slice(45, 85), sample.slice(85, 125), sample.slice(125, 165)];
    await Promise.all([
      (async () => {
        for (const batch of batches) {
          await storeLines(handle.db, batch);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })(),
      (async () => {
        for (const seed of [3, 4]) await runClustering(handle.db, { k: 4, seed });
      })(),
    ]);
    // Articles that arrived after the last run's load were placed once it finished.
    expect(await inconsistencies()).toEqual({ sizes: 0, articles: 0 });
  });

  it('keeps topic sizes exact when many imports place articles at once', async () => {
    // Distinct articles in concurrent batches, all placed into the current run's topics.
    const batches = Array.from({ length: 16 }, (_, i) =>
      themedArticles((['football', 'rates', 'phones'] as const)[i % 3], 4, 100 + i),
    );
    const results = await Promise.all(batches.map((batch) => storeLines(handle.db, batch)));
    expect(results.flatMap((result) => result.assignments)).toHaveLength(64);
    expect(await inconsistencies()).toEqual({ sizes: 0, articles: 0 });
  });

  it('never shows a new run while articles imported during it have no topic in it', async () => {
    // Each sample is one statement, so one snapshot: the current run, and what it leaves out.
    const unplacedInCurrentRun = sql`select
      (select id from clustering_runs where is_current) as run_id,
      (select count(*)::int from articles a where not exists (
        select 1 from article_topics m where m.article_id = a.id and m.run_id = (select id from clustering_runs where is_current))) as unplaced`;
    const samples: { run_id: number; unplaced: number }[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const result = await handle.db.execute<{ run_id: number; unplaced: number }>(unplacedInCurrentRun);
        samples.push(...(Array.isArray(result) ? result : (result as unknown as { rows: typeof samples }).rows));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    let imported: Promise<unknown> | undefined;
    const summary = await runClustering(handle.db, {
      k: 4,
      seed: 8,
      // As the server runs it: the import commits while the child process computes.
      computeInChildProcess: true,
      onProgress: (stage) => {
        if (stage === 'cluster' && !imported) imported = storeLines(handle.db, themedArticles('phones', 30, 77));
      },
    });
    await imported;
    await new Promise((resolve) => setTimeout(resolve, 300));
    sampling = false;
    await sampler;
    // Placed by the run as it became current, or (an import that committed during its write) by the import.
    expect(summary.assignedAfterwards).toBeLessThanOrEqual(30);
    const seen = samples.filter((sample) => Number(sample.run_id) === summary.runId);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((sample) => Number(sample.unplaced) > 0)).toEqual([]);
  });

  // PGlite runs one transaction at a time anyway; on PostgreSQL the lock keeps them apart.
  it.runIf(driverUnderTest === 'postgres')(
    'does not switch runs while an import is placing articles into the current one',
    async () => {
      const before = await handle.db.query.clusteringRuns.findFirst({ where: { isCurrent: true } });
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let placing!: () => void;
      const locked = new Promise<void>((resolve) => (placing = resolve));
      // An import between reading the current run and committing its placements.
      const importing = handle.db.transaction(async (tx) => {
        await lockCurrentRun(tx, 'place');
        placing();
        await held;
      });
      await locked;
      const run = runClustering(handle.db, { k: 4, seed: 6 });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const meanwhile = await handle.db.query.clusteringRuns.findFirst({ where: { isCurrent: true } });
      release();
      await importing;
      const summary = await run;
      expect(meanwhile?.id).toBe(before?.id);
      const after = await handle.db.query.clusteringRuns.findFirst({ where: { isCurrent: true } });
      expect(after?.id).toBe(summary.runId);
    },
  );

  it('stops a run that an operator failed while it computed, and never makes it current', async () => {
    const before = await handle.db.query.clusteringRuns.findFirst({ where: { isCurrent: true } });
    const notices: string[] = [];
    const unlisten = await handle.listen(CHANGES_CHANNEL, (payload) => notices.push(payload));
    const started = await startRun(handle.db, { k: 4, seed: 5 });
    await failRun(handle.db, started.id);
    // Subscribers and the other servers hear of it (its process will send nothing more).
    await expect
      .poll(() => notices.map((payload) => parseChangeNotice(payload)))
      .toContainEqual({ kind: 'run', runId: started.id, status: 'failed' });
    await unlisten();
    await expect(completeRun(handle.db, started)).rejects.toThrow(FAILED_BY_OPERATOR);
    const run = await handle.db.query.clusteringRuns.findFirst({ where: { id: started.id } });
    expect(run).toMatchObject({ status: 'failed', isCurrent: false, error: FAILED_BY_OPERATOR });
    const current = await handle.db.query.clusteringRuns.findFirst({ where: { isCurrent: true } });
    expect(current?.id).toBe(before?.id);
    expect(await inconsistencies()).toEqual({ sizes: 0, articles: 0 });
  });
});
