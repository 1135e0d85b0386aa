/**
 * Article filters and orderings as SQL, shared by the articles connection and its totalCount so
 * that the count always matches the rows.
 */
import { and, type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { inCurrentRun } from '../../db/current-run.js';
import { type articles, articleTopics } from '../../db/schema.js';

type ArticleColumns = Pick<typeof articles, 'id' | 'sourceId' | 'publishedAt' | 'createdAt' | 'searchVector' | 'title' | 'body'>;

export interface ArticleFilterValues {
  search?: string;
  topicIds?: number[];
  sourceIds?: number[];
  publishedAfter?: string;
  publishedBefore?: string;
}

function query(search: string): SQL {
  // websearch_to_tsquery accepts any text (quotes, operators, SQL) without a syntax error.
  return sql`websearch_to_tsquery('english', ${search})`;
}

function intArray(values: number[]): SQL {
  return sql`${`{${values.join(',')}}`}::int[]`;
}

export function articleFilterSql(table: ArticleColumns, filter: ArticleFilterValues): SQL | undefined {
  return and(
    filter.search ? sql`${table.searchVector} @@ ${query(filter.search)}` : undefined,
    filter.sourceIds ? sql`${table.sourceId} = any(${intArray(filter.sourceIds)})` : undefined,
    filter.topicIds
      ? sql`exists (select 1 from ${articleTopics} where ${articleTopics.articleId} = ${table.id}
          and ${articleTopics.topicId} = any(${intArray(filter.topicIds)}) and ${inCurrentRun(articleTopics)})`
      : undefined,
    filter.publishedAfter ? sql`${table.publishedAt} >= ${filter.publishedAfter}` : undefined,
    filter.publishedBefore ? sql`${table.publishedAt} < ${filter.publishedBefore}` : undefined,
  );
}

/**
 * A timestamp as fixed-width UTC text with microseconds: it sorts chronologically and
 * round-trips exactly through a cursor.
 */
export function utcMicrosecondText(timestamp: SQL): SQL<string> {
  return sql<string>`to_char(${timestamp} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/**
 * The key of the NEWEST and OLDEST orders: the publication time as fixed-width UTC text, compared
 * byte by byte. Undated articles come after the dated ones in both orders (then by id): an import
 * time is not a publication time, and a corpus without dates must not look like last week's news.
 * Topic feeds read the same NEWEST key stored on each membership (article_topics.published_sort,
 * written by the trigger of drizzle/20261204032629_newest_feed_order: keep the two formulas equal).
 */
export function publishedSortKey(publishedAt: AnyPgColumn | SQL, order: 'NEWEST' | 'OLDEST'): SQL<string> {
  return sql<string>`(coalesce(${utcMicrosecondText(sql`${publishedAt}`)}, ${order === 'NEWEST' ? '' : 'undated'}) collate "C")`;
}

export function searchRankSql(table: ArticleColumns, search: string): SQL<number> {
  return sql<number>`ts_rank_cd(${table.searchVector}, ${query(search)}, 32)::float8`;
}

/**
 * ts_headline marks the matches with these private-use characters, taken out of the text first,
 * so that no stored text can pass for a mark: the snippet is then escaped as HTML and only the
 * marks become tags (highlightedSnippet).
 */
const MATCH_START = '\uE000';
const MATCH_END = '\uE001';
const HEADLINE_OPTIONS = `MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter=" … ", StartSel="${MATCH_START}", StopSel="${MATCH_END}"`;

/**
 * The part of a body that a snippet is taken from: ts_headline parses and stems every word of its
 * text, about 0.5 ms for a 3,300-character body (the average top-10 hit), so it gets at most
 * SNIPPET_WINDOW characters, cut at spaces so that no partial word can pass for a match. That is
 * the lead (the start of the body) unless the first word of the body that starts with a search
 * word's stem (regexp_instr, PostgreSQL 15 or later) lies past its first SNIPPET_WINDOW -
 * SNIPPET_CONTEXT characters; then it is the window from SNIPPET_CONTEXT characters ahead of that
 * word. Where the window holds no match after all (a stem that is not the start of the word, as
 * 'flexibl' of "flexibility", finds nothing, so the window is the lead; or it finds another word,
 * as 'sponsor' in "sponsorship"), the snippet is the title and the first words of the window.
 * The ranking does not change: it is ts_rank_cd over the whole article. docs/decisions.md D16.
 */
const SNIPPET_WINDOW = 1000;
const SNIPPET_CONTEXT = 300;

function snippetBodySql(body: ArticleColumns['body'], search: string): SQL<string> {
  const window = sql.raw(String(SNIPPET_WINDOW));
  const context = sql.raw(String(SNIPPET_CONTEXT));
  const leadLimit = sql.raw(String(SNIPPET_WINDOW - SNIPPET_CONTEXT));
  // Each search word's stem, word characters only; a final "i" (as in 'economi' of "economy") dropped.
  const stems = sql`(select coalesce(array_agg(case when length(l) > 4 and l like '%i' then left(l, -1) else l end), '{}')
    from unnest(tsvector_to_array(to_tsvector('english', ${search}))) l where l ~ '^\\w+$')`;
  const firstMatch = sql`(select min(nullif(regexp_instr(${body}, '\\m' || s, 1, 1, 0, 'i'), 0)) from unnest(${stems}) s)`;
  // A regular expression's capture of the text, or the text where it does not match.
  const cut = (text: SQL, pattern: string) => sql`coalesce(substring(${text} from ${sql.raw(`'${pattern}'`)}), ${text})`;
  // "offset 0" keeps the planner from copying firstMatch into every use of f.
  return sql<string>`(case when length(${body}) <= ${window} then ${body} else (
    select case
      when f is null or f <= ${leadLimit} then ${cut(sql`left(${body}, ${window})`, '^(.*)\\s')}
      when f - ${context} + ${window} > length(${body}) then ${cut(sql`substr(${body}, f - ${context})`, '^\\S*\\s(.*)$')}
      else ${cut(sql`substr(${body}, f - ${context}, ${window})`, '^\\S*\\s(.*)\\s')}
    end from (select ${firstMatch} as f offset 0) located
  ) end)`;
}

/**
 * The best-matching passages of an article's title and the part of its body that snippetBodySql
 * picks, with the matches between MATCH_START and MATCH_END.
 */
export function searchSnippetSql(table: ArticleColumns, search: string): SQL<string> {
  return sql<string>`ts_headline('english', translate(${table.title} || '. ' || ${snippetBodySql(table.body, search)}, ${MATCH_START + MATCH_END}, ''),
    ${query(search)}, ${HEADLINE_OPTIONS})`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A snippet of searchSnippetSql as HTML: the text escaped, the matches in <b>…</b>. */
export function highlightedSnippet(snippet: string): string {
  return snippet
    .replace(/[&<>"']/g, (character) => HTML_ESCAPES[character])
    .replaceAll(MATCH_START, '<b>')
    .replaceAll(MATCH_END, '</b>');
}
