/** Database ids from what clients send: anything that cannot be one is the client's mistake, never a 500. */
import { GraphQLError } from 'graphql';

/** Largest id a serial (int4) column holds. */
export const MAX_DATABASE_ID = 2_147_483_647;

export function isDatabaseId(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= MAX_DATABASE_ID;
}

/** The database id in a decoded global id of the given type; BAD_USER_INPUT for anything else. */
export function databaseId(globalId: { typename: string; id: string | number }, typename: string, argument: string): number {
  const id = Number(globalId.id);
  if (globalId.typename !== typename || !/^\d+$/.test(String(globalId.id)) || !isDatabaseId(id)) {
    throw new GraphQLError(`${argument} takes a ${typename} id`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return id;
}
