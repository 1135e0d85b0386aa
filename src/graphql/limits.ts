/**
 * Limits that keep one request from taking the service down: aliases, tokens and directives
 * (graphql-armor), page sizes (here), query depth and cost (Pothos complexity, in builder.ts) and
 * body size (server.ts). Each refusal is a GraphQL error with a code.
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import {
  type ArgumentNode,
  type DocumentNode,
  GraphQLError,
  GraphQLInt,
  type GraphQLSchema,
  TypeInfo,
  valueFromAST,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { MAX_PAGE_SIZE } from './builder.js';

export const MAX_ALIASES = 15;
export const MAX_TOKENS = 2_000;

/** Armor's errors carry no code; give them one clients can branch on. */
const withCode = {
  onReject: [(_context: unknown, error: GraphQLError) => Object.assign(error.extensions, { code: 'QUERY_TOO_COMPLEX' })],
  propagateOnRejection: true,
};

export function armorPlugin(production: boolean) {
  return EnvelopArmorPlugin({
    // Depth is checked with the cost, by Pothos (armor reports it as a syntax error).
    maxDepth: { enabled: false },
    // __typename aliases count too: a thousand of them are still a thousand results to build.
    maxAliases: { n: MAX_ALIASES, allowList: [], ...withCode },
    maxTokens: { n: MAX_TOKENS, ...withCode },
    maxDirectives: { n: 20, ...withCode },
    // Cost is the Pothos complexity plugin's job: it knows page sizes.
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: production },
  });
}

/** The `first` / `last` arguments of a document, found once per parsed document (yoga caches them). */
const pageSizeArguments = new WeakMap<DocumentNode, ArgumentNode[]>();

function findPageSizeArguments(schema: GraphQLSchema, document: DocumentNode): ArgumentNode[] {
  let found = pageSizeArguments.get(document);
  if (found) return found;
  found = [];
  const typeInfo = new TypeInfo(schema);
  const collected = found;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        if ((node.name.value === 'first' || node.name.value === 'last') && typeInfo.getArgument()) collected.push(node);
      },
    }),
  );
  pageSizeArguments.set(document, found);
  return found;
}

function pageSizeErrors(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>): GraphQLError[] {
  return findPageSizeArguments(schema, document).flatMap((node) => {
    const value = valueFromAST(node.value, GraphQLInt, variables);
    if (typeof value !== 'number' || (value >= 0 && value <= MAX_PAGE_SIZE)) return [];
    return [
      new GraphQLError(`${node.name.value} must be from 0 to ${MAX_PAGE_SIZE}, got ${value}`, {
        nodes: [node],
        extensions: { code: 'BAD_USER_INPUT' },
      }),
    ];
  });
}

/** Refuses `first` / `last` above the cap instead of silently returning fewer items. */
export function pageSizePlugin(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const errors = pageSizeErrors(args.schema, args.document, (args.variableValues ?? {}) as Record<string, unknown>);
      if (errors.length > 0) setResultAndStopExecution({ errors });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const errors = pageSizeErrors(args.schema, args.document, (args.variableValues ?? {}) as Record<string, unknown>);
      if (errors.length > 0) setResultAndStopExecution({ errors });
    },
  };
}
