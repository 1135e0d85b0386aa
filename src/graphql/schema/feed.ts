/**
 * The feeds the server polls (FEEDS) and what their last fetch came to. For operators only: the
 * URLs may name internal hosts or carry keys, and the errors describe the network behind them.
 */
import type { FeedStatus } from '../../jobs/feed-poller.js';
import { builder } from '../builder.js';

const Feed = builder.objectRef<FeedStatus>('Feed').implement({
  description: 'A feed the server polls, with the state every server on the database shares.',
  fields: (t) => ({
    url: t.exposeString('url', { description: 'The feed’s URL, as configured in FEEDS.' }),
    lastFetchedAt: t.expose('lastFetchedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When its last fetch ended, whatever it came to; null before the first.',
    }),
    lastStatus: t.exposeInt('lastStatus', {
      nullable: true,
      description: 'The HTTP status of the last fetch (304: not modified since the one before); null when no answer came.',
    }),
    lastError: t.exposeString('lastError', {
      nullable: true,
      description:
        'Why the last fetch got no feed (unreachable, timed out, an HTTP error, a redirect, not well-formed XML); null when it did.',
    }),
    lastRejected: t.exposeInt('lastRejected', {
      description:
        'Entries of the last feed read that were rejected (not a valid article, or in conflict); the server log gives the first one’s reason.',
    }),
    articlesAdded: t.exposeInt('articlesAdded', { description: 'Articles stored from this feed, in all.' }),
    failures: t.exposeInt('failures', {
      description: 'Failed fetches in a row (0 after a fetch that got the feed or a 304); each doubles the wait before the next.',
    }),
    nextAttemptAt: t.expose('nextAttemptAt', {
      type: 'DateTime',
      description: 'When the next fetch may start; while a server is fetching the feed, that fetch’s deadline.',
    }),
  }),
});

builder.queryFields((t) => ({
  feeds: t.field({
    type: [Feed],
    description:
      'The feeds this server polls (FEEDS), in the order configured, with what their last fetch came to; empty when FEEDS is ' +
      'unset. Needs `Authorization: Bearer <API_TOKEN>`.',
    authScopes: { operator: true },
    resolve: (_root, _args, ctx) => ctx.feeds.statuses(),
  }),
}));
