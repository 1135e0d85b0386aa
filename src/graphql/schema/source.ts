import { sources } from '../../db/schema.js';
import { builder } from '../builder.js';
import type { CursorKeys } from '../cursors.js';

export const Source = builder.drizzleNode('sources', {
  // Load only the columns the selected fields ask for (not every body and search vector).
  select: { columns: { id: true } },
  name: 'Source',
  description: 'A publisher articles come from, e.g. "South China Morning Post".',
  id: { column: (source) => source.id },
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The publisher’s name, as plain text (not HTML).' }),
    articles: t.relatedConnection('articles', {
      description: 'This source’s articles, newest stored first.',
      extensions: { cursorKeys: ['int'] satisfies CursorKeys },
      query: { orderBy: { id: 'desc' } },
      totalCount: true,
    }),
  }),
});

builder.queryFields((t) => ({
  sources: t.drizzleConnection({
    type: 'sources',
    description: 'Every source, by name.',
    // Names are unique: no tie to break.
    extensions: { cursorKeys: ['text'] satisfies CursorKeys },
    totalCount: (_root, _args, ctx) => ctx.db.$count(sources),
    resolve: (query, _root, _args, ctx) => ctx.db.query.sources.findMany(query({ orderBy: { name: 'asc' } })),
  }),
}));
