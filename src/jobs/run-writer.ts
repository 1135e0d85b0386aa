/**
 * Writes a computed clustering run in the transaction that makes it current: the topics it
 * carries on or creates (by its lineage), their changes and shares, memberships, similarities,
 * topic relations and the model; then it retires the topics that ended, prunes old runs, records
 * the run's success, places the articles stored while it computed, and tells every server.
 */
import { and, asc, eq, gt, inArray, isNotNull, isNull, lt, notInArray, or, sql } from 'drizzle-orm';
import type { TopicChangeKind } from '../clustering/lineage.js';
import type { ClusteringResult, ClusteringStage, ProgressListener, TopicResult } from '../clustering/types.js';
import { bulkInsert, chunks } from '../db/bulk.js';
import { notifyChange } from '../db/change-notices.js';
import { allowLongStatements, type Database, type Transaction } from '../db/client.js';
import { findCurrentRun, lockCurrentRun, makeRunCurrent } from '../db/current-run.js';
import {
  articleSimilarities,
  articleTopics,
  clusteringRuns,
  runModels,
  topicChanges,
  topicRelations,
  topicShares,
  topics,
} from '../db/schema.js';
import { placeArticlesNewToRun, rememberModel } from './assign.js';
import type { PreviousRun } from './run-input.js';
import { float32Bytes, saveModel } from './run-model.js';
import { countTopicSizes } from './topic-sizes.js';

const WRITE_BATCH = 20_000;
/** Superseded runs whose memberships are kept, so feed cursors taken in them still page on. */
const KEPT_PREVIOUS_RUNS = 1;
/** Runs superseded less than this long ago keep their memberships too, however many there were. */
export const SNAPSHOT_RETENTION_MS = 60 * 60 * 1000;

export type StageTimings = Partial<Record<ClusteringStage, number>>;

export interface RunToWrite {
  runId: number;
  /** Database ids of the clustered articles, in the clustering's input order. */
  articleIds: number[];
  result: ClusteringResult;
  /**
   * The run that was current when this one loaded its articles (null: none): the result's lineage
   * refers to its topics.
   */
  previous: PreviousRun | null;
  /** With a clustering window, its start: older articles keep their topic. */
  windowStart: string | null;
  /** Of the stages before the write, which adds its own. */
  timings: StageTimings;
}

export interface WrittenChange {
  topicId: number;
  kind: TopicChangeKind;
  label: string;
  size: number;
}

export interface WrittenRun {
  /** The persistent topic id of each cluster of the result. */
  topicIdOfCluster: number[];
  changes: WrittenChange[];
  /** Articles older than the run's window that kept their topic. */
  carried: number;
  /** Articles stored while the run computed, placed with its model as it became current. */
  placed: number;
  /** The run's timings, the write's included. */
  timings: StageTimings;
}

export function slugify(label: string): string {
  return (
    label
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'topic'
  );
}

/** Slugs for new topics, unique among every topic that ever existed (a slug is never reused). */
async function newSlugs(tx: Transaction, labels: string[]): Promise<string[]> {
  if (labels.length === 0) return [];
  const bases = labels.map(slugify);
  // Slugs hold only [a-z0-9-], so no LIKE wildcard can hide in a base.
  const taken = await tx
    .select({ slug: topics.slug })
    .from(topics)
    .where(sql`${topics.slug} like any(${`{${bases.map((base) => `${base}%`).join(',')}}`}::text[])`);
  const used = new Set(taken.map((row) => row.slug));
  return bases.map((base) => {
    let slug = base;
    for (let n = 2; used.has(slug); n++) slug = `${base}-${n}`;
    used.add(slug);
    return slug;
  });
}

const kindValue = (kind: TopicChangeKind) => kind.toLowerCase() as Lowercase<TopicChangeKind>;

