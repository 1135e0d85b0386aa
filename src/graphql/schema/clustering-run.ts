import { drizzleConnectionHelpers } from '@pothos/plugin-drizzle';
import { sql } from 'drizzle-orm';
import { topicMapCoordinates } from '../../clustering/topic-map.js';
import { clusteringRuns } from '../../db/schema.js';
import { float32FromBase64 } from '../../jobs/run-model.js';
import { builder } from '../builder.js';
import type { CursorKeys } from '../cursors.js';
import { databaseId } from '../ids.js';
import {
  ClusteringQuality,
  ClusteringRunParameters,
  ClusteringTimings,
  KSelection,
  type StoredParameters,
} from './clustering-run-record.js';
import { Topic } from './topic.js';

const RunStatus = builder.enumType('ClusteringRunStatus', {
  description: 'Where a clustering run is.',
  values: {
    RUNNING: { value: 'running', description: 'Computing; its topics are not visible yet.' },
    SUCCEEDED: { value: 'succeeded', description: 'Finished; its topics became current.' },
    FAILED: { value: 'failed', description: 'Stopped by an error; see `error`.' },
  },
});

/** A run's topics: the versions it found, largest first, as the topics they are. */
const runTopics = drizzleConnectionHelpers(builder, 'topicChanges', {
  // Read through the run's `versions` relation, which holds only the topics it found.
  query: { orderBy: { size: 'desc', topicId: 'asc' } },
  select: (nestedSelection) => ({ with: { topic: nestedSelection() } }),
  resolveNode: (version) => version.topic,
});

