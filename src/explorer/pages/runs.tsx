/** `/runs`: each clustering run with its quality, how k was chosen and the time of each stage. */
import { KSelectionChart, TimingsChart } from '../charts';
import { count, formatDateTime } from '../format';
import { RUNS, type RunSummary, type RunsData, type Timings } from '../queries';
import { useQuery, useTitle } from '../use-query';
import { Failure, Loading } from './status';

const STAGES: (keyof Timings)[] = ['load', 'vectorise', 'reduce', 'cluster', 'label', 'relate', 'write'];

function runNumber(run: RunSummary): string {
  // The global id is base64 of "ClusteringRun:N"; its number is what the commands print.
  try {
    return atob(run.id).split(':')[1] ?? run.id;
  } catch {
    return run.id;
  }
}

function Run({ run }: { run: RunSummary }) {
  const number = runNumber(run);
  const stages = STAGES.flatMap((stage) => {
    const ms = run.timings?.[stage];
    return ms == null ? [] : [{ stage, ms }];
  });
  const total = stages.reduce((sum, entry) => sum + entry.ms, 0);
  return (
    <li class="panel run">
      <h2>
        Run {number} <span class={`run-status status-${run.status.toLowerCase()}`}>{run.status.toLowerCase()}</span>
        {run.isCurrent && <span class="badge">current</span>}
      </h2>
      <dl class="facts">
        <dt>Started</dt>
        <dd>{formatDateTime(run.startedAt)}</dd>
        <dt>Finished</dt>
        <dd>{formatDateTime(run.finishedAt)}</dd>
        <dt>Why</dt>
        <dd>{run.reason ?? '–'}</dd>
        <dt>Articles</dt>
        <dd>{run.articleCount ?? '–'}</dd>
        <dt>Topics</dt>
        <dd>
          {run.topicCount}{' '}
          {run.requestedK !== null
            ? `(k = ${run.requestedK} asked for)`
            : run.kSelection
              ? `(k chosen by ${run.kSelection.method})`
              : ''}
        </dd>
        <dt>Silhouette</dt>
        <dd>{run.quality?.silhouette == null ? '–' : run.quality.silhouette.toFixed(3)}</dd>
        <dt>Inertia</dt>
        <dd>{run.quality ? run.quality.inertia.toFixed(1) : '–'}</dd>
        <dt>Time</dt>
        <dd>{stages.length > 0 ? `${(total / 1000).toFixed(2)} s` : '–'}</dd>
      </dl>
      {run.error && <p class="error">Failed: {run.error}</p>}
      <div class="run-charts">
        {run.kSelection && (
          <figure>
            <figcaption>Score of each k tried (k = {run.kSelection.chosen} chosen)</figcaption>
            <KSelectionChart
              tried={run.kSelection.tried}
              chosen={run.kSelection.chosen}
              label={`Run ${number}: ${run.kSelection.tried.map((entry) => `k ${entry.k} scored ${entry.score.toFixed(3)}`).join(', ')}`}
            />
          </figure>
        )}
        {stages.length > 0 && (
          <figure>
            <figcaption>Milliseconds per stage</figcaption>
            <TimingsChart
              stages={stages}
              label={`Run ${number}: ${stages.map((entry) => `${entry.stage} ${Math.round(entry.ms)} ms`).join(', ')}`}
            />
          </figure>
        )}
      </div>
    </li>
  );
}

export function RunsPage() {
  useTitle('Clustering runs');
  const state = useQuery<RunsData>(RUNS);
  return (
    <>
      <h1 id="page-title">Clustering runs</h1>
      {state.status === 'loading' && <Loading what="runs" />}
      {state.status === 'error' && <Failure message={state.message} />}
      {state.status === 'done' && (
        <>
          <p class="lead">
            {count(state.data.clusteringRuns.totalCount, 'run')}, newest first
            {state.data.clusteringRuns.totalCount > state.data.clusteringRuns.nodes.length &&
              ` (the latest ${state.data.clusteringRuns.nodes.length} shown)`}
            .
          </p>
          <ol class="runs">
            {state.data.clusteringRuns.nodes.map((run) => (
              <Run key={run.id} run={run} />
            ))}
          </ol>
        </>
      )}
    </>
  );
}