/** The topics of a run: persistent ids by lineage, new ones (with their slugs) for the rest. */
async function identifyTopics(tx: Transaction, run: RunToWrite): Promise<{ ids: number[]; kinds: TopicChangeKind[] }> {
  const { result, previous, runId } = run;
  const lineage = result.lineage;
  const kinds: TopicChangeKind[] = result.topics.map((_, cluster) => lineage?.clusters[cluster].kind ?? 'BORN');
  const inherited = result.topics.map((_, cluster) => {
    const heir = lineage?.clusters[cluster].inherits;
    return heir === null || heir === undefined || previous === null ? null : previous.topicIds[heir];
  });
  const sizeOf = (topic: TopicResult) => topic.members.length;
  const fresh = result.topics.flatMap((topic, cluster) => (inherited[cluster] === null ? [{ topic, cluster }] : []));
  const slugs = await newSlugs(
    tx,
    fresh.map(({ topic }) => topic.label),
  );
  const created =
    fresh.length === 0
      ? []
      : await tx
          .insert(topics)
          .values(
            fresh.map(({ topic }, i) => ({
              slug: slugs[i],
              label: topic.label,
              keywords: topic.keywords,
              size: sizeOf(topic),
              bornRunId: runId,
              latestRunId: runId,
            })),
          )
          .returning({ id: topics.id });
  const ids = inherited.slice() as (number | null)[];
  fresh.forEach(({ cluster }, i) => (ids[cluster] = created[i].id));
  for (const [cluster, topic] of result.topics.entries()) {
    if (inherited[cluster] === null) continue;
    await tx
      .update(topics)
      .set({
        label: topic.label,
        keywords: topic.keywords,
        size: sizeOf(topic),
        latestRunId: runId,
        retiredRunId: null,
        retiredAt: null,
      })
      .where(eq(topics.id, inherited[cluster]));
  }
  return { ids: ids as number[], kinds };
}

/** Records the changes and shares of the run, and retires the previous topics that ended in it. */
async function recordLineage(tx: Transaction, run: RunToWrite, ids: number[], kinds: TopicChangeKind[]): Promise<void> {
  const { result, previous, runId } = run;
  const { dimensions } = result.model;
  const found = result.topics.map((topic, cluster) => ({
    runId,
    topicId: ids[cluster],
    kind: kindValue(kinds[cluster]),
    found: true,
    position: cluster,
    label: topic.label,
    keywords: topic.keywords,
    size: topic.members.length,
    centroid: float32Bytes(result.model.centroids.subarray(cluster * dimensions, (cluster + 1) * dimensions)),
  }));
  const ended = previous === null || result.lineage === null ? [] : result.lineage.ended;
  const endedIds = ended.map((topic) => previous!.topicIds[topic.previous]);
  const endedRows =
    endedIds.length === 0
      ? []
      : await tx
          .update(topics)
          .set({ retiredRunId: runId, retiredAt: sql`now()`, size: 0 })
          .where(inArray(topics.id, endedIds))
          .returning({ id: topics.id, label: topics.label, keywords: topics.keywords });
  const endedById = new Map(endedRows.map((row) => [row.id, row]));
  const endings = ended.map((topic, i) => {
    const last = endedById.get(endedIds[i]);
    return {
      runId,
      topicId: endedIds[i],
      kind: kindValue(topic.kind),
      found: false,
      position: null,
      label: last?.label ?? '',
      keywords: last?.keywords ?? [],
      size: 0,
      centroid: null,
    };
  });
  if (found.length + endings.length > 0) await tx.insert(topicChanges).values([...found, ...endings]);

  const overlaps = previous === null ? [] : (result.lineage?.overlaps ?? []);
  if (overlaps.length > 0) {
    await tx.insert(topicShares).values(
      overlaps.map((overlap) => ({
        runId,
        fromTopicId: previous!.topicIds[overlap.previous],
        toTopicId: ids[overlap.next],
        articles: overlap.articles,
        share: overlap.share,
      })),
    );
  }
}

async function writeMemberships(tx: Transaction, run: RunToWrite, ids: number[], onProgress?: ProgressListener): Promise<void> {
  const { runId, articleIds, result } = run;
  const { memberships, relatedDocuments } = result;
  const total = memberships.length * 2;
  for (const [start, end] of chunks(memberships.length, WRITE_BATCH)) {
    const slice = memberships.slice(start, end);
    await tx.execute(
      bulkInsert(articleTopics, [
        { name: 'run_id', type: 'int', values: slice.map(() => runId) },
        { name: 'article_id', type: 'int', values: articleIds.slice(start, end) },
        { name: 'topic_id', type: 'int', values: slice.map((membership) => ids[membership.topic]) },
        { name: 'score', type: 'real', values: slice.map((membership) => membership.score) },
        { name: 'weak', type: 'boolean', values: slice.map((membership) => membership.weak) },
      ]),
    );
    onProgress?.('write', end, total);
  }

  const from: number[] = [];
  const to: number[] = [];
  const scores: number[] = [];
  const flushSimilarities = async () => {
    if (from.length === 0) return;
    await tx.execute(
      bulkInsert(articleSimilarities, [
        { name: 'run_id', type: 'int', values: from.map(() => runId) },
        { name: 'article_id', type: 'int', values: from },
        { name: 'similar_article_id', type: 'int', values: to },
        { name: 'score', type: 'real', values: scores },
      ]),
    );
    from.length = 0;
    to.length = 0;
    scores.length = 0;
  };
  for (let i = 0; i < relatedDocuments.length; i++) {
    for (const neighbour of relatedDocuments[i]) {
      from.push(articleIds[i]);
      to.push(articleIds[neighbour.index]);
      scores.push(neighbour.score);
    }
    if (from.length >= WRITE_BATCH) {
      await flushSimilarities();
      onProgress?.('write', memberships.length + i + 1, total);
    }
  }
  await flushSimilarities();

  const relations = result.relatedTopics.flatMap((related, cluster) =>
    related.map((neighbour) => ({ runId, topicId: ids[cluster], relatedTopicId: ids[neighbour.index], score: neighbour.score })),
  );
  if (relations.length > 0) await tx.insert(topicRelations).values(relations);
}

