/**
 * A topic's size is the number of its articles in the current run: counted from the memberships
 * when a run is written (nothing else writes meanwhile: it holds the current run's lock
 * exclusively), and raised by the articles placed into it afterwards. Placements run
 * concurrently, so they add to the stored size, an update PostgreSQL applies one after the other
 * to the latest value; a count would miss the batches of transactions not yet committed.
 */
import { inArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { topics } from '../db/schema.js';

export async function countTopicSizes(db: Executor, runId: number, topicIds: number[]): Promise<void> {
  if (topicIds.length === 0) return;
  await db
    .update(topics)
    .set({ size: sql`(select count(*)::int from article_topics m where m.topic_id = ${topics.id} and m.run_id = ${runId})` })
    .where(inArray(topics.id, topicIds));
}

/** Adds each placed article to its topic's size. */
export async function addToTopicSizes(db: Executor, placedTopicIds: number[]): Promise<void> {
  const added = new Map<number, number>();
  for (const topicId of placedTopicIds) added.set(topicId, (added.get(topicId) ?? 0) + 1);
  if (added.size === 0) return;
  const increments = sql.join(
    [...added].map(([topicId, count]) => sql`when ${topicId}::int then ${count}::int`),
    sql` `,
  );
  await db
    .update(topics)
    .set({ size: sql`${topics.size} + (case ${topics.id} ${increments} end)` })
    .where(inArray(topics.id, [...added.keys()]));
}
