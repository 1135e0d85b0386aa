/** `/search?q=…`: ranked results with their highlighted snippets. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { query } from '../api';
import { articleHref, byline, topicHref } from '../format';
import { SEARCH, type SearchData, type SearchEdge } from '../queries';
import { useQuery, useTitle } from '../use-query';
import { Failure, Loading } from './status';

/**
 * A snippet as elements. The API sends it as HTML whose only tags are `<b>` around the matches
 * (the text escaped); it is parsed rather than set as HTML, and only its text and those marks
 * are kept, so nothing else of it could ever run or show.
 */
export function Snippet({ html }: { html: string }) {
  const body = new DOMParser().parseFromString(html, 'text/html').body;
  const parts: ComponentChildren[] = [];
  body.childNodes.forEach((node, i) => {
    if (node.nodeName === 'B') parts.push(<mark key={i}>{node.textContent}</mark>);
    else parts.push(node.textContent);
  });
  return <p class="snippet">{parts}</p>;
}

function Result({ edge }: { edge: SearchEdge }) {
  return (
    <li class="article-item">
      <h3>
        <a href={articleHref(edge.node.id)}>{edge.node.title}</a>
      </h3>
      <p class="meta">
        {byline(edge.node)}
        {edge.node.primaryTopic && (
          <>
            {' · '}
            <a href={topicHref(edge.node.primaryTopic.slug)}>{edge.node.primaryTopic.label}</a>
          </>
        )}
      </p>
      {edge.snippet && <Snippet html={edge.snippet} />}
    </li>
  );
}

function Results({ search }: { search: string }) {
  const state = useQuery<SearchData>(SEARCH, { search });
  const [more, setMore] = useState<{ edges: SearchEdge[]; next: string | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (state.status === 'loading') return <Loading what="results" />;
  if (state.status === 'error') return <Failure message={state.message} />;
  const page = state.data.articles;
  const edges = [...page.edges, ...(more?.edges ?? [])];
  const next = more ? more.next : page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  return (
    <>
      <p class="lead" role="status">
        {page.totalCount === 0
          ? `Nothing matches “${search}”.`
          : `${page.totalCount} articles match “${search}”, best match first.`}
      </p>
      <ol class="article-list results">
        {edges.map((edge) => (
          <Result key={edge.cursor} edge={edge} />
        ))}
      </ol>
      {error && <Failure message={error} />}
      {next && (
        <button
          type="button"
          onClick={() =>
            query<SearchData>(SEARCH, { search, after: next }).then(
              (data) =>
                setMore({
                  edges: [...(more?.edges ?? []), ...data.articles.edges],
                  next: data.articles.pageInfo.hasNextPage ? data.articles.pageInfo.endCursor : null,
                }),
              (failure: Error) => setError(failure.message),
            )
          }
        >
          More results
        </button>
      )}
    </>
  );
}

export function SearchPage() {
  const { query: params } = useRoute();
  const search = (params.q ?? '').trim();
  useTitle(search ? `Search: ${search}` : 'Search');
  return (
    <>
      <h1 id="page-title">Search</h1>
      {search ? (
        // A new search is a new list: its pages and errors start afresh.
        <Results key={search} search={search} />
      ) : (
        <p>
          Type words in the search box above: <code>"quoted phrases"</code>, <code>-excluded</code> and <code>or</code> work as in
          a web search.
        </p>
      )}
    </>
  );
}
