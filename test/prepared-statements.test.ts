/**
 * Repeated statements are prepared on the PostgreSQL server (bounded, since clients choose the
 * SQL), answers stay the same, and a statement whose plan a migration invalidated still answers.
 */
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client.js';
import { preparePolicy, preparingStatements } from '../src/db/prepared-statements.js';
import { sources } from '../src/db/schema.js';
import { createTestDatabase, driverUnderTest, type TestDatabase } from './helpers/database.js';

describe('which statements are prepared', () => {
  it('prepares a text from its second use, up to the bound', () => {
    const shouldPrepare = preparePolicy(2, 10);
    expect(['a', 'a', 'a'].map(shouldPrepare)).toEqual([false, true, true]);
    expect(['b', 'b', 'c', 'c', 'c'].map(shouldPrepare)).toEqual([false, true, false, false, false]);
    // The bound reached, the prepared ones stay prepared.
    expect(['a', 'b'].map(shouldPrepare)).toEqual([true, true]);
  });

  it('forgets the texts seen once when their table is full', () => {
    const shouldPrepare = preparePolicy(10, 3);
    for (const text of ['a', 'b', 'c', 'd']) expect(shouldPrepare(text)).toBe(false);
    // 'a' was forgotten when 'd' arrived: its next use is a first one again.
    expect(shouldPrepare('a')).toBe(false);
    expect(shouldPrepare('d')).toBe(true);
  });
});

describe.skipIf(driverUnderTest !== 'postgres')('prepared statements on PostgreSQL', () => {
  let handle: TestDatabase;
  let single: Awaited<ReturnType<typeof openDatabase>>;

  beforeAll(async () => {
    handle = await createTestDatabase();
    // One connection, so that the session asked about its statements is the one that ran them.
    single = await openDatabase({ databaseUrl: handle.url, maxConnections: 1 });
    await single.db.insert(sources).values([{ name: 'Wire' }, { name: 'Daily' }]);
  });

  afterAll(async () => {
    await single?.close();
    await handle?.close();
  });

  /** postgres.js returns the rows themselves. */
  const rows = async <Row>(query: ReturnType<typeof sql>) => (await single.db.execute(query)) as unknown as Row[];
  const preparedCount = async () =>
    Number((await rows<{ n: string }>(sql`select count(*) as n from pg_prepared_statements where not from_sql`))[0].n);

  it('runs a repeated relational query as one prepared statement, with the same answers', async () => {
    const before = await preparedCount();
    const answers: unknown[] = [];
    for (const name of ['Wire', 'Daily', 'Wire']) {
      answers.push(await single.db.query.sources.findFirst({ columns: { name: true }, where: { name } }));
    }
    expect(answers).toEqual([{ name: 'Wire' }, { name: 'Daily' }, { name: 'Wire' }]);
    // The count query itself is prepared from its second use too.
    expect((await preparedCount()) - before).toBeGreaterThanOrEqual(1);
  });

  it('holds the bound for statements that ask to be prepared (drizzle prepared queries)', async () => {
    const client = postgres(handle.url as string, { max: 1, onnotice: () => {} });
    const bounded = preparingStatements(client, preparePolicy(1, 10));
    const count = async () => Number((await client`select count(*) as n from pg_prepared_statements where not from_sql`)[0].n);
    try {
      const before = await count();
      for (let i = 0; i < 3; i++) {
        for (const text of ['select $1::int as a', 'select $1::int as b', 'select $1::int as c']) {
          await bounded.unsafe(text, [i], { prepare: true });
        }
      }
      // One statement prepared (the bound), and the count query itself.
      expect((await count()) - before).toBeLessThanOrEqual(2);
    } finally {
      await client.end({ timeout: 2 });
    }
  });

  it('answers a prepared statement again after a migration changed its table', async () => {
    const query = () => rows<{ name: string; extra?: number }>(sql`select * from sources order by id limit 1`);
    await query();
    await query();
    // Another server's migration adds a column: the prepared plan no longer fits its result.
    await handle.db.execute(sql`alter table sources add column extra integer default 7`);
    const [row] = await query();
    expect(row).toMatchObject({ name: 'Wire', extra: 7 });
    await handle.db.execute(sql`alter table sources drop column extra`);
  });
});
