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

/** The best-matching passages of an article, with the matches between MATCH_START and MATCH_END. */
export function searchSnippetSql(table: ArticleColumns, search: string): SQL<string> {
  return sql<string>`ts_headline('english', translate(${table.title} || '. ' || ${table.body}, ${MATCH_START + MATCH_END}, ''),
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
