/** The schema builder: plugins and shared scalars only; types live in ./schema. */
import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DrizzlePlugin from '@pothos/plugin-drizzle';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { GraphQLError, type GraphQLOutputType, isListType, isNonNullType, Kind } from 'graphql';
import type { Database } from '../db/client.js';
import { relations } from '../db/relations.js';
import type { ClusteringRunner } from '../jobs/cluster-runner.js';
import type { FeedPoller } from '../jobs/feed-poller.js';
import type { ReclusterScheduler } from '../jobs/recluster-scheduler.js';
import { type OperatorAuth, operatorRefusal } from './auth.js';
import { clientInputPlugin } from './client-input.js';
import { parseDateTime } from './date-time.js';
import type { NewsEvents } from './events.js';
import { decodeGlobalId } from './ids.js';
import { loadNode } from './nodes.js';

/** The largest query cost accepted: each field costs 1, times the page sizes it sits under. */
export const MAX_QUERY_COST = 25_000;
export const MAX_QUERY_DEPTH = 12;
/** Largest `first` / `last` of a connection. */
export const MAX_PAGE_SIZE = 100;

function isList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

export interface GraphQLContext {
  db: Database;
  auth: OperatorAuth;
  events: NewsEvents;
  clustering: ClusteringRunner;
  recluster: ReclusterScheduler;
  feeds: FeedPoller;
}

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DrizzleRelations: typeof relations;
  DefaultFieldNullability: false;
  AuthScopes: { operator: boolean };
  Scalars: {
    DateTime: { Input: string; Output: string };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  // First, so that it sees the errors of every other plugin (and of their argument mappers); then
  // scope-auth, so that a refused field runs nothing of the plugins that wrap its resolver.
  plugins: [clientInputPlugin, ScopeAuthPlugin, ComplexityPlugin, RelayPlugin, DrizzlePlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (ctx) => ({ operator: ctx.auth === 'operator' }),
    // A refusal says why the caller is not an operator (auth.ts); only another scope could refuse
    // an operator, with the plugin's own error.
    unauthorizedError: (_parent, ctx, info, result) =>
      operatorRefusal(ctx.auth, info.parentType.name === 'Mutation' ? undefined : info.fieldName) ?? result.message,
  },
  complexity: {
    fieldComplexity: (args, _ctx, field) => {
      // A connection costs its page size times its items; its edges/nodes lists add nothing more.
      const pageSize = args.first ?? args.last;
      if ('first' in args || 'last' in args) return { field: 1, multiplier: typeof pageSize === 'number' ? pageSize : 20 };
      if (field.name === 'edges' || field.name === 'nodes') return { field: 0, multiplier: 1 };
      return { field: 1, multiplier: isList(field.type) ? 10 : 1 };
    },
    limit: { complexity: MAX_QUERY_COST, depth: MAX_QUERY_DEPTH, breadth: 300 },
    complexityError: (kind, result) =>
      new GraphQLError(
        `query ${kind.toLowerCase()} ${result[kind.toLowerCase() as 'complexity']} exceeds the limit of ${
          result[`max${kind}` as 'maxComplexity']
        }; ask for fewer or smaller pages`,
        { extensions: { code: 'QUERY_TOO_COMPLEX' } },
      ),
  },
  relay: {
    cursorType: 'String',
    // Malformed ids are BAD_USER_INPUT; nodes that do not exist are null (ids.ts, nodes.ts).
    decodeGlobalID: (globalId) => decodeGlobalId(globalId),
    nodesOnConnection: { description: 'The nodes of this page, in order (the edges without cursors).' },
    idFieldOptions: { description: 'Global, opaque id: pass it to `node` to fetch this object again.' },
    nodeTypeOptions: { description: 'An object with a global id.' },
    // (`builder as never`: these options are part of the builder's own initialiser, whose type is not known yet.)
    nodeQueryOptions: {
      description: 'Any object by its global id; null when it does not exist (any more).',
      resolve: (_root, args, ctx, info): Promise<unknown> => loadNode(builder as never, ctx, info, args.id),
    },
    nodesQueryOptions: {
      description: 'Objects by their global ids, in the same order; null for each one that does not exist (any more).',
      resolve: (_root, args, ctx, info): Promise<unknown>[] => args.ids.map((id) => loadNode(builder as never, ctx, info, id)),
    },
    pageInfoTypeOptions: { description: 'Where a page sits in its connection.' },
    hasNextPageFieldOptions: { description: 'True when more items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'True when items precede this page.' },
    startCursorFieldOptions: { description: 'Cursor of the page’s first item; pass it as `before`.' },
    endCursorFieldOptions: { description: 'Cursor of the page’s last item; pass it as `after` for the next page.' },
    pageInfoFieldOptions: { description: 'Where this page sits in the connection.' },
    edgesFieldOptions: { description: 'The items of this page, each with its cursor.' },
    nodeFieldOptions: { description: 'The item.' },
    cursorFieldOptions: { description: 'Opaque position of the item; stable while items are added.' },
    firstArgOptions: { description: 'Page size, from the start (at most 100).' },
    lastArgOptions: { description: 'Page size, from the end (at most 100).' },
    afterArgOptions: { description: 'Cursor after which the page starts.' },
    beforeArgOptions: { description: 'Cursor before which the page ends.' },
    defaultConnectionTypeOptions: { description: 'A page of a list, with cursors to move through it.' },
    defaultEdgeTypeOptions: { description: 'One item of a page, with its cursor.' },
  },
  drizzle: {
    client: (ctx) => ctx.db,
    getTableConfig,
    relations,
    maxConnectionSize: MAX_PAGE_SIZE,
  },
});

builder.scalarType('DateTime', {
  description:
    'An instant as an ISO 8601 string, output in UTC with milliseconds, e.g. "2025-06-12T09:00:00.000Z". As input: a date ' +
    '("2025-06-12", midnight UTC) or date and time ("2025-06-12T11:00+02:00"; UTC when it names no offset), from year 1000 to 9999.',
  serialize: (value) => new Date(value).toISOString(),
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

builder.scalarType('JSON', {
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
});

builder.queryType({ description: 'Articles, the topics they are grouped into, and their relations.' });
builder.mutationType({ description: 'Operator actions; each needs `Authorization: Bearer <API_TOKEN>`.' });
builder.subscriptionType({ description: 'Live events, over server-sent events.' });
