/**
 * Events that subscriptions follow and that clear the response cache. They come from the change
 * notices of every process on the database (db/change-notices.ts): an import through any server
 * or `npm run seed`, a run by any server or `npm run cluster`.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { createPubSub } from 'graphql-yoga';
import { CHANGES_CHANNEL, type ChangeNotice, parseChangeNotice } from '../db/change-notices.js';
import type { DatabaseHandle } from '../db/client.js';
import { inCurrentRun } from '../db/current-run.js';
import { articleTopics, topicChanges } from '../db/schema.js';

export interface ArticleAddedEvent {
  articleId: number;
  topicId: number;
  score: number;
}

export interface RunEvent {
  runId: number;
}

export function createNewsEvents() {
  return createPubSub<{
    /** An article placed into a topic of the current run (any topic: subscribers filter). */
    articleAdded: [event: ArticleAddedEvent];
    /** A topic's state changed: a run found or ended it, or articles joined it. */
    topicUpdated: [topicId: number, event: { topicId: number }];
    /** A run succeeded and its topics are now current. */
    topicsChanged: [event: RunEvent];
    /** A run succeeded or failed. */
    clusteringRunFinished: [event: RunEvent];
    /** Articles or topics changed: cached answers are stale. */
    dataChanged: [];
  }>();
}

export type NewsEvents = ReturnType<typeof createNewsEvents>;

async function publishNotice(handle: Pick<DatabaseHandle, 'db'>, events: NewsEvents, notice: ChangeNotice): Promise<void> {
  // The cache first: a subscriber that reacts with a query must get the new answer.
  events.publish('dataChanged');
  if (notice.kind === 'articles') {
    const placed = await handle.db
      .select({ articleId: articleTopics.articleId, topicId: articleTopics.topicId, score: articleTopics.score })
      .from(articleTopics)
      .where(and(inCurrentRun(articleTopics), inArray(articleTopics.articleId, notice.ids)));
    for (const event of placed) events.publish('articleAdded', event);
    for (const topicId of new Set(placed.map((event) => event.topicId))) events.publish('topicUpdated', topicId, { topicId });
    return;
  }
  events.publish('clusteringRunFinished', { runId: notice.runId });
  if (notice.status !== 'succeeded') return;
  events.publish('topicsChanged', { runId: notice.runId });
  const changed = await handle.db
    .select({ topicId: topicChanges.topicId })
    .from(topicChanges)
    .where(eq(topicChanges.runId, notice.runId));
  for (const { topicId } of changed) events.publish('topicUpdated', topicId, { topicId });
}

/**
 * Turns the database's change notices into events, in the order they arrive. `onNotice` sees each
 * one after its events (the re-clustering policy listens there). Resolves to a function that stops.
 */
export async function listenForChanges(
  handle: Pick<DatabaseHandle, 'db' | 'listen'>,
  events: NewsEvents,
  onNotice: (notice: ChangeNotice) => void = () => {},
  log: (message: string) => void = console.error,
): Promise<() => Promise<void>> {
  let queue: Promise<void> = Promise.resolve();
  return handle.listen(
    CHANGES_CHANNEL,
    (payload) => {
      const notice = parseChangeNotice(payload);
      if (notice === null) return;
      queue = queue.then(async () => {
        try {
          await publishNotice(handle, events, notice);
        } catch (error) {
          log(`change notice not delivered to subscribers: ${(error as Error).message}`);
        }
        try {
          onNotice(notice);
        } catch (error) {
          log(`change notice not handled: ${(error as Error).message}`);
        }
      });
    },
    // After a reconnect, notices may have been missed: nothing cached can be trusted (subscribers
    // miss what happened meanwhile; the re-clustering policy looks again on its own timer).
    () => events.publish('dataChanged'),
  );
}
