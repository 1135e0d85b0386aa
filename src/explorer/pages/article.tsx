/** `/articles/ID`: the article's text, its topics with scores and matched terms, and related articles. */
import { useRoute } from 'preact-iso';
import { articleHref, byline, formatScore, topicHref } from '../format';
import { ARTICLE, type ArticleDetail } from '../queries';
import { useQuery, useTitle } from '../use-query';
import { Failure, Loading } from './status';

/** A route parameter as written: preact-iso may hand it over still percent-encoded. */
function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function ArticleView({ article }: { article: ArticleDetail }) {
  const editorial = article.relatedArticles.filter((related) => related.kind === 'EDITORIAL');
  const similar = article.relatedArticles.filter((related) => related.kind === 'SIMILAR');
  const list = (items: ArticleDetail['relatedArticles']) => (
    <ul>
      {items.map((related) => (
        <li key={related.article.id}>
          <a href={articleHref(related.article.id)}>{related.article.title}</a>{' '}
          <span class="muted">
            {byline(related.article)}
            {related.score !== null && ` · similarity ${formatScore(related.score)}`}
          </span>
        </li>
      ))}
    </ul>
  );
  return (
    <div class="article-layout">
      <article aria-labelledby="page-title" class="panel">
        <h1 id="page-title">{article.title}</h1>
        <p class="meta">
          {byline(article)}
          {article.url && (
            <>
              {' · '}
              <a href={article.url} rel="noreferrer noopener">
                original
              </a>
            </>
          )}
        </p>
        {article.body.split(/\n\s*\n/).map((paragraph, i) => (
          <p key={i}>{paragraph}</p>
        ))}
      </article>
      <aside class="side" aria-label="About this article">
        <section aria-labelledby="topics-title" class="panel">
          <h2 id="topics-title">Topics</h2>
          {article.topics.length === 0 ? (
            <p class="muted">Not in any topic of the current run yet.</p>
          ) : (
            <ul>
              {article.topics.map((membership) => (
                <li key={membership.topic.id}>
                  <a href={topicHref(membership.topic.slug)}>{membership.topic.label}</a>{' '}
                  <span class="muted">
                    fit {formatScore(membership.score)}
                    {membership.weak ? ' (weak)' : ''}
                  </span>
                  {membership.matchedTerms.length > 0 && <p class="terms">Matched: {membership.matchedTerms.join(', ')}</p>}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="editorial-title" class="panel">
          <h2 id="editorial-title">Related by the editor</h2>
          {editorial.length === 0 ? <p class="muted">None.</p> : list(editorial)}
        </section>
        <section aria-labelledby="similar-title" class="panel">
          <h2 id="similar-title">Similar articles</h2>
          {similar.length === 0 ? <p class="muted">None.</p> : list(similar)}
        </section>
      </aside>
    </div>
  );
}

export function ArticlePage() {
  const { params } = useRoute();
  const id = decoded(params.id ?? '');
  const state = useQuery<{ article: ArticleDetail | null }>(ARTICLE, { id });
  useTitle(state.status === 'done' ? (state.data.article?.title ?? 'No such article') : 'Article');
  if (state.status === 'loading') return <Loading what="the article" />;
  if (state.status === 'error') return <Failure message={state.message} />;
  if (!state.data.article) {
    return (
      <>
        <h1 id="page-title">No such article</h1>
        <p>
          There is no article with this id. See the <a href="/">topics</a>.
        </p>
      </>
    );
  }
  return <ArticleView article={state.data.article} />;
}
