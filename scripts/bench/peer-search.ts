/**
 * The search function the PostGraphile peer exposes. It is created by the benchmark in its own
 * database only, in a schema of its own, and is never part of the product's migrations.
 */

/** Schema holding the peer's search function; never part of the product's migrations. */
export const PEER_SCHEMA = 'bench_peer';

/**
 * The same full-text match, rank and headline as the product's `articles(filter: { search })`,
 * as a function PostGraphile exposes as `searchArticles(q, maxResults)`. The limit sits inside
 * the function so that ts_headline runs on the returned rows only, as in the product.
 */
export const peerSearchFunctionSql = `
create schema if not exists ${PEER_SCHEMA};
create type ${PEER_SCHEMA}.search_hit as (article_id int, title text, snippet text, rank float8);
create function ${PEER_SCHEMA}.search_articles(q text, max_results int) returns setof ${PEER_SCHEMA}.search_hit
language sql stable as $$
  select a.id, a.title,
    ts_headline('english', a.title || '. ' || a.body, websearch_to_tsquery('english', q),
      'MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter=" … "'),
    ts_rank_cd(a.search_vector, websearch_to_tsquery('english', q), 32)::float8 as rank
  from public.articles a
  where a.search_vector @@ websearch_to_tsquery('english', q)
  order by rank desc, a.id desc
  limit max_results
$$;
`;

/**
 * What PostGraphile needs to page a feed in our NEWEST order: a sortable computed column on
 * article_topics (`publishedSort`, ordered by PUBLISHED_SORT_DESC), the article's publication
 * time with undated articles as -infinity, so that they come last in descending order; the
 * article id (ARTICLE_ID_DESC) breaks ties, as ours does. PostGraphile takes computed columns
 * only from the table's own schema, so this one is in public, in the benchmark's database only.
 * The smart comment is V5's `@behavior +orderBy`: the Amber preset does not read V4's `@sortable`.
 */
export const peerFeedOrderSql = `
create function public.article_topics_published_sort(membership public.article_topics) returns timestamptz
language sql stable as $$
  select coalesce(a.published_at, '-infinity'::timestamptz) from public.articles a where a.id = membership.article_id
$$;
comment on function public.article_topics_published_sort(public.article_topics) is E'@behavior +orderBy';
`;
