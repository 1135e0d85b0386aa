import { isObjectType } from 'graphql';
import { builder } from './builder.js';
import './schema/index.js';

export const schema = builder.toSchema({ sortSchema: false });

const hasAuthScopes = (extensions: object | null | undefined) =>
  (extensions as { pothosOptions?: { authScopes?: unknown } } | undefined)?.pothosOptions?.authScopes !== undefined;

for (const type of Object.values(schema.getTypeMap())) {
  if (!isObjectType(type)) continue;
  // Queries and subscriptions read public data: the response cache and coalescing (coalesce.ts)
  // share one caller's answer with the others. Only a mutation may need the operator.
  const scoped = Object.values(type.getFields()).filter((field) => hasAuthScopes(field.extensions));
  if (type.name !== 'Mutation' && (hasAuthScopes(type.extensions) || scoped.length > 0)) {
    throw new Error(`${type.name} has auth scopes: only mutations may, since query answers are shared between callers`);
  }
  // plugin-drizzle adds `totalCount` to connections without a description.
  const totalCount = type.getFields().totalCount;
  if (totalCount && !totalCount.description) totalCount.description = 'Number of items in the whole list, across all pages.';
}

export type { GraphQLContext } from './builder.js';
