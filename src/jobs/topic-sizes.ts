/** A topic's size is the number of its articles in the current run, counted again after each write. */
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
