import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articles, editorialLinks, sources } from '../src/db/schema.js';
import { importJsonlFile } from '../src/jobs/import.js';
import { seedPageArticles } from '../src/jobs/seed.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');

describe('seed and import', () => {
  let handle: TestDatabase;
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(() => handle?.close());

  it('stores the seed page’s four articles once, with their source and editorial links', async () => {
    const first = await seedPageArticles(handle.db);
    const second = await seedPageArticles(handle.db);
    expect(first).toEqual({ inserted: 4, alreadyPresent: 0 });
    expect(second).toEqual({ inserted: 0, alreadyPresent: 4 });

    const stored = await handle.db.query.articles.findMany({ with: { source: true }, orderBy: { id: 'asc' } });
    expect(stored.map((article) => article.title)).toEqual([
      'South Korea and US seek to revive talks with North Korea as Kim Jong-un rejects Trump letter',
      "Is North Korea's Kim shoring up navy in strategic bid with allies China, Russia?",
      "Will Trump's student visa crackdown backfire and bleed US innovation?",
      'How Hong Kong can shake off stagnant growth',
    ]);
    expect(new Set(stored.map((article) => article.source?.name))).toEqual(new Set(['South China Morning Post']));
    expect(await handle.db.$count(sources)).toBe(1);
    expect(await handle.db.$count(editorialLinks)).toBe(3);
  });

  it('keeps page furniture out of the bodies', async () => {
    const stored = await handle.db.select({ body: articles.body }).from(articles);
    for (const { body } of stored) {
      expect(body).not.toMatch(/Try Our AI Features|Advertisement|No comments yet|Photo: |Related Articles/);
      expect(body).not.toMatch(/ ,|mega-events/);
    }
  });

  it('imports a JSONL corpus once, whatever the number of imports', async () => {
    const file = path.join(fixtures, 'bbc-200.jsonl');
    const first = await importJsonlFile(handle.db, file, { batchSize: 64 });
    // The BBC corpus repeats two of these articles under other ids: stored once.
    expect(first).toEqual({ inserted: 198, alreadyPresent: 2, rejected: [] });
    const second = await importJsonlFile(handle.db, file);
    expect(second).toEqual({ inserted: 0, alreadyPresent: 200, rejected: [] });
    const imported = await handle.db.query.articles.findFirst({ where: { externalId: 'bbc-business-001' } });
    expect(imported?.title).toBe('Ad sales boost Time Warner profit');
  });

  it('reports each malformed line with its number and reason, and stores the valid ones', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'news-import-'));
    const file = path.join(folder, 'mixed.jsonl');
    const lines = [
      JSON.stringify({ id: 'ok-1', title: 'Rates held by central bank', body: 'The bank kept rates unchanged.' }),
      '{"title": "broken json"',
      JSON.stringify({ id: 'no-title', body: 'A body without a title.' }),
      JSON.stringify({ id: 'no-body', title: 'A title without a body' }),
      JSON.stringify({ id: 'bad-date', title: 'Dated', body: 'Text.', publishedAt: 'last Tuesday' }),
      '',
      JSON.stringify({
        id: 'ok-2',
        title: 'Cup final tickets sold out',
        body: 'Every ticket went in an hour.',
        publishedAt: '2005-03-01T10:00:00Z',
        url: 'https://example.org/cup',
        source: 'Example Sport',
        category: 'sport',
      }),
      '[1, 2, 3]',
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const summary = await importJsonlFile(handle.db, file);
    expect(summary.inserted).toBe(2);
    expect(summary.alreadyPresent).toBe(0);
    expect(summary.rejected.map((rejection) => rejection.line)).toEqual([2, 3, 4, 5, 8]);
    expect(summary.rejected[0].reason).toMatch(/invalid JSON/);
    expect(summary.rejected[1].reason).toBe('missing "title"');
    expect(summary.rejected[2].reason).toBe('missing "body"');
    expect(summary.rejected[3].reason).toMatch(/publishedAt.*ISO 8601/);
    expect(summary.rejected[4].reason).toBe('not a JSON object');

    const stored = await handle.db.query.articles.findFirst({ where: { externalId: 'ok-2' }, with: { source: true } });
    expect(stored).toMatchObject({
      title: 'Cup final tickets sold out',
      url: 'https://example.org/cup',
      source: { name: 'Example Sport' },
    });
    expect(new Date(stored?.publishedAt ?? '').toISOString()).toBe('2005-03-01T10:00:00.000Z');
  });

  it('stores an article only once when two imports of the same corpus run at once', async () => {
    const before = await handle.db.$count(articles);
    const folder = mkdtempSync(path.join(tmpdir(), 'news-import-'));
    const file = path.join(folder, 'same.jsonl');
    const corpus = Array.from({ length: 50 }, (_, i) =>
      JSON.stringify({ title: `Concurrent story ${i}`, body: `Body of concurrent story number ${i}.` }),
    );
    writeFileSync(file, corpus.join('\n'));
    const results = await Promise.all([
      importJsonlFile(handle.db, file, { batchSize: 7 }),
      importJsonlFile(handle.db, file, { batchSize: 11 }),
    ]);
    expect(results[0].inserted + results[1].inserted).toBe(50);
    expect(results[0].alreadyPresent + results[1].alreadyPresent).toBe(50);
    expect(await handle.db.$count(articles)).toBe(before + 50);
  });
});
