/**
 * `/topics/SLUG`: the topic's feed (best fit or newest first, the next page loaded as the reader
 * scrolls to its end, new articles arriving live), its keywords, related topics, timeline and its
 * history across clustering runs.
 */

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { ApiError, query, subscribe } from '../api';
import { TimelineChart } from '../charts';
import { articleHref, byline, describeTrend, formatDateTime, formatScore, formatShare, topicHref } from '../format';
import {
  ARTICLE_ADDED,
  type ArticleAddedData,
  type ArticleSummary,
  FEED,
  type FeedData,
  type FeedEdge,
  type FeedOrder,
  TOPIC,
  type TopicDetail,
  type TopicShare,
} from '../queries';
import { useQuery, useTitle } from '../use-query';
import { Failure, Loading } from './status';

const KIND_TEXT = { BORN: 'born', CONTINUED: 'continued', MERGED: 'merged', SPLIT: 'split', RETIRED: 'retired' };

function Shares({ shares, prefix }: { shares: TopicShare[]; prefix: string }) {
  if (shares.length === 0) return null;
  return (
    <span>
      {prefix}{' '}
      {shares.map((share, i) => (
        <span key={share.topic.id}>
          {i > 0 && ', '}
          <a href={topicHref(share.topic.slug)}>{share.topic.label}</a> ({formatShare(share.share)})
        </span>
      ))}
    </span>
  );
}

function History({ topic }: { topic: TopicDetail }) {
  return (
    <section aria-labelledby="history-title" class="panel">
      <h2 id="history-title">History across runs</h2>
      <ol class="history">
        {topic.history.nodes.map((change) => (
          <li key={change.run.id}>
            <strong class={`kind kind-${change.kind.toLowerCase()}`}>{KIND_TEXT[change.kind]}</strong>{' '}
            {change.ended ? '(ended) ' : ''}
            <span class="muted">{formatDateTime(change.run.finishedAt)}</span>: “{change.label}”, {change.size} articles.{' '}
            <Shares shares={change.from} prefix="From" /> <Shares shares={change.to} prefix="To" />
          </li>
        ))}
      </ol>
    </section>
  );
}

interface LiveArticle {
  score: number;
  article: ArticleSummary;
}

function ArticleItem({ article, score, weak, live }: { article: ArticleSummary; score: number; weak?: boolean; live?: boolean }) {
  return (
    <li class={`article-item${live ? ' live' : ''}`}>
      <h3>
        <a href={articleHref(article.id)}>{article.title}</a>
        {live && <span class="badge">new</span>}
      </h3>
      <p class="meta">
        {byline(article)} · fit {formatScore(score)}
        {weak ? ' (weak)' : ''}
      </p>
      <p>{article.excerpt}</p>
    </li>
  );
}

function Feed({ topicId, label }: { topicId: string; label: string }) {
  const [order, setOrder] = useState<FeedOrder>('RELEVANCE');
  const [edges, setEdges] = useState<FeedEdge[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState<LiveArticle[]>([]);
  const sentinel = useRef<HTMLDivElement>(null);
  const request = useRef(0);

  const load = useCallback(
    async (after: string | null) => {
      const id = ++request.current;
      setLoading(true);
      setError(null);
      try {
        const data = await query<FeedData>(FEED, { id: topicId, order, after });
        if (id !== request.current) return;
        const page = data.topic?.articles;
        if (!page) throw new ApiError('The topic no longer exists.');
        setEdges((before) => (after === null ? page.edges : [...before, ...page.edges]));
        setTotal(page.totalCount);
        setNext(page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null);
      } catch (failure) {
        if (id === request.current) setError((failure as Error).message);
      } finally {
        if (id === request.current) setLoading(false);
      }
    },
    [topicId, order],
  );

  useEffect(() => {
    setEdges([]);
    setNext(undefined);
    void load(null);
  }, [load]);

  // The next page when the end of the list comes into view.
  useEffect(() => {
    const target = sentinel.current;
    if (!target || next == null || loading) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) void load(next);
    });
    observer.observe(target);
    return () => observer.disconnect();
  }, [next, loading, load]);

  useEffect(() => {
    setLive([]);
    return subscribe<ArticleAddedData>(ARTICLE_ADDED, { topicId }, ({ articleAdded }) =>
      setLive((before) => [{ score: articleAdded.score, article: articleAdded.article }, ...before]),
    );
  }, [topicId]);

  const shown = new Set(edges.map((edge) => edge.node.id));
  const fresh = live.filter((item) => !shown.has(item.article.id));
  return (
    <section aria-labelledby="feed-title" class="panel feed">
      <div class="feed-head">
        <h2 id="feed-title">Articles</h2>
        <fieldset class="order">
          <legend>Order</legend>
          {(['RELEVANCE', 'NEWEST'] as const).map((value) => (
            <label key={value}>
              <input type="radio" name="order" value={value} checked={order === value} onChange={() => setOrder(value)} />
              {value === 'RELEVANCE' ? 'Best fit' : 'Newest'}
            </label>
          ))}
        </fieldset>
      </div>
      <p class="muted" aria-live="polite">
        {total === null ? '' : `${total + fresh.length} articles in ${label}; showing ${edges.length + fresh.length}.`}
        {fresh.length > 0 && ` ${fresh.length} new since you opened the page.`}
      </p>
      <ul class="article-list" aria-label={`Articles in ${label}`}>
        {fresh.map((item) => (
          <ArticleItem key={`live-${item.article.id}`} article={item.article} score={item.score} live />
        ))}
        {edges.map((edge) => (
          <ArticleItem key={edge.cursor} article={edge.node} score={edge.score} weak={edge.weak} />
        ))}
      </ul>
      {error && <Failure message={error} />}
      {loading && <Loading what="articles" />}
      <div ref={sentinel} class="sentinel" />
      {next != null && !loading && (
        <button type="button" onClick={() => void load(next)}>
          More articles
        </button>
      )}
    </section>
  );
}

