/**
 * Bad input never costs the good: what validation refuses (NUL, lone surrogates, impossible
 * dates), what the database refuses (the batch is stored one by one), how lines are numbered
 * (only "\n" ends a line; invalid UTF-8 rejects its line), conflicting external ids, and batches
 * that create the same sources and articles concurrently.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articles, sources } from '../src/db/schema.js';
import { type ValidArticle, validateArticle } from '../src/jobs/article-input.js';
import { ARTICLE_LOCK_SPACE, articleLockKeys, importJsonlFile, storeArticles } from '../src/jobs/import.js';
import { createTestDatabase, driverUnderTest, type TestDatabase } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const root = path.join(import.meta.dirname, '..');
const folder = mkdtempSync(path.join(tmpdir(), 'news-import-input-'));
let files = 0;

/** Writes a file of these lines (strings are written as UTF-8, buffers as they are), each ended by "\n" unless it holds its own ending. */
function corpusFile(lines: (string | Buffer)[], ending = '\n'): string {
  const file = path.join(folder, `corpus-${++files}.jsonl`);
  writeFileSync(file, Buffer.concat(lines.map((line) => Buffer.concat([Buffer.from(line), Buffer.from(ending)]))));
  return file;
}

function article(id: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ id, title: `Story ${id}`, body: `The body of story ${id}, with some words.`, ...extra });
}

function valid(input: Record<string, unknown>): ValidArticle {
  const result = validateArticle(input);
  if (!result.ok) throw new Error(result.reason);
  return result.article;
}

/** A body under the length limit whose search vector passes PostgreSQL's 1 MB: validation cannot see it, the database refuses it. */
const oversizedSearchBody = Array.from({ length: 140_000 }, (_, i) => `w${i.toString(36)}`).join(' ');

describe('validation refuses what the database would refuse or alter', () => {
  const reasonOf = (input: Record<string, unknown>) => {
    const result = validateArticle({ title: 'A title', body: 'A body.', ...input });
    return result.ok ? null : result.reason;
  };

  it('refuses NUL in every text field, with the field and the position', () => {
    expect(reasonOf({ title: 'bad \u0000' })).toBe('"title" contains a NUL character (\\u0000) at character 5');
    for (const field of ['body', 'source', 'id', 'url', 'publishedAt']) {
      expect(reasonOf({ [field]: 'x\u0000' })).toMatch(new RegExp(`^"${field}" contains a NUL character`));
    }
  });

  it('refuses lone surrogates, and counts lengths in characters', () => {
    for (const text of ['\ud800', 'a\udc00b', 'end \ud83d']) {
      expect(reasonOf({ body: text })).toMatch(/"body" contains a lone surrogate/);
      expect(reasonOf({ source: text })).toMatch(/"source" contains a lone surrogate/);
    }
    expect(reasonOf({ title: '😀 emoji' })).toBeNull();
    // 1,000 characters of two UTF-16 units each: within the limit of 1,000.
    expect(reasonOf({ title: '😀'.repeat(1_000) })).toBeNull();
    expect(reasonOf({ title: '😀'.repeat(1_001) })).toBe('"title" is longer than 1000 characters');
    expect(reasonOf({ source: 'é'.repeat(200) })).toBeNull();
    expect(reasonOf({ source: '𝄞'.repeat(201) })).toBe('"source" is longer than 200 characters');
  });

  it('accepts real instants only, without rolling an impossible one over', () => {
    const stored = (publishedAt: string) => {
      const result = validateArticle({ title: 'A title', body: 'A body.', publishedAt });
      return result.ok ? result.article.publishedAt : result.reason;
    };
    expect(stored('2020-02-29')).toBe('2020-02-29T00:00:00.000Z');
    expect(stored('2020-02-29T23:59:59Z')).toBe('2020-02-29T23:59:59.000Z');
    expect(stored('2005-03-01T10:00:00+05:30')).toBe('2005-03-01T04:30:00.000Z');
    expect(stored('2005-03-01 10:00-0800')).toBe('2005-03-01T18:00:00.000Z');
    expect(stored('2005-03-01T10:00:00.123456Z')).toBe('2005-03-01T10:00:00.123Z');
    // No offset: UTC, whatever the importing machine's time zone.
    expect(stored('2005-03-01T10:00')).toBe('2005-03-01T10:00:00.000Z');
    expect(stored('1000-01-01')).toBe('1000-01-01T00:00:00.000Z');
    expect(stored('9999-12-31T23:59:59.999Z')).toBe('9999-12-31T23:59:59.999Z');

    expect(stored('2020-02-30')).toBe('"publishedAt" is not a real date and time: "2020-02-30" (day 30 is outside 01–29)');
    expect(stored('2019-02-29')).toMatch(/day 29 is outside 01–28/);
    expect(stored('2020-04-31')).toMatch(/day 31 is outside 01–30/);
    expect(stored('2020-13-01')).toMatch(/month 13 is outside 01–12/);
    expect(stored('2020-00-10')).toMatch(/month 0 is outside 01–12/);
    expect(stored('2020-01-00')).toMatch(/day 0 is outside 01–31/);
    expect(stored('2020-01-01T24:00')).toMatch(/hour 24 is outside 00–23/);
    expect(stored('2020-01-01T23:60Z')).toMatch(/minute 60 is outside 00–59/);
    expect(stored('2020-01-01T23:59:60Z')).toMatch(/second 60 is outside 00–59/);
    expect(stored('2020-01-01T10:00+24:00')).toMatch(/offset hour 24 is outside 00–23/);
    expect(stored('0000-01-01')).toBe('"publishedAt" is outside the years 1000–9999 (UTC): "0000-01-01"');
    expect(stored('0050-06-15')).toMatch(/outside the years 1000–9999/);
    expect(stored('1000-01-01T00:30+01:00')).toMatch(/outside the years 1000–9999/);
    expect(stored('9999-12-31T23:30-01:00')).toMatch(/outside the years 1000–9999/);
    expect(stored('+010000-01-01')).toMatch(/not an ISO 8601 date/);
    expect(stored('1')).toMatch(/not an ISO 8601 date/);
  });
});

