/**
 * `node(id:)` and `nodes(ids:)`: a well-formed id of an object that does not exist (any more)
 * resolves to null, as `topic(id:)` does, and in `nodes` nulls only its own entry; an id of a type
 * that has no nodes is the client's mistake (BAD_USER_INPUT). See ids.ts for the rule.
 */
import { resolveNodes } from '@pothos/plugin-relay';
import { GraphQLError, type GraphQLResolveInfo, isObjectType } from 'graphql';
import type { GlobalId } from './ids.js';

type Builder = Parameters<typeof resolveNodes>[0];

/** plugin-drizzle's loader rejects an id it found no row for with this message. */
const NOT_FOUND = /^Model \w+\(.*\) not found$/s;

export async function loadNode(
  builder: Builder,
  context: object,
  info: GraphQLResolveInfo,
  globalId: GlobalId,
): Promise<unknown> {
  const type = info.schema.getType(globalId.typename);
  if (!isObjectType(type) || !type.getInterfaces().some((implemented) => implemented.name === 'Node')) {
    throw new GraphQLError(`${globalId.typename} is not a type of node`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  try {
    const [node] = await resolveNodes(builder, context, info, [globalId]);
    return (await node) ?? null;
  } catch (error) {
    if (error instanceof Error && NOT_FOUND.test(error.message)) return null;
    throw error;
  }
}
