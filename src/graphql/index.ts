import { isObjectType } from 'graphql';
import { builder } from './builder.js';
import './schema/index.js';

export const schema = builder.toSchema({ sortSchema: false });

const hasAuthScopes = (extensions: object | null | undefined) =>
  (extensions as { pothosOptions?: { authScopes?: unknown } } | undefined)?.pothosOptions?.authScopes !== undefined;

for (const type of Object.values(schema.getTypeMap())) {
  if (!isObjectType(type)) continue;
  // Only root fields may need the operator: mutations, and queries, whose answers are shared
  // (the response cache, coalescing) only between callers without a token (sharesAnswers). A scope
  // on a type or a nested field would be easy to reach through another path; subscriptions are
  // followed by anyone.
  const scoped = Object.values(type.getFields()).filter((field) => hasAuthScopes(field.extensions));
  if ((type.name !== 'Mutation' && type.name !== 'Query' && scoped.length > 0) || hasAuthScopes(type.extensions)) {
    throw new Error(`${type.name} has auth scopes: only root query and mutation fields may need the operator`);
  }
  // plugin-drizzle adds `totalCount` to connections without a description.
  const totalCount = type.getFields().totalCount;
  if (totalCount && !totalCount.description) totalCount.description = 'Number of items in the whole list, across all pages.';
}

export type { GraphQLContext } from './builder.js';
