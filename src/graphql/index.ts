import { isObjectType } from 'graphql';
import { builder } from './builder.js';
import './schema/index.js';

export const schema = builder.toSchema({ sortSchema: false });

// plugin-drizzle adds `totalCount` to connections without a description.
for (const type of Object.values(schema.getTypeMap())) {
  if (!isObjectType(type)) continue;
  const totalCount = type.getFields().totalCount;
  if (totalCount && !totalCount.description) totalCount.description = 'Number of items in the whole list, across all pages.';
}

export type { GraphQLContext } from './builder.js';
