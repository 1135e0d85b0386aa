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
