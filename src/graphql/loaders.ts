/** Per-request loaders: each batches the reads of a request's resolvers in one tick into one statement. */
import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import { type FeedPageRow, type FeedPageShape, readFeedPages } from '../db/topic-feed.js';
import type { GraphQLContext } from './builder.js';

/** One topic's page of one shape. */
export interface FeedPageKey {
  topicId: number;
  shape: FeedPageShape;
}

const shapeKey = (shape: FeedPageShape) => JSON.stringify(shape);
const pageKey = (key: FeedPageKey) => `${shapeKey(key.shape)}|${key.topicId}`;

/** The topic feed pages of a request: those of one shape (a list of topics' `articles`) in one statement. */
export const feedPageLoader = createContextCache(
  (ctx: GraphQLContext) =>
    new DataLoader<FeedPageKey, FeedPageRow[], string>(
      async (keys) => {
        const byShape = new Map<string, { shape: FeedPageShape; topicIds: number[] }>();
        for (const key of keys) {
          const id = shapeKey(key.shape);
          const group = byShape.get(id) ?? { shape: key.shape, topicIds: [] };
          byShape.set(id, group);
          group.topicIds.push(key.topicId);
        }
        const pages = new Map<string, FeedPageRow[]>();
        await Promise.all(
          [...byShape.values()].map(async ({ shape, topicIds }) => {
            const read = await readFeedPages(ctx.db, topicIds, shape);
            topicIds.forEach((topicId, index) => pages.set(pageKey({ topicId, shape }), read[index]));
          }),
        );
        return keys.map((key) => pages.get(pageKey(key)) ?? []);
      },
      { cacheKeyFn: pageKey },
    ),
);