describe(`import on ${driverUnderTest}: bad lines are rejected alone, with their number and reason`, () => {
  let handle: TestDatabase;
  let server: TestServer;
  const TOKEN = 'import-input-token';

  beforeAll(async () => {
    handle = await createTestDatabase();
    server = await startTestServer(handle, { apiToken: TOKEN, production: true });
  });
  afterAll(async () => {
    await server?.close();
    await handle?.close();
  });

  async function storedIds(prefix: string): Promise<string[]> {
    const rows = await handle.db.query.articles.findMany({ columns: { externalId: true }, orderBy: { id: 'asc' } });
    return rows.flatMap((row) => (row.externalId?.startsWith(prefix) ? [row.externalId] : []));
  }

  it('stores 1,199 lines of 1,200 when line 701 holds a NUL, and names line 701', async () => {
    const lines = Array.from({ length: 1_200 }, (_, i) =>
      article(`nul-${i + 1}`, i + 1 === 701 ? { title: 'Story with a \u0000 inside' } : {}),
    );
    const summary = await importJsonlFile(handle.db, corpusFile(lines));
    expect(summary).toEqual({
      inserted: 1_199,
      alreadyPresent: 0,
      rejected: [{ line: 701, reason: '"title" contains a NUL character (\\u0000) at character 14' }],
    });
    expect((await storedIds('nul-')).length).toBe(1_199);
  });

  it('stores the rest of a batch the database refuses, rejecting only the refused line with the database’s reason', async () => {
    const lines = [article('big-1'), article('big-2', { body: oversizedSearchBody }), article('big-3'), article('big-4')];
    const summary = await importJsonlFile(handle.db, corpusFile(lines));
    expect(summary.inserted).toBe(3);
    expect(summary.rejected).toEqual([
      {
        line: 2,
        reason: expect.stringMatching(
          /^refused by the database: string is too long for tsvector \(\d+ bytes, max 1048575 bytes\)$/,
        ),
      },
    ]);
    expect(await storedIds('big-')).toEqual(['big-1', 'big-3', 'big-4']);
  });

  it('numbers every line of a file mixing bare CR, CRLF, blank lines and invalid UTF-8', async () => {
    const lines: (string | Buffer)[] = [];
    const expectedStored: string[] = [];
    const expectedRejected: { line: number; reason: RegExp }[] = [];
    for (let i = 1; i <= 40; i++) {
      const id = `mix-${i}`;
      switch (i % 8) {
        case 0: // a bare CR between JSON tokens is white space, not a line break
          lines.push(`{"id":"${id}","title":"Story ${id}",\r"body":"A body with a CR before it."}\n`);
          expectedStored.push(id);
          break;
        case 1: // CRLF ending
          lines.push(`${article(id)}\r\n`);
          expectedStored.push(id);
          break;
        case 2: // invalid UTF-8 (a lone continuation byte, then a truncated sequence)
          lines.push(
            Buffer.concat([
              Buffer.from(`{"id":"${id}","title":"Caf`),
              Buffer.from([0xe9]),
              Buffer.from(`","body":"x\xe2\x82"}\n`, 'latin1'),
            ]),
          );
          expectedRejected.push({ line: i, reason: /^not valid UTF-8$/ });
          break;
        case 3: // blank lines: empty, spaces, CR only
          lines.push(i % 3 === 0 ? '\n' : i % 3 === 1 ? '   \t \n' : '\r\n');
          break;
        case 4: // a raw CR inside a JSON string: invalid JSON, on its own line number
          lines.push(`{"id":"${id}","title":"Split\rtitle","body":"Body."}\n`);
          expectedRejected.push({ line: i, reason: /^invalid JSON/ });
          break;
        case 5: // a lone surrogate written as a JSON escape
          lines.push(`{"id":"${id}","title":"Half \\ud83d pair","body":"Body."}\n`);
          expectedRejected.push({ line: i, reason: /lone surrogate/ });
          break;
        case 6: // valid multi-byte UTF-8
          lines.push(`${article(id, { title: `Ελληνικά ${id} 😀`, source: 'Ε.Ρ.Τ.' })}\n`);
          expectedStored.push(id);
          break;
        default: // an impossible date
          lines.push(`${article(id, { publishedAt: '2021-02-29T10:00:00Z' })}\n`);
          expectedRejected.push({ line: i, reason: /day 29 is outside 01–28/ });
      }
    }
    const file = corpusFile(lines, '');
    const progress: number[] = [];
    const summary = await importJsonlFile(handle.db, file, { batchSize: 4, onProgress: (read) => progress.push(read) });
    expect(summary.rejected.map((rejection) => rejection.line)).toEqual(expectedRejected.map((rejection) => rejection.line));
    summary.rejected.forEach((rejection, i) => expect(rejection.reason).toMatch(expectedRejected[i].reason));
    expect(summary.inserted).toBe(expectedStored.length);
    expect(await storedIds('mix-')).toEqual(expectedStored);
    const greek = await handle.db.query.articles.findFirst({ where: { externalId: 'mix-6' }, with: { source: true } });
    expect(greek).toMatchObject({ title: 'Ελληνικά mix-6 😀', source: { name: 'Ε.Ρ.Τ.' } });
    const withCr = await handle.db.query.articles.findFirst({ where: { externalId: 'mix-8' } });
    expect(withCr?.body).toBe('A body with a CR before it.');
    // Progress counts bytes, up to the file's size.
    expect(progress.length).toBeGreaterThan(2);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(Buffer.concat(lines.map((line) => Buffer.from(line))).length);
  });

  it('decodes lines that straddle the reader’s chunks, a byte order mark, and a last line without an ending', async () => {
    // 300 lines of about 600 bytes of two- and four-byte characters: several 64 KB chunks, cut anywhere.
    const lines = Array.from({ length: 300 }, (_, i) =>
      article(`chunk-${i + 1}`, { body: `${'Ωμέγα 𝄞 '.repeat(40 + (i % 7))} end ${i + 1}` }),
    );
    const file = path.join(folder, 'chunks.jsonl');
    writeFileSync(file, `\ufeff${lines.join('\n')}`);
    const summary = await importJsonlFile(handle.db, file);
    expect(summary).toEqual({ inserted: 300, alreadyPresent: 0, rejected: [] });
    const last = await handle.db.query.articles.findFirst({ where: { externalId: 'chunk-300' } });
    expect(last?.body).toMatch(/^Ωμέγα 𝄞 .* end 300$/);
  });

  it('rejects an external id stored with other content as a conflict, in the database and within one batch', async () => {
    await importJsonlFile(handle.db, corpusFile([article('conflict-1')]));
    const lines = [
      JSON.stringify({ id: 'conflict-1', title: 'A different story', body: 'Under a reused id.' }), // 1: conflict with the stored one
      article('conflict-1'), // 2: the same id and content: already present
      JSON.stringify({ id: 'conflict-copy', title: 'Story conflict-1', body: 'The body of story conflict-1, with some words.' }), // 3: syndicated copy
      article('conflict-2'), // 4: new
      JSON.stringify({ id: 'conflict-2', title: 'Another story', body: 'Same id, other text, same batch.' }), // 5: conflict with line 4
      article('conflict-3'), // 6: new
    ];
    const summary = await importJsonlFile(handle.db, corpusFile(lines));
    expect(summary).toEqual({
      inserted: 2,
      alreadyPresent: 2,
      rejected: [
        { line: 1, reason: 'conflict: an article with id "conflict-1" is already stored with different content' },
        { line: 5, reason: 'conflict: an earlier article of this import has id "conflict-2" with different content' },
      ],
    });
    const kept = await handle.db.query.articles.findFirst({ where: { externalId: 'conflict-1' } });
    expect(kept?.title).toBe('Story conflict-1');
    // The same lines again, one batch each: the stored articles decide.
    const again = await importJsonlFile(handle.db, corpusFile(lines), { batchSize: 1 });
    expect(again.inserted).toBe(0);
    expect(again.rejected.map((rejection) => [rejection.line, rejection.reason])).toEqual([
      [1, 'conflict: an article with id "conflict-1" is already stored with different content'],
      [5, 'conflict: an article with id "conflict-2" is already stored with different content'],
    ]);
  });

  interface ImportResult {
    data?: {
      importArticles: {
        created: number;
        duplicates: number;
        rejected: number;
        items: { index: number; status: string; reason: string | null }[];
      };
    };
    errors?: { message: string }[];
  }

  async function importThroughApi(input: Record<string, unknown>[]): Promise<ImportResult> {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        query:
          'mutation ($a: [ArticleInput!]!) { importArticles(input: $a) { created duplicates rejected items { index status reason } } }',
        variables: { a: input },
      }),
    });
    return (await response.json()) as ImportResult;
  }

  it('importArticles stores 999 items and rejects the bad one, with its index and reason', async () => {
    const input = Array.from({ length: 1_000 }, (_, i) => ({
      externalId: `api-${i}`,
      title: i === 500 ? 'Null \u0000 title' : `API story ${i}`,
      body: `Body of API story ${i}.`,
      source: `API source ${i % 5}`,
    }));
    const result = await importThroughApi(input);
    expect(result.errors).toBeUndefined();
    expect(result.data?.importArticles).toMatchObject({ created: 999, duplicates: 0, rejected: 1 });
    expect(result.data?.importArticles.items.filter((item) => item.status !== 'CREATED')).toEqual([
      { index: 500, status: 'REJECTED', reason: '"title" contains a NUL character (\\u0000) at character 6' },
    ]);
    expect((await storedIds('api-')).length).toBe(999);
  });

  it('importArticles stores the items around one the database refuses, and reports a conflict', async () => {
    const first = await importThroughApi([{ externalId: 'api-db-first', title: 'API db first story', body: 'Stored first.' }]);
    expect(first.data?.importArticles.created).toBe(1);
    const input = [
      ...Array.from({ length: 20 }, (_, i) => ({ externalId: `api-db-${i}`, title: `API db story ${i}`, body: `Body ${i}.` })),
      { externalId: 'api-db-big', title: 'Too many words', body: oversizedSearchBody },
      { externalId: 'api-db-first', title: 'Not the first story', body: 'Another text under a stored id.' },
      { externalId: 'api-db-late', title: 'API db late story', body: 'Stored after the refused one.' },
    ];
    const result = await importThroughApi(input);
    expect(result.errors).toBeUndefined();
    expect(result.data?.importArticles).toMatchObject({ created: 21, duplicates: 0, rejected: 2 });
    const rejected = result.data?.importArticles.items.filter((item) => item.status === 'REJECTED');
    expect(rejected).toEqual([
      {
        index: 20,
        status: 'REJECTED',
        reason: expect.stringMatching(/^refused by the database: string is too long for tsvector/),
      },
      {
        index: 21,
        status: 'REJECTED',
        reason: 'conflict: an article with id "api-db-first" is already stored with different content',
      },
    ]);
    expect(await storedIds('api-db-')).toEqual([
      'api-db-first',
      ...Array.from({ length: 20 }, (_, i) => `api-db-${i}`),
      'api-db-late',
    ]);
  });
});

