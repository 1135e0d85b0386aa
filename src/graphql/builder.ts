/** The schema builder: plugins and shared scalars only; types live in ./schema. */
import SchemaBuilder from '@pothos/core';
import DrizzlePlugin from '@pothos/plugin-drizzle';
import RelayPlugin from '@pothos/plugin-relay';
import { getTableConfig } from 'drizzle-orm/pg-core';
import type { Database } from '../db/client.js';
import { relations } from '../db/relations.js';

export interface GraphQLContext {
  db: Database;
}

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DrizzleRelations: typeof relations;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: string; Output: string };
    JSON: { Input: unknown; Output: unknown };
  };
}>({
  plugins: [RelayPlugin, DrizzlePlugin],
  defaultFieldNullability: false,
  relay: {
    nodesOnConnection: true,
    cursorType: 'String',
  },
  drizzle: {
    client: (ctx) => ctx.db,
    getTableConfig,
    relations,
    maxConnectionSize: 100,
  },
});

builder.scalarType('DateTime', {
  description: 'An instant as an ISO 8601 string in UTC, e.g. "2025-06-12T09:00:00.000Z".',
  serialize: (value) => new Date(value).toISOString(),
  parseValue: (value) => {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
      throw new TypeError('DateTime must be an ISO 8601 string');
    }
    return new Date(value).toISOString();
  },
});

builder.scalarType('JSON', {
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
});

builder.queryType({ description: 'Articles, the topics they are grouped into, and their relations.' });
