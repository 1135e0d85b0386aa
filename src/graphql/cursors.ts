/**
 * What a connection's cursor must hold, checked before plugin-drizzle turns it into SQL. A cursor
 * is base64 of `DC:` and the values of the page's last row in the connection's order (the order's
 * keys, then the ids that break ties), each tagged with its type. plugin-drizzle trusts them: a
 * text where the order has a number, a number beyond int4, NaN or a NUL would fail the statement
 * (a 500), so every connection declares the keys of its order (`extensions.cursorKeys`, checked by
 * the clientInput plugin) and a cursor that does not fit them is BAD_USER_INPUT.
 */
import { decodeBase64 } from '@pothos/core';
import { GraphQLError } from 'graphql';
import { MAX_INT4 } from './ids.js';

/** `int`: an int4 column (ids, sizes); `float`: a score; `text`: a text key such as a name or a sortable time. */
export type CursorKey = 'int' | 'float' | 'text';
/** The keys of a connection's order, or a function of its arguments when the order depends on them. */
export type CursorKeys = readonly CursorKey[] | ((args: Record<string, unknown>) => readonly CursorKey[]);

const NUMBER = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;
const CHUNK = /^([A-Z]):([\s\S]*)$/;

export function invalidCursor(cursor: string): GraphQLError {
  return new GraphQLError(`Invalid cursor: ${cursor.slice(0, 100)}`, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** The tagged values of a plugin-drizzle cursor, or null when it is not one. */
function chunksOf(cursor: string): unknown[] | null {
  let text: string;
  try {
    text = decodeBase64(cursor);
  } catch {
    return null;
  }
  if (!text.startsWith('DC:')) return null;
  const chunk = text.slice(3);
  if (!chunk.startsWith('T:')) return [chunk];
  try {
    const parts: unknown = JSON.parse(chunk.slice(2));
    return Array.isArray(parts) ? parts : null;
  } catch {
    return null;
  }
}

function fits(chunk: unknown, key: CursorKey): boolean {
  const match = typeof chunk === 'string' ? CHUNK.exec(chunk) : null;
  if (!match) return false;
  const [, tag, payload] = match;
  if (key === 'text') return tag === 'S' && !payload.includes('\u0000');
  if (tag !== 'N' || !NUMBER.test(payload)) return false;
  const value = Number(payload);
  return key === 'float' ? Number.isFinite(value) : Number.isInteger(value) && Math.abs(value) <= MAX_INT4;
}

/**
 * Throws BAD_USER_INPUT unless the cursor holds values of the given keys (all of them, or the
 * first ones: plugin-drizzle pages on from such a prefix).
 */
export function checkCursor(cursor: string, keys: readonly CursorKey[]): void {
  const chunks = chunksOf(cursor);
  if (
    !chunks ||
    chunks.length === 0 ||
    chunks.length > keys.length ||
    !chunks.every((chunk, index) => fits(chunk, keys[index]))
  ) {
    throw invalidCursor(cursor);
  }
}