export const ClusteringRun = builder.drizzleNode('clusteringRuns', {
  // Load only the columns the selected fields ask for.
  select: { columns: { id: true } },
  name: 'ClusteringRun',
  description: 'One clustering of the stored articles (or of those of a window) into topics.',
  id: { column: (run) => run.id },
  fields: (t) => ({
    status: t.expose('status', { type: RunStatus, description: 'Where the run is.' }),
    isCurrent: t.exposeBoolean('isCurrent', { description: 'True for the run whose topics readers see.' }),
    reason: t.exposeString('reason', {
      nullable: true,
      description: 'Why it ran: an operator’s request, a command, or the rule of the automatic policy that made it due.',
    }),
    windowStart: t.expose('windowStart', {
      type: 'DateTime',
      nullable: true,
      description:
        'With a clustering window, its start: only articles of that period were clustered, older ones kept their topic.',
    }),
    requestedK: t.exposeInt('requestedK', { nullable: true, description: 'The k asked for; null when chosen from the data.' }),
    k: t.exposeInt('k', { nullable: true, description: 'Number of topics found.' }),
    seed: t.exposeInt('seed', { description: 'Seed of every random choice; the same seed and articles give the same topics.' }),
    articleCount: t.exposeInt('articleCount', { nullable: true, description: 'Articles clustered.' }),
    parameters: t.field({
      type: ClusteringRunParameters,
      nullable: true,
      description: 'Every parameter of the pipeline; null until the run succeeds.',
      select: { columns: { parameters: true } },
      // The object clusterCorpus recorded (the column's type says only its values' types).
      resolve: (run) => run.parameters as StoredParameters | null,
    }),
    kSelection: t.expose('kSelection', {
      type: KSelection,
      nullable: true,
      description: 'How k was chosen: the score of each k tried; null when k was given (or until the run succeeds).',
    }),
    quality: t.expose('quality', {
      type: ClusteringQuality,
      nullable: true,
      description: 'Quality figures; null until the run succeeds.',
    }),
    timings: t.expose('timings', {
      type: ClusteringTimings,
      nullable: true,
      description: 'Milliseconds spent in each stage; null until the run succeeds.',
    }),
    error: t.exposeString('error', { nullable: true, description: 'Why the run failed.' }),
    topicCount: t.relatedCount('versions', { description: 'Number of topics the run found (0 until it succeeds).' }),
    changes: t.relation('changes', {
      description:
        'What the run did to each topic: the topics it found (BORN, CONTINUED, MERGED, SPLIT), largest first, then those that ended in it ' +
        '(RETIRED, or MERGED into another).',
      query: { orderBy: { found: 'desc', size: 'desc', topicId: 'asc' } },
    }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When the run was requested.' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true, description: 'When it succeeded or failed.' }),
    supersededAt: t.expose('supersededAt', { type: 'DateTime', nullable: true, description: 'When a later run became current.' }),
  }),
});

builder.drizzleObjectField(ClusteringRun, 'topics', (t) =>
  t.connection(
    {
      type: Topic,
      description:
        'The topics the run found, largest (in that run) first. Each is the topic as it is now; its `history` has the run’s version.',
      // size, topic, run: the order and the primary key that breaks its ties.
      extensions: { cursorKeys: ['int', 'int', 'int'] satisfies CursorKeys },
      select: (args, ctx, nestedSelection) => ({
        columns: { k: true },
        with: { versions: runTopics.getQuery(args, ctx, nestedSelection) },
      }),
      resolve: (run, args, ctx) => ({ ...runTopics.resolve(run.versions, args, ctx), totalCount: run.k ?? 0 }),
    },
    {
      fields: (connection) => ({
        totalCount: connection.int({
          description: 'Number of topics the run found.',
          resolve: (result) => (result as unknown as { totalCount: number }).totalCount,
        }),
      }),
    },
  ),
);

interface TopicMapPoint {
  topic: typeof Topic.$inferType;
  size: number;
  x: number;
  y: number;
}

const TopicMapPointRef = builder.objectRef<TopicMapPoint>('TopicMapPoint').implement({
  description: 'Where a topic lies on the map of its run’s topics.',
  fields: (t) => ({
    // The topic row was loaded by the field's own selection (`topicMap` below).
    topic: t.field({ type: Topic, description: 'The topic.', resolve: (point) => point.topic }),
    size: t.exposeInt('size', { description: 'Its articles in the run.' }),
    x: t.exposeFloat('x', { description: 'First coordinate: along the direction in which the topics differ most.' }),
    y: t.exposeFloat('y', { description: 'Second coordinate: along the next such direction, at right angles to the first.' }),
  }),
});

builder.drizzleObjectField(ClusteringRun, 'topicMap', (t) =>
  t.field({
    type: [TopicMapPointRef],
    description:
      'The run’s topics on a plane, largest first: the first two principal components of their centres (as directions), so ' +
      'topics whose articles read alike lie close; the distances are those the related-topic scores measure. Empty until the run ' +
      'succeeds; the same run always gives the same map.',
    select: (_args, _ctx, nestedSelection) => ({
      with: {
        versions: {
          columns: { topicId: true, size: true },
          extras: { centroid: (table) => sql<string | null>`encode(${table.centroid}, 'base64')` },
          orderBy: { size: 'desc', topicId: 'asc' },
          with: { topic: nestedSelection(true, ['topic']) },
        },
      },
    }),
    resolve: (run) => {
      const versions = run.versions.filter((version) => version.centroid !== null);
      if (versions.length === 0) return [];
      const centres = versions.map((version) => float32FromBase64(version.centroid!));
      const dimensions = centres[0].length;
      const values = new Float32Array(versions.length * dimensions);
      centres.forEach((centre, i) => values.set(centre, i * dimensions));
      const { x, y } = topicMapCoordinates(values, versions.length, dimensions);
      return versions.map((version, i) => ({ topic: version.topic, size: version.size, x: x[i], y: y[i] }));
    },
  }),
);

builder.queryFields((t) => ({
  clusteringRun: t.drizzleField({
    type: ClusteringRun,
    nullable: true,
    description: 'One clustering run by its id.',
    args: { id: t.arg.globalID({ required: true, for: [ClusteringRun], description: 'The run’s id.' }) },
    resolve: (query, _root, args, ctx) =>
      ctx.db.query.clusteringRuns.findFirst(query({ where: { id: databaseId(args.id, 'ClusteringRun', 'id') } })),
  }),
  clusteringRuns: t.drizzleConnection({
    type: 'clusteringRuns',
    description: 'Every clustering run, newest first.',
    extensions: { cursorKeys: ['int'] satisfies CursorKeys },
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
