import { clusteringRuns } from '../../db/schema.js';
import { builder } from '../builder.js';

const RunStatus = builder.enumType('ClusteringRunStatus', {
  description: 'Where a clustering run is.',
  values: {
    RUNNING: { value: 'running', description: 'Computing; its topics are not visible yet.' },
    SUCCEEDED: { value: 'succeeded', description: 'Finished; its topics became current.' },
    FAILED: { value: 'failed', description: 'Stopped by an error; see `error`.' },
  },
});

export const ClusteringRun = builder.drizzleNode('clusteringRuns', {
  // Load only the columns the selected fields ask for (not every body and search vector).
  select: { columns: { id: true } },
  name: 'ClusteringRun',
  description: 'One clustering of every stored article into topics.',
  id: { column: (run) => run.id },
  fields: (t) => ({
    status: t.expose('status', { type: RunStatus, description: 'Where the run is.' }),
    isCurrent: t.exposeBoolean('isCurrent', { description: 'True for the run whose topics readers see.' }),
    requestedK: t.exposeInt('requestedK', { nullable: true, description: 'The k asked for; null when chosen from the data.' }),
    k: t.exposeInt('k', { nullable: true, description: 'Number of topics found.' }),
    seed: t.exposeInt('seed', { description: 'Seed of every random choice; the same seed and articles give the same topics.' }),
    articleCount: t.exposeInt('articleCount', { nullable: true, description: 'Articles clustered.' }),
    parameters: t.expose('parameters', { type: 'JSON', nullable: true, description: 'Every parameter of the pipeline.' }),
    kSelection: t.expose('kSelection', { type: 'JSON', nullable: true, description: 'How k was chosen: the score of each k tried.' }),
    quality: t.expose('quality', { type: 'JSON', nullable: true, description: 'Quality figures (inertia, silhouette).' }),
    timings: t.expose('timings', { type: 'JSON', nullable: true, description: 'Milliseconds spent in each stage.' }),
    error: t.exposeString('error', { nullable: true, description: 'Why the run failed.' }),
    topicCount: t.relatedCount('topics', { description: 'Number of topics the run found (0 until it succeeds).' }),
    topics: t.relatedConnection('topics', {
      description: 'The run’s topics, largest first (kept for the current run and the one before it).',
      query: { orderBy: { size: 'desc' } },
      totalCount: true,
    }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When the run was requested.' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true, description: 'When it succeeded or failed.' }),
  }),
});

builder.queryFields((t) => ({
  clusteringRun: t.drizzleField({
    type: ClusteringRun,
    nullable: true,
    description: 'One clustering run by its id.',
    args: { id: t.arg.globalID({ required: true, for: [ClusteringRun], description: 'The run’s id.' }) },
    resolve: (query, _root, args, ctx) =>
      ctx.db.query.clusteringRuns.findFirst(query({ where: { id: Number(args.id.id) } })),
  }),
  clusteringRuns: t.drizzleConnection({
    type: 'clusteringRuns',
    description: 'Every clustering run, newest first.',
    totalCount: (_root, _args, ctx) => ctx.db.$count(clusteringRuns),
    resolve: (query, _root, _args, ctx) => ctx.db.query.clusteringRuns.findMany(query({ orderBy: { id: 'desc' } })),
  }),
  currentClusteringRun: t.drizzleField({
    type: ClusteringRun,
    nullable: true,
    description: 'The run whose topics readers see; null before the first run.',
    resolve: (query, _root, _args, ctx) => ctx.db.query.clusteringRuns.findFirst(query({ where: { isCurrent: true } })),
  }),
}));