function TopicView({ topic }: { topic: TopicDetail }) {
  const trend = describeTrend(topic.trend);
  return (
    <>
      <h1 id="page-title">{topic.label}</h1>
      <p class="lead">
        {topic.size} articles · {trend.text} · born {formatDateTime(topic.bornAt)}
        {topic.status === 'RETIRED' && ` · retired ${formatDateTime(topic.retiredAt)}`}
      </p>
      {topic.successors.length > 0 && (
        <p>
          <Shares shares={topic.successors} prefix="Its articles went to" />
        </p>
      )}
      <div class="topic-layout">
        <Feed topicId={topic.id} label={topic.label} />
        <aside class="side" aria-label="About this topic">
          <section aria-labelledby="keywords-title" class="panel">
            <h2 id="keywords-title">Keywords</h2>
            <ul class="keywords">
              {topic.keywords.map((keyword) => (
                <li key={keyword.term}>
                  {keyword.term} <span class="muted">{keyword.weight.toFixed(2)}</span>
                </li>
              ))}
            </ul>
          </section>
          <section aria-labelledby="related-title" class="panel">
            <h2 id="related-title">Related topics</h2>
            {topic.relatedTopics.length === 0 ? (
              <p class="muted">None.</p>
            ) : (
              <ul>
                {topic.relatedTopics.map((related) => (
                  <li key={related.topic.id}>
                    <a href={topicHref(related.topic.slug)}>{related.topic.label}</a>{' '}
                    <span class="muted">{formatScore(related.score)}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="timeline-title" class="panel">
            <h2 id="timeline-title">Articles per day</h2>
            {topic.timeline.length === 0 ? (
              <p class="muted">None of its articles has a date.</p>
            ) : (
              <TimelineChart
                timeline={topic.timeline}
                label={`Articles per day in ${topic.label}, ${topic.timeline[0].start.slice(0, 10)} to ${topic.timeline[
                  topic.timeline.length - 1
                ].start.slice(0, 10)}`}
              />
            )}
          </section>
          <History topic={topic} />
        </aside>
      </div>
    </>
  );
}

export function TopicPage() {
  const { params } = useRoute();
  const slug = params.slug ?? '';
  const state = useQuery<{ topic: TopicDetail | null }>(TOPIC, { slug });
  useTitle(state.status === 'done' ? (state.data.topic?.label ?? 'No such topic') : 'Topic');
  if (state.status === 'loading') return <Loading what="the topic" />;
  if (state.status === 'error') return <Failure message={state.message} />;
  if (!state.data.topic) {
    return (
      <>
        <h1 id="page-title">No such topic</h1>
        <p>
          No topic has the slug “{slug}”. See the <a href="/">topics</a>.
        </p>
      </>
    );
  }
  return <TopicView topic={state.data.topic} />;
}
