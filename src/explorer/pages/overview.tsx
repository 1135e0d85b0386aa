/** `/`: every topic of the current run with its size, trend and timeline, and the map of topics. */

import { useMemo } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { type MapTopic, Sparkline, TopicMapChart } from '../charts';
import { count, describeTrend, formatDateTime, topicHref } from '../format';
import { OVERVIEW, type OverviewData } from '../queries';
import { useQuery, useTitle } from '../use-query';
import { Failure, Loading } from './status';

function TopicMap({ data }: { data: OverviewData }) {
  const { route } = useLocation();
  const topics: MapTopic[] = useMemo(
    () =>
      data.topics.nodes.map((topic) => ({
        id: topic.id,
        label: topic.label,
        size: topic.size,
        related: topic.relatedTopics.map((related) => ({ id: related.topic.id, score: related.score })),
      })),
    [data],
  );
  const points = data.currentClusteringRun?.topicMap ?? [];
  const slugs = new Map(data.topics.nodes.map((topic) => [topic.id, topic.slug]));
  return (
    <section aria-labelledby="map-title" class="panel">
      <h2 id="map-title">Map of topics</h2>
      <p class="muted">
        Closer topics are more alike (the two main directions in which the topics’ centres differ); a bubble’s size is its number
        of articles, a line joins related topics. Click a bubble to open it.
      </p>
      <TopicMapChart
        topics={topics}
        points={points}
        label={`Map of ${topics.length} topics; the list below has the same topics as links.`}
        onOpen={(id) => route(topicHref(slugs.get(id) ?? ''))}
      />
    </section>
  );
}

export function Overview() {
  useTitle('');
  const state = useQuery<OverviewData>(OVERVIEW);
  return (
    <>
      <h1 id="page-title">Topics</h1>
      {state.status === 'loading' && <Loading what="topics" />}
      {state.status === 'error' && <Failure message={state.message} />}
      {state.status === 'done' && (
        <>
          <p class="lead">
            {count(state.data.topics.totalCount, 'topic')}
            {state.data.currentClusteringRun &&
              ` from ${count(state.data.currentClusteringRun.articleCount ?? 0, 'article')}, clustered ${formatDateTime(
                state.data.currentClusteringRun.finishedAt,
              )}`}
            .
          </p>
          {state.data.topics.nodes.length === 0 ? (
            <p>No topics yet: the first clustering run has not finished.</p>
          ) : (
            <div class="overview">
              <section aria-labelledby="list-title" class="panel">
                <h2 id="list-title">All topics, largest first</h2>
                <ul class="topic-list">
                  {state.data.topics.nodes.map((topic) => {
                    const trend = describeTrend(topic.trend);
                    return (
                      <li key={topic.id} class="topic-card">
                        <h3>
                          <a href={topicHref(topic.slug)}>{topic.label}</a>
                        </h3>
                        <p class="figures">
                          <span>{count(topic.size, 'article')}</span>
                          <span>
                            <span aria-hidden="true">{trend.symbol}</span> {trend.text}
                          </span>
                        </p>
                        <Sparkline timeline={topic.timeline} label={`Articles per day in ${topic.label}`} />
                      </li>
                    );
                  })}
                </ul>
              </section>
              <TopicMap data={state.data} />
            </div>
          )}
        </>
      )}
    </>
  );
}
