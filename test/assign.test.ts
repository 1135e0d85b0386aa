/** Articles imported after a run go straight into its topics, using the model the run stored. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateArticle } from '../src/jobs/article-input.js';
import { runClustering } from '../src/jobs/cluster.js';
import { storeArticles } from '../src/jobs/import.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';

/** 100 articles of each BBC section drawn at random (seeded): the sections' first articles cluster around a few stories. */
const bbcRandomSample = path.join(import.meta.dirname, 'fixtures', 'bbc-500.jsonl');

interface Line {
  id: string;
  category: string;
  title: string;
  body: string;
}

describe('assigning new articles between runs', () => {
  const lines = readFileSync(bbcRandomSample, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Line);
  // Every fifth article of each section is held back and imported after the run.
  const clustered = lines.filter((_, i) => i % 5 !== 0);
  const later = lines.filter((_, i) => i % 5 === 0);
  const categoryOf = new Map(lines.map((line) => [line.id, line.category]));
  let handle: TestDatabase;

  const valid = (batch: Line[]) =>
    batch.map((line) => {
      const result = validateArticle(line);
      if (!result.ok) throw new Error(result.reason);
      return result.article;
    });

  beforeAll(async () => {
    handle = await createTestDatabase();
    await storeArticles(handle.db, valid(clustered));
    await runClustering(handle.db, { k: 5 });
  });
  afterAll(() => handle?.close());

  it('places at least 90% of them in the topic whose majority section is their own', async () => {
    const stored = await storeArticles(handle.db, valid(later));
    const created = stored.outcomes.filter((outcome) => outcome === 'created').length;
    expect(stored.assignments).toHaveLength(created);
    expect(stored.assignments.every((assignment) => assignment.score > 0)).toBe(true);

    const memberships = await handle.db.query.articleTopics.findMany({
      with: { article: { columns: { id: true, externalId: true } } },
    });
    // Each topic's majority category among the articles that were clustered.
    const newIds = new Set(stored.createdIds);
    const votes = new Map<number, Map<string, number>>();
    for (const membership of memberships) {
      if (newIds.has(membership.article.id)) continue;
      const category = categoryOf.get(membership.article.externalId ?? '') ?? '?';
      const topicVotes = votes.get(membership.topicId) ?? new Map<string, number>();
      topicVotes.set(category, (topicVotes.get(category) ?? 0) + 1);
      votes.set(membership.topicId, topicVotes);
    }
    const majority = new Map([...votes].map(([topicId, counts]) => [topicId, [...counts].sort((a, b) => b[1] - a[1])[0][0]]));
    const placed = memberships.filter((membership) => newIds.has(membership.article.id));
    expect(placed).toHaveLength(created);
    const right = placed.filter(
      (membership) => majority.get(membership.topicId) === categoryOf.get(membership.article.externalId ?? ''),
    ).length;
    expect(right / placed.length).toBeGreaterThanOrEqual(0.9);

    // Topic sizes count the new members.
    const topics = await handle.db.query.topics.findMany({ with: { memberships: { columns: { articleId: true } } } });
    for (const topic of topics) expect(topic.size).toBe(topic.memberships.length);
  });
});