/**
 * Articles older than the run's window keep the topic they had in the previous run (even a topic
 * that ended in this one: their subject did not come back). Returns how many.
 */
async function carryOlderArticles(tx: Transaction, runId: number, previousRunId: number, windowStart: string): Promise<number> {
  await tx.execute(sql`
    insert into article_topics (run_id, article_id, topic_id, score, weak, origin)
    select ${runId}, m.article_id, m.topic_id, m.score, m.weak, 'carried'
    from article_topics m join articles a on a.id = m.article_id
    where m.run_id = ${previousRunId} and coalesce(a.published_at, a.created_at) < ${windowStart}
      and not exists (select 1 from article_topics n where n.run_id = ${runId} and n.article_id = m.article_id)`);
  return tx.$count(articleTopics, and(eq(articleTopics.runId, runId), eq(articleTopics.origin, 'carried')));
}

/**
 * Sizes counted from the memberships: of the topics the run found or ended (carried articles
 * count), and of those retired earlier that held carried articles; a change's size is its topic's.
 */
async function countSizes(tx: Transaction, runId: number): Promise<void> {
  const affected = await tx
    .select({ id: topics.id })
    .from(topics)
    .where(
      or(eq(topics.latestRunId, runId), eq(topics.retiredRunId, runId), and(isNotNull(topics.retiredRunId), gt(topics.size, 0))),
    );
  await countTopicSizes(
    tx,
    runId,
    affected.map((topic) => topic.id),
  );
  await tx.execute(sql`
    update topic_changes set size = topics.size from topics
    where topic_changes.run_id = ${runId} and topics.id = topic_changes.topic_id`);
}

/** The run's changes as written: the topics it found (by position), then those that ended. */
async function readChanges(tx: Transaction, runId: number): Promise<WrittenChange[]> {
  const rows = await tx
    .select({
      topicId: topicChanges.topicId,
      kind: topicChanges.kind,
      label: topicChanges.label,
      size: topicChanges.size,
      found: topicChanges.found,
    })
    .from(topicChanges)
    .where(eq(topicChanges.runId, runId))
    .orderBy(sql`${topicChanges.found} desc`, asc(topicChanges.position), asc(topicChanges.topicId));
  return rows.map(({ topicId, kind, label, size }) => ({ topicId, kind: kind.toUpperCase() as TopicChangeKind, label, size }));
}

/**
 * Keeps the memberships, similarities and models of the current run, of the run before it, and
 * of runs superseded within SNAPSHOT_RETENTION_MS; older runs keep their row, topics and history.
 */
async function pruneOldRuns(tx: Transaction, currentRunId: number): Promise<void> {
  const kept = await tx
    .select({ id: clusteringRuns.id })
    .from(clusteringRuns)
    .where(and(eq(clusteringRuns.status, 'succeeded'), lt(clusteringRuns.id, currentRunId)))
    .orderBy(sql`${clusteringRuns.id} desc`)
    .limit(KEPT_PREVIOUS_RUNS);
  const pruned = await tx
    .update(clusteringRuns)
    .set({ prunedAt: sql`now()` })
    .where(
      and(
        eq(clusteringRuns.status, 'succeeded'),
        isNull(clusteringRuns.prunedAt),
        notInArray(clusteringRuns.id, [currentRunId, ...kept.map((run) => run.id)]),
        or(
          isNull(clusteringRuns.supersededAt),
          sql`${clusteringRuns.supersededAt} < now() - ${`${SNAPSHOT_RETENTION_MS} milliseconds`}::interval`,
        ),
      ),
    )
    .returning({ id: clusteringRuns.id });
  const ids = pruned.map((run) => run.id);
  if (ids.length === 0) return;
  await tx.delete(articleTopics).where(inArray(articleTopics.runId, ids));
  await tx.delete(articleSimilarities).where(inArray(articleSimilarities.runId, ids));
  await tx.delete(topicRelations).where(inArray(topicRelations.runId, ids));
  await tx.delete(runModels).where(inArray(runModels.runId, ids));
}

function roundedTimings(timings: StageTimings): Record<string, number> {
  return Object.fromEntries(Object.entries(timings).map(([stage, ms]) => [stage, Math.round(ms ?? 0)]));
}

