import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inCurrentRun } from '../src/db/current-run.js';
import { articleTopics, clusteringRuns, topics } from '../src/db/schema.js';
import { completeRun, runClustering } from '../src/jobs/cluster.js';
import { startRun } from '../src/jobs/run-lock.js';
import { seedPageArticles } from '../src/jobs/seed.js';
import { createCorpusDatabase, createTestDatabase, type TestDatabase } from './helpers/database.js';

/** The current run's topics with their members' external ids, as a reader sees them (one statement). */
async function currentTopics(handle: TestDatabase) {
  const run = await handle.db.query.clusteringRuns.findFirst({
    where: { isCurrent: true },
    with: {
      versions: {
        with: {
          topic: {
            with: {
              memberships: {
                where: { RAW: (table) => inCurrentRun(table) },
                with: { article: { columns: { externalId: true } } },
              },
            },
          },
        },
      },
    },
  });
  return run && { id: run.id, topics: run.versions.map((version) => version.topic) };
}

describe('clustering the seed articles', () => {
  let handle: TestDatabase;
  beforeAll(async () => {
    handle = await createTestDatabase();
    await seedPageArticles(handle.db);
  });
  afterAll(() => handle?.close());

  it('puts the two North Korea articles in one topic labelled after North Korea, without the Hong Kong one', async () => {
    const summary = await runClustering(handle.db);
    expect(summary.articleCount).toBe(4);
    const run = await currentTopics(handle);
    expect(run?.id).toBe(summary.runId);
    const topicOf = (externalId: string) =>
      run?.topics.find((topic) => topic.memberships.some((m) => m.article.externalId === externalId));
    const northKorea = topicOf('scmp-kim-rejects-trump-letter');
    expect(northKorea).toBeDefined();
    expect(topicOf('scmp-kim-blue-water-navy')?.id).toBe(northKorea?.id);
    expect(topicOf('scmp-hong-kong-stagnant-growth')?.id).not.toBe(northKorea?.id);
    expect(northKorea?.label).toMatch(/North Korea|Kim Jong-un/);
    expect(topicOf('scmp-hong-kong-stagnant-growth')?.label).toMatch(/Hong Kong/);
    // Every article belongs to exactly one topic of the run, and sizes add up.
    const sizes = run?.topics.reduce((sum, topic) => sum + topic.size, 0);
    expect(sizes).toBe(4);
  });

  it('gives the same topics for the same seed', async () => {
    const first = await currentTopics(handle);
    await runClustering(handle.db, { seed: 42 });
    const second = await currentTopics(handle);
    const shape = (run: typeof first) =>
      run?.topics
        .map(
          (topic) =>
            `${topic.label}:${topic.memberships
              .map((m) => m.article.externalId)
              .sort()
              .join(',')}`,
        )
        .sort();
    expect(second?.id).not.toBe(first?.id);
    expect(shape(second)).toEqual(shape(first));
  });

  it('refuses a second run while one is in progress, and a k larger than the corpus', async () => {
    const started = await startRun(handle.db, {});
    await expect(runClustering(handle.db)).rejects.toThrow(/already in progress/);
    await completeRun(handle.db, started, {});
    await expect(runClustering(handle.db, { k: 9 })).rejects.toThrow(/k must be an integer from 2 to 4/);
  });
});

describe('switching runs', () => {
  let handle: TestDatabase;
  beforeAll(async () => {
    handle = await createCorpusDatabase();
  });
  afterAll(() => handle?.close());

  it('keeps the previous run current and whole when a run fails while writing', async () => {
    const first = await runClustering(handle.db, { k: 5 });
    const failing = runClustering(handle.db, {
      k: 6,
      onProgress: (stage) => {
        if (stage === 'write') throw new Error('disk full (simulated)');
      },
    });
    await expect(failing).rejects.toThrow('disk full (simulated)');

    const runs = await handle.db.select().from(clusteringRuns).orderBy(clusteringRuns.id);
    expect(runs.map((run) => [run.status, run.isCurrent])).toEqual([
      ['succeeded', true],
      ['failed', false],
    ]);
    expect(runs[1].error).toBe('disk full (simulated)');
    // Nothing of the failed run was written: all topics and memberships are the first run's.
    expect(await handle.db.$count(topics)).toBe(5);
    expect(await handle.db.$count(articleTopics)).toBe(202);
    const current = await currentTopics(handle);
    expect(current?.id).toBe(first.runId);
    expect(current?.topics.reduce((sum, topic) => sum + topic.memberships.length, 0)).toBe(202);
  });

  it('lets readers see the old run or the new one, never a mixture, while a run writes', async () => {
    const seen: string[] = [];
    let done = false;
    const poll = (async () => {
      while (!done) {
        const run = await currentTopics(handle);
        const members = run?.topics.reduce((sum, topic) => sum + topic.memberships.length, 0);
        const sizes = run?.topics.reduce((sum, topic) => sum + topic.size, 0);
        seen.push(`${run?.id}:${run?.topics.length}:${members}:${sizes}`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    const before = await currentTopics(handle);
    const next = await runClustering(handle.db, { k: 4 });
    done = true;
    await poll;
    const allowed = new Set([`${before?.id}:5:202:202`, `${next.runId}:4:202:202`]);
    expect(seen.length).toBeGreaterThan(0);
    for (const snapshot of seen) expect(allowed).toContain(snapshot);
  });
});
