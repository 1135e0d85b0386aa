/**
 * Cursors of a topic feed carry the clustering run they were taken in. A run re-scores and
 * regroups articles, so a position in one run's order means nothing in the next one's: a page
 * asked for with an older run's cursor continues that run's feed (its memberships are kept a
 * while, run-writer.ts SNAPSHOT_RETENTION_MS), so a reader paging through a run switch sees
 * each article once. Once that run is pruned the cursor continues in the current run from the
 * same position, which may repeat or skip an article whose score moved.
 */
import { decodeBase64, decodeCursorChunk, encodeBase64, encodeCursorTuple } from '@pothos/core';
import { GraphQLError } from 'graphql';
import { type CursorKey, checkCursor, invalidCursor } from './cursors.js';
import { isDatabaseId } from './ids.js';

const PREFIX = 'feed:';

interface ConnectionArgs {
  after?: string | null;
  before?: string | null;
}

/** A cursor of the feed: plugin-drizzle's own, inside our wrapping, and the values it holds. */
export interface FeedCursor {
  cursor: string;
  /** The values of the order's keys (all of them, or the first ones). */
  values: unknown[];
}

export interface FeedPosition {
  /** The position the page starts after / ends before. */
  after?: FeedCursor;
  before?: FeedCursor;
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

/**
 * Inside our wrapping, a cursor is in plugin-drizzle's format (base64 of `DC:` and the tagged
 * values, cursors.ts), which the feed's cursors have had since the first release.
 */
function unwrap(cursor: string, keys: readonly CursorKey[]): FeedCursor & { runId: number } {
  const match = /^feed:(\d+):(.+)$/s.exec(decoded(cursor));
  const runId = Number(match?.[1]);
  if (!match || !isDatabaseId(runId)) throw invalidCursor(cursor);
  checkCursor(match[2], keys);
  const values: unknown = decodeCursorChunk(decodeBase64(match[2]).slice('DC:'.length));
  return { runId, cursor: match[2], values: Array.isArray(values) ? values : [values] };
}

/** Reads our cursors out of `after` / `before`; `keys` are those of the feed's order (cursors.ts). */
export function readFeedPosition(args: ConnectionArgs, keys: readonly CursorKey[]): FeedPosition {
  const after = args.after ? unwrap(args.after, keys) : null;
  const before = args.before ? unwrap(args.before, keys) : null;
  if (after && before && after.runId !== before.runId) {
    throw new GraphQLError('after and before come from different clustering runs', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return { after: after ?? undefined, before: before ?? undefined, runId: after?.runId ?? before?.runId ?? null };
}

/** The cursor of a feed row: the run it was read in and the values of its order's keys. */
export function feedCursor(runId: number, values: readonly unknown[]): string {
  return encodeBase64(`${PREFIX}${runId}:${encodeBase64(`DC:${encodeCursorTuple([...values])}`)}`);
}

interface Connection {
  edges: ({ cursor: string } | null)[];
  pageInfo: { startCursor: string | null; endCursor: string | null };
}

/** Puts the run of the page's rows into each of plugin-drizzle's cursors of a connection. */
export function wrapFeedCursors<C extends Connection>(connection: C, runId: number | undefined): C {
  if (runId === undefined) return connection;
  const wrap = (cursor: string | null) => (cursor === null ? null : encodeBase64(`${PREFIX}${runId}:${cursor}`));
  for (const edge of connection.edges) if (edge) edge.cursor = wrap(edge.cursor) as string;
  connection.pageInfo.startCursor = wrap(connection.pageInfo.startCursor);
  connection.pageInfo.endCursor = wrap(connection.pageInfo.endCursor);
  return connection;
}