/** Records the run's success and figures; throws when it is no longer running. */
async function markSucceeded(tx: Transaction, run: RunToWrite, timings: StageTimings): Promise<void> {
  const { runId, result } = run;
  const [succeeded] = await tx
    .update(clusteringRuns)
    .set({
      status: 'succeeded',
      k: result.k,
      articleCount: run.articleIds.length,
      parameters: result.parameters,
      kSelection: result.kSelection,
      quality: result.quality,
      timings: roundedTimings(timings),
      finishedAt: sql`now()`,
    })
    .where(and(eq(clusteringRuns.id, runId), eq(clusteringRuns.status, 'running')))
    .returning({ id: clusteringRuns.id });
  // An operator failed it meanwhile (or, had its lease ended, another process).
  if (!succeeded) throw new Error(`run ${runId} was marked failed while it computed`);
}

/**
 * Tells every server that the run is current, and which articles are new to the feeds: those the
 * previous run had no topic for (imported while its model could not place them), and those just
 * placed, as subscribers hear of any import.
 */
async function announce(tx: Transaction, run: RunToWrite, placed: number[]): Promise<void> {
  await notifyChange(tx, { kind: 'run', runId: run.runId, status: 'succeeded' });
  const { previous } = run;
  const arrived = previous ? run.articleIds.filter((id) => !previous.covered.has(id)) : [];
  if (arrived.length + placed.length > 0) await notifyChange(tx, { kind: 'articles', ids: [...arrived, ...placed] });
}

/**
 * Writes the run and makes it current, in one transaction: readers see the previous run until it
 * commits. Refuses (throws) when another run became current since this one loaded its articles,
 * or when the run is no longer running (an operator failed it).
 */
export async function writeCurrentRun(db: Database, run: RunToWrite, onProgress?: ProgressListener): Promise<WrittenRun> {
  const { runId, previous, windowStart } = run;
  const writeStart = performance.now();
  const written = await db.transaction(async (tx) => {
    await allowLongStatements(tx);
    await lockCurrentRun(tx, 'replace');
    const current = await findCurrentRun(tx);
    if ((current?.id ?? null) !== (previous?.runId ?? null)) {
      throw new Error(`run ${current?.id} became current while this run computed; start a new run`);
    }
    const { ids, kinds } = await identifyTopics(tx, run);
    await recordLineage(tx, run, ids, kinds);
    await writeMemberships(tx, run, ids, onProgress);
    const carried =
      previous === null || windowStart === null ? 0 : await carryOlderArticles(tx, runId, previous.runId, windowStart);
    await countSizes(tx, runId);
    await saveModel(tx, runId, run.result.model);
    onProgress?.('write', 1, 1);
    await makeRunCurrent(tx, runId);
    await pruneOldRuns(tx, runId);
    const changes = await readChanges(tx, runId);
    const timings = { ...run.timings, write: performance.now() - writeStart };
    await markSucceeded(tx, run, timings);
    rememberModel(runId, run.result.model);
    // Articles stored while it computed get their topic before anyone sees the run.
    const placed = await placeArticlesNewToRun(tx, runId);
    await announce(tx, run, placed);
    return { topicIdOfCluster: ids, changes, carried, placed: placed.length, timings };
  });
  // The run is current by now: a failure here is not the run's.
  await refreshStatistics(db, {
    article_topics: run.result.memberships.length + written.carried + written.placed,
    article_similarities: run.result.relatedDocuments.reduce((rows, related) => rows + related.length, 0),
    topics: run.result.topics.length,
  }).catch(() => {});
  return written;
}

/**
 * Analyses the tables whose statistics count fewer rows than this run alone wrote to them: never
 * analysed (a new database's first run), or a corpus that outgrew them. Without that the planner
 * takes the feeds' tables for nearly empty and scans them whole. Other runs change a table by a
 * fraction of what its statistics already count, which leaves the plans as they are (the tables
 * hold every kept run's rows); that drift is autovacuum's to follow. An `analyze` of the three
 * tables after every run cost 60–120 ms of the clustering command.
 */
async function refreshStatistics(
  db: Database,
  rowsWritten: Record<'article_topics' | 'article_similarities' | 'topics', number>,
) {
  const tables = Object.entries(rowsWritten)
    .map(([table, rows]) => `('${table}', ${Math.trunc(rows)})`)
    .join(', ');
  await db.execute(
    sql.raw(`do $$
      declare stale text;
      begin
        for stale in
          select w.name from (values ${tables}) as w(name, rows) join pg_class c on c.oid = w.name::regclass
          where c.reltuples < w.rows
        loop
          execute format('analyze %I', stale);
        end loop;
      end $$`),
  );
}