describe(`npm run seed -- --file on ${driverUnderTest}: one readable line per problem`, () => {
  let handle: TestDatabase;
  const dataDir = path.join(folder, 'pglite');
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(() => handle?.close());

  async function seed(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test' };
    if (handle.url) env.DATABASE_URL = handle.url;
    else {
      delete env.DATABASE_URL;
      env.DATA_DIR = dataDir;
    }
    try {
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'scripts/seed.ts', '--file', file, '--no-cluster'],
        {
          cwd: root,
          env,
          maxBuffer: 10_000_000,
        },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
      return { code, stdout, stderr };
    }
  }

  it('stores the lines around a NUL and names it, without SQL or parameters', async () => {
    const file = corpusFile([
      '{"title":"ok 1","body":"b1"}',
      '{"title":"bad \\u0000","body":"x"}',
      '{"title":"ok 2","body":"b2"}',
    ]);
    const result = await seed(file);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`${file}:2: rejected: "title" contains a NUL character (\\u0000) at character 5\n`);
    expect(result.stdout).toMatch(new RegExp(`${file}: 2 inserted, 0 already present, 1 rejected`));
  }, 60_000);

  it('prints the database’s reason for a line it refuses, and a conflict, one line each', async () => {
    const file = corpusFile([
      article('cli-1'),
      article('cli-2', { body: oversizedSearchBody }),
      article('cli-1', { title: 'Other' }),
    ]);
    const result = await seed(file);
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      new RegExp(
        `^${file}:2: rejected: refused by the database: string is too long for tsvector \\(\\d+ bytes, max 1048575 bytes\\)$`,
      ),
    );
    // The refused line made the batch go one article at a time: line 1 was stored by then.
    expect(lines[1]).toBe(`${file}:3: rejected: conflict: an article with id "cli-1" is already stored with different content`);
    expect(result.stdout).toMatch(/1 inserted, 0 already present, 2 rejected/);
  }, 60_000);

  it('says so when a file holds no articles, or cannot be read', async () => {
    for (const lines of [[], ['', '   ', '\r']]) {
      const file = corpusFile(lines, lines.length === 0 ? '' : '\n');
      const result = await seed(file);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(`${file}: holds no articles (the file is empty or has only blank lines)\n`);
    }
    const missing = path.join(folder, 'missing.jsonl');
    const result = await seed(missing);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`seed failed: cannot read ${missing}: no such file\n`);
    const directory = await seed(folder);
    expect(directory.stderr).toBe(`seed failed: cannot read ${folder}: it is a directory\n`);
  }, 120_000);
});

