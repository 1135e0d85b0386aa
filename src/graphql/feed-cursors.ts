/**
 * Cursors of a topic feed carry the clustering run they were taken in. A run re-scores and
 * regroups articles, so a position in one run's order means nothing in the next one's: a page
 * asked for with an older run's cursor continues that run's feed (its memberships are kept a
 * while, run-writer.ts SNAPSHOT_RETENTION_MS), so a reader paging through a run switch sees
 * each article once. Once that run is pruned the cursor continues in the current run from the
 * same position, which may repeat or skip an article whose score moved.
 */
import { decodeBase64, encodeBase64 } from '@pothos/core';
import { GraphQLError } from 'graphql';
import { type CursorKey, checkCursor, invalidCursor } from './cursors.js';
import { isDatabaseId } from './ids.js';

const PREFIX = 'feed:';

interface ConnectionArgs {
  after?: string | null;
  before?: string | null;
}

export interface FeedPosition<Args extends ConnectionArgs> {
  /** The arguments with plugin-drizzle's own cursors in place of ours. */
  args: Args;
  /** The run the cursor was taken in; null without a cursor (the current run). */
  runId: number | null;
}

function decoded(text: string): string {
  try {
    return decodeBase64(text);
  } catch {
    return '';
  }
}

function unwrap(cursor: string, keys: readonly CursorKey[]): { runId: number; inner: string } {
  const match = /^feed:(\d+):(.+)$/s.exec(decoded(cursor));
  const runId = Number(match?.[1]);
  if (!match || !isDatabaseId(runId)) throw invalidCursor(cursor);
  // The inner cursor is plugin-drizzle's, of the feed's order.
  checkCursor(match[2], keys);
  return { runId, inner: match[2] };
}

/** Reads our cursors out of `after` / `before`; `keys` are those of the feed's order (cursors.ts). */
export function readFeedPosition<Args extends ConnectionArgs>(args: Args, keys: readonly CursorKey[]): FeedPosition<Args> {
  const after = args.after ? unwrap(args.after, keys) : null;
  const before = args.before ? unwrap(args.before, keys) : null;
  if (after && before && after.runId !== before.runId) {
    throw new GraphQLError('after and before come from different clustering runs', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return {
    args: { ...args, after: after?.inner ?? args.after, before: before?.inner ?? args.before },
    runId: after?.runId ?? before?.runId ?? null,
  };
}

interface Connection {
  edges: ({ cursor: string } | null)[];
  pageInfo: { startCursor: string | null; endCursor: string | null };
}

/** Puts the run of the page's rows into each of its cursors. */
export function wrapFeedCursors<C extends Connection>(connection: C, runId: number | undefined): C {
  if (runId === undefined) return connection;
  const wrap = (cursor: string | null) => (cursor === null ? null : encodeBase64(`${PREFIX}${runId}:${cursor}`));
  for (const edge of connection.edges) if (edge) edge.cursor = wrap(edge.cursor) as string;
  connection.pageInfo.startCursor = wrap(connection.pageInfo.startCursor);
  connection.pageInfo.endCursor = wrap(connection.pageInfo.endCursor);
  return connection;
}
