/**
 * Relational queries of a repeated shape run prepared, and a prepared shape never answers for
 * another query: values compared to columns change per call, and anything else that differs
 * (a flag, a list, a function made for one call) makes another shape.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client.js';
import { cachingRelationalPlans, preparedShapeCount } from '../src/db/plan-cache.js';
import { articles, sources } from '../src/db/schema.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';

describe('prepared relational plans', () => {
  let handle: TestDatabase;
  let db: Database;
  const ids: number[] = [];

  beforeAll(async () => {
    handle = await createTestDatabase();
    const [wire] = await handle.db.insert(sources).values({ name: 'Wire' }).returning();
    for (let i = 0; i < 6; i++) {
      const [row] = await handle.db
        .insert(articles)
        .values({ title: `Title ${i}`, body: `Body ${i}`, sourceId: i % 2 === 0 ? wire.id : null, contentHash: `hash-${i}` })
        .returning({ id: articles.id });
      ids.push(row.id);
    }
    db = cachingRelationalPlans(handle.db);
  });

  afterAll(async () => {
    await handle?.close();
  });

  const byId = (id: number) => db.query.articles.findFirst({ where: { id }, columns: { title: true }, with: { source: true } });

  it('prepares a shape from its second use and answers each call with its own values', async () => {
    const before = preparedShapeCount(db);
    const titles: (string | undefined)[] = [];
    for (const id of ids) titles.push((await byId(id))?.title);
    expect(titles).toEqual(ids.map((_, i) => `Title ${i}`));
    expect(preparedShapeCount(db)).toBe(before + 1);
    expect((await byId(ids[3]))?.source).toBeNull();
    expect((await byId(ids[4]))?.source?.name).toBe('Wire');
  });

  it('keeps limits, offsets and operators as values', async () => {
    const page = (after: number, limit: number) =>
      db.query.articles.findMany({ where: { id: { gt: after } }, orderBy: { id: 'asc' }, limit, columns: { id: true } });
    for (const [after, limit] of [
      [ids[0], 2],
      [ids[1], 3],
      [ids[2], 1],
    ]) {
      expect((await page(after, limit)).map((row) => row.id)).toEqual(ids.filter((id) => id > after).slice(0, limit));
    }
  });

  it('keeps the limits of nested relations as values', async () => {
    const source = (await db.query.sources.findFirst({ columns: { id: true } }))?.id as number;
    const firstArticles = (limit: number) =>
      db.query.sources.findFirst({
        where: { id: source },
        with: { articles: { orderBy: { id: 'asc' }, limit, columns: { id: true } } },
      });
    const wire = ids.filter((_, i) => i % 2 === 0);
    for (const limit of [1, 3, 2, 1]) {
      expect((await firstArticles(limit))?.articles.map((row) => row.id)).toEqual(wire.slice(0, limit));
    }
  });

  it('tells apart what is not a compared value: flags, lists, functions made for one call', async () => {
    const withSource = (present: boolean) =>
      db.query.articles.findMany({
        where: { sourceId: present ? { isNotNull: true } : { isNull: true } },
        columns: { id: true },
        orderBy: { id: 'asc' },
      });
    for (let i = 0; i < 2; i++) {
      expect((await withSource(true)).length).toBe(3);
      expect((await withSource(false)).length).toBe(3);
    }
    const among = (list: number[]) => db.query.articles.findMany({ where: { id: { in: list } }, columns: { id: true } });
    for (const list of [[ids[0]], [ids[1], ids[2]], [ids[5]], [ids[1], ids[2]]]) {
      expect((await among(list)).map((row) => row.id).sort()).toEqual([...list].sort());
    }
    const raw = (id: number) =>
      db.query.articles.findFirst({ where: { RAW: (table) => eq(table.id, id) }, columns: { title: true } });
    for (const [i, id] of ids.entries()) expect((await raw(id))?.title).toBe(`Title ${i}`);
  });
});
