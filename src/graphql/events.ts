/** Events that subscriptions follow, published by the mutations of this process. */
import { createPubSub } from 'graphql-yoga';

export interface ArticleAddedEvent {
  articleId: number;
  topicId: number;
  score: number;
}

export interface RunFinishedEvent {
  runId: number;
}

export function createNewsEvents() {
  return createPubSub<{
    articleAdded: [topicId: number, event: ArticleAddedEvent];
    clusteringRunFinished: [event: RunFinishedEvent];
    /** Articles or topics changed through this server (an import, a finished run). */
    dataChanged: [];
  }>();
}

export type NewsEvents = ReturnType<typeof createNewsEvents>;