describe.runIf(driverUnderTest === 'postgres')('concurrent imports on PostgreSQL', () => {
  let handle: TestDatabase;
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(() => handle?.close());

  let seed = 7;
  const random = () => {
    seed = (seed * 48_271) % 2_147_483_647;
    return seed / 2_147_483_647;
  };
  const shuffle = <T>(list: T[]) =>
    list
      .map((item) => ({ item, key: random() }))
      .sort((a, b) => a.key - b.key)
      .map(({ item }) => item);

  /** Stores the batches at once, each tried once only (a deadlock would fail it); every one must succeed. */
  async function storeConcurrently(batches: ValidArticle[][]) {
    const results = await Promise.allSettled(batches.map((batch) => storeArticles(handle.db, batch, { attempts: 1 })));
    const failures = results.flatMap((result) =>
      result.status === 'rejected' ? [String(result.reason?.cause?.message ?? result.reason)] : [],
    );
    expect(failures).toEqual([]);
    return results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  }

  it('lets 24 concurrent batches create the same new sources in different orders, without a deadlock', async () => {
    for (let round = 0; round < 3; round++) {
      const names = Array.from({ length: 150 }, (_, i) => `Concurrent source ${round}-${i}`);
      const batches = Array.from({ length: 24 }, (_, b) =>
        Array.from({ length: 30 }, (_, i) =>
          valid({
            title: `Own story ${round}-${b}-${i}`,
            body: `Told once: ${round}-${b}-${i}.`,
            source: names[Math.floor(random() * names.length)],
          }),
        ),
      );
      const results = await storeConcurrently(batches);
      expect(results.flatMap((result) => result.createdIds)).toHaveLength(24 * 30);
      const used = new Set(batches.flat().map((article) => article.source as string));
      expect(await handle.db.$count(sources, inArray(sources.name, [...used]))).toBe(used.size);
    }
  }, 120_000);

  it('lets 24 concurrent batches of the same 60 articles, in different orders, store each once without a deadlock', async () => {
    for (let round = 0; round < 3; round++) {
      const shared = Array.from({ length: 60 }, (_, i) =>
        valid({ title: `Shared story ${round}-${i}`, body: `Everyone has it: ${round}-${i}.` }),
      );
      const batches = Array.from({ length: 24 }, () => shuffle(shared).slice(0, 40));
      const outcomes = (await storeConcurrently(batches)).flatMap((result) => result.outcomes);
      const distinct = new Set(batches.flat()).size;
      expect(outcomes.filter((outcome) => outcome === 'created')).toHaveLength(distinct);
      expect(outcomes.filter((outcome) => outcome === 'duplicate')).toHaveLength(24 * 40 - distinct);
      const stored = await handle.db.$count(
        articles,
        inArray(
          articles.contentHash,
          shared.map((article) => article.contentHash),
        ),
      );
      expect(stored).toBe(distinct);
    }
  }, 120_000);

  it('lets 24 concurrent batches claim the same 60 external ids with other content, without a deadlock: one stored each, the others conflicts', async () => {
    for (let round = 0; round < 3; round++) {
      const ids = Array.from({ length: 60 }, (_, i) => `claimed-${round}-${i}`);
      const batches = Array.from({ length: 24 }, (_, b) =>
        shuffle(ids)
          .slice(0, 40)
          .map((id) => valid({ id, title: `Claim of ${id} by batch ${b}`, body: `Batch ${b} says ${id} is this.` })),
      );
      const results = await storeConcurrently(batches);
      const distinct = new Set(batches.flat().map((article) => article.externalId)).size;
      expect(results.flatMap((result) => result.createdIds)).toHaveLength(distinct);
      const rejections = results.flatMap((result) => result.rejections);
      expect(rejections).toHaveLength(24 * 40 - distinct);
      for (const { reason } of rejections)
        expect(reason).toMatch(/^conflict: an article with id "claimed-\d+-\d+" is already stored with different content$/);
    }
  }, 120_000);

  it('retries a batch that a deadlock aborted', async () => {
    const article = valid({ title: 'Deadlock victim', body: 'Stored on the second attempt.', source: 'Deadlock source' });
    const [key] = articleLockKeys([article]);
    const waitingForLocks = () =>
      handle.db
        .execute<{ n: number }>(
          sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
        )
        .then((result) => Number((Array.isArray(result) ? result : (result as unknown as { rows: { n: number }[] }).rows)[0].n));
    let batch: Promise<unknown> | undefined;
    // Another transaction creates the batch's new source, and once the batch waits for it, waits
    // for the batch's lock on its article: PostgreSQL breaks the cycle by aborting the batch (it
    // waited first), which must then be tried again.
    await handle.db.transaction(async (tx) => {
      await tx.insert(sources).values({ name: 'Deadlock source' });
      batch = storeArticles(handle.db, [article]);
      const deadline = Date.now() + 10_000;
      while ((await waitingForLocks()) === 0) {
        if (Date.now() > deadline) throw new Error('the batch never waited for the source');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await tx.execute(sql`select pg_advisory_xact_lock(${ARTICLE_LOCK_SPACE}, ${key}::int)`);
    });
    const result = (await batch) as Awaited<ReturnType<typeof storeArticles>>;
    expect(result.outcomes).toEqual(['created']);
    const stored = await handle.db.query.articles.findFirst({ where: { title: 'Deadlock victim' }, with: { source: true } });
    expect(stored?.source?.name).toBe('Deadlock source');
  }, 30_000);
});
