/**
 * The search snippet is taken from the title and at most 1,000 characters of the body: the lead,
 * or the window around the first word that starts with a search word's stem when that lies deep
 * in the body; with no match in either, the title and the first words of the lead. The ranking
 * is the full-text rank over the whole article, whatever the snippet's window.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateArticle } from '../src/jobs/article-input.js';
import { storeArticles } from '../src/jobs/import.js';
import { createCorpusDatabase, driverUnderTest, type TestDatabase } from './helpers/database.js';
import { startTestServer, type TestServer } from './helpers/server.js';

/** About 2,900 characters that match none of the searches below. */
const FILLER = 'The committee met again on Tuesday to discuss the budget for next year. '.repeat(40);

const ARTICLES = [
  {
    title: 'Harbour report',
    body: `A zephyr crossed the harbour at dawn, the keepers said. ${FILLER}Zephyr, zephyr and zephyr again: the zephyr of the deepsentinel.`,
  },
  {
    title: 'Quiet market',
    body: `${FILLER}Then a quokka appeared near the stalls, to everyone's delight. ${FILLER.slice(0, 400)}`,
  },
  { title: 'Farm notes', body: `${FILLER}Its zorbability surprised the farmers. ${FILLER.slice(0, 400)}` },
  {
    title: 'Short note',
    body: `${FILLER.slice(0, 500)}A light zephyr, said the sailors, is the best of winds. ${FILLER.slice(0, 300)}`,
  },
];

type SearchResult = { articles: { edges: { snippet: string; node: { title: string } }[] } };

describe(`search snippets (${driverUnderTest})`, () => {
  let handle: TestDatabase;
  let server: TestServer;

  async function search(q: string, first = 10) {
    const result = await server.query<SearchResult>(
      'query ($q: String!, $first: Int) { articles(first: $first, filter: { search: $q }) { edges { snippet node { title } } } }',
      { q, first },
    );
    expect(result.errors).toBeUndefined();
    return result.data!.articles.edges;
  }

  beforeAll(async () => {
    handle = await createCorpusDatabase();
    const valid = ARTICLES.map((article) => {
      const checked = validateArticle(article);
      if (!checked.ok) throw new Error(checked.reason);
      return checked.article;
    });
    await storeArticles(handle.db, valid);
    server = await startTestServer(handle);
  });
  afterAll(async () => {
    await server?.close();
    await handle?.close();
  });

  it('highlights a match in the lead of a long body, and shows nothing from beyond the lead', async () => {
    const [edge] = await search('zephyr');
    expect(edge.node.title).toBe('Harbour report');
    expect(edge.snippet).toContain('A <b>zephyr</b> crossed the harbour at dawn');
    // The body's last words, with four more matches, are past the lead.
    expect(edge.snippet).not.toContain('deepsentinel');
  });

  it('takes the snippet from around the first match when it lies deep in the body', async () => {
    const [edge] = await search('quokka');
    expect(edge.node.title).toBe('Quiet market');
    expect(edge.snippet).toContain('Then a <b>quokka</b> appeared near the stalls');
  });

  it('falls back to the title and the first words of the lead when the match is not found by its stem', async () => {
    // 'zorbabl', the stem of "zorbability", is not the start of the word: the window stays the lead.
    const [edge] = await search('zorbability');
    expect(edge.node.title).toBe('Farm notes');
    expect(edge.snippet).not.toContain('<b>');
    expect(edge.snippet).toMatch(/^Farm notes\. The committee met again on Tuesday/);
    expect(edge.snippet.length).toBeLessThan(120);
  });

  it('ranks by the whole article, as before: the same articles in the same order', async () => {
    const rows = (result: unknown) =>
      (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { title: string }[];
    for (const q of ['election', 'economy', 'film', 'music', 'mobile phone', 'oil prices', 'champion', 'zephyr']) {
      const expected = rows(
        await handle.db.execute(sql`select title from articles
          where search_vector @@ websearch_to_tsquery('english', ${q})
          order by ts_rank_cd(search_vector, websearch_to_tsquery('english', ${q}), 32) desc, id desc limit 20`),
      ).map((row) => row.title);
      const edges = await search(q, 20);
      expect(
        edges.map((edge) => edge.node.title),
        q,
      ).toEqual(expected);
      // Every snippet of a long article is bounded: title, ". ", at most two fragments of 30 words.
      for (const edge of edges) expect(edge.snippet.length, `${q}: ${edge.node.title}`).toBeLessThan(700);
    }
  });

  it('takes the whole body of an article of at most 1,000 characters, as ts_headline over it does', async () => {
    const rows = (result: unknown) =>
      (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { title: string; full: string }[];
    const q = 'zephyr';
    const expected = rows(
      await handle.db.execute(sql`select title, ts_headline('english', title || '. ' || body, websearch_to_tsquery('english', ${q}),
          'MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter=" … ", StartSel=<b>, StopSel=</b>') as full
        from articles where search_vector @@ websearch_to_tsquery('english', ${q}) and length(body) <= 1000`),
    );
    const edges = await search(q, 100);
    const byTitle = new Map(edges.map((edge) => [edge.node.title, edge.snippet]));
    let compared = 0;
    for (const row of expected) {
      const snippet = byTitle.get(row.title);
      if (snippet === undefined) continue;
      compared++;
      // (No text here that HTML escaping changes.)
      expect(snippet).toBe(row.full);
    }
    expect(compared).toBeGreaterThan(0);
  });
});
