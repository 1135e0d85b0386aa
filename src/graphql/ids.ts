/**
 * Global ids from what clients send: anything that cannot be one is the client's mistake, never a
 * 500. The rule, for every argument that takes ids: a malformed id (not base64 of
 * `<Type>:<database id>`, a database id that is not a whole number from 1 to the int4 maximum, or
 * an id of another type than the argument takes) is BAD_USER_INPUT; a well-formed id of an object
 * that does not exist (any more) finds nothing: null, or no match in a filter.
 */
import { decodeBase64 } from '@pothos/core';
import { GraphQLError } from 'graphql';

/** Largest value an int4 column holds: every id (serial), and sizes. */
export const MAX_INT4 = 2_147_483_647;

/** The database id as it stands in a global id: canonical decimal digits, no sign, no leading zero. */
const DATABASE_ID_TEXT = /^[1-9]\d{0,9}$/;
const TYPENAME = /^[A-Z_a-z]\w*$/;

export interface GlobalId {
  typename: string;
  id: string;
}

function invalid(globalId: string): GraphQLError {
  return new GraphQLError(`Invalid global ID: ${globalId.slice(0, 100)}`, { extensions: { code: 'BAD_USER_INPUT' } });
}

export function isDatabaseId(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= MAX_INT4;
}

/**
 * Reads a global id (the relay plugin's `decodeGlobalID`): every object of this API has an int4
 * database id, so the id part must be one.
 */
export function decodeGlobalId(globalId: string): GlobalId {
  let decoded: string;
  try {
    decoded = decodeBase64(globalId);
  } catch {
    throw invalid(globalId);
  }
  const separator = decoded.indexOf(':');
  const typename = decoded.slice(0, separator);
  const id = decoded.slice(separator + 1);
  if (separator < 0 || !TYPENAME.test(typename) || !DATABASE_ID_TEXT.test(id) || !isDatabaseId(Number(id)))
    throw invalid(globalId);
  return { typename, id };
}

/** The database id in a decoded global id of the given type; BAD_USER_INPUT for anything else. */
export function databaseId(globalId: { typename: string; id: string | number }, typename: string, argument: string): number {
  const id = Number(globalId.id);
  if (globalId.typename !== typename || !isDatabaseId(id)) {
    throw new GraphQLError(`${argument} takes a ${typename} id`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return id;
}
