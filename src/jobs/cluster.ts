/**
 * A clustering run: start it (run-lock.ts) → load its articles and the previous run's topics
 * (run-input.ts) → the pure clustering core (cluster-engine.ts) → write it as the current run
 * (run-writer.ts) → its summary. Readers see the previous run until the write commits; every
 * server on the database hears of it (change-notices.ts).
 */
import type { ClusteringResult, ClusteringStage, ProgressListener } from '../clustering/types.js';
import type { Database } from '../db/client.js';
import { type ClusteringEngine, childProcessEngine, inlineEngine, stopReason } from './cluster-engine.js';
import { loadRunInput, readRunRequest } from './run-input.js';
import { type RunRequest, recordRunFailure, type StartedRun, startHeartbeat, startRun } from './run-lock.js';
import { type WrittenChange, type WrittenRun, writeCurrentRun } from './run-writer.js';

export interface ClusteringRunOptions extends RunRequest {
  onProgress?: ProgressListener;
  /** Compute in a child process, keeping this event loop free (the server does). */
  computeInChildProcess?: boolean;
  /** Start k-means from the previous run's topics too (default true; false only for comparisons). */
  warmStart?: boolean;
  /** Aborting it stops the run, which is then marked failed. */
  signal?: AbortSignal;
}

export interface ClusteringRunSummary {
  runId: number;
  k: number;
  articleCount: number;
  topics: { topicId: number; label: string; size: number; kind: WrittenChange['kind'] }[];
  /** Topics of the previous run that ended in this one (retired, or merged into another). */
  ended: WrittenChange[];
  /** Articles older than the window that kept their topic. */
  carried: number;
  /** What became of the warm start (cluster-corpus.ts): used, rejected, none or off. */
  warmStart: string;
  timings: Partial<Record<ClusteringStage, number>>;
  /** Articles imported while the run computed, placed with its model as it became current. */
  assignedAfterwards: number;
}

/** Runs a whole clustering run and makes it current. */
export async function runClustering(db: Database, options: ClusteringRunOptions = {}): Promise<ClusteringRunSummary> {
  return completeRun(db, await startRun(db, options), options);
}

/**
 * Does the work of a run recorded by startRun and ends its lease; marks the run failed if
 * anything goes wrong.
 */
export async function completeRun(
  db: Database,
  started: StartedRun,
  options: Pick<ClusteringRunOptions, 'onProgress' | 'computeInChildProcess' | 'warmStart' | 'signal'> = {},
): Promise<ClusteringRunSummary> {
  const runId = started.id;
  let engine: ClusteringEngine | undefined;
  // Stops the computation when the server shuts down (options.signal) or an operator fails the run.
  const heartbeat = startHeartbeat(db, runId, options.signal);
  try {
    const request = await readRunRequest(db, runId);
    const loadStart = performance.now();
    engine = options.computeInChildProcess ? childProcessEngine(heartbeat.signal) : inlineEngine();
    const input = await loadRunInput(db, request.windowStart, engine, options.onProgress);
    const loadMs = performance.now() - loadStart;
    await heartbeat.beat();
    if (heartbeat.signal.aborted) throw new Error(stopReason(heartbeat.signal));

    const result = await engine.run({
      k: request.requestedK ?? undefined,
      seed: request.seed,
      previous: input.previousTopics,
      warmStart: options.warmStart,
      onProgress: options.onProgress,
    });
    await heartbeat.beat();

    const written = await writeCurrentRun(
      db,
      {
        runId,
        articleIds: input.articleIds,
        result,
        previous: input.previous,
        windowStart: request.windowStart,
        timings: { load: loadMs, ...result.timings },
      },
      options.onProgress,
    );
    return summarise(runId, input.articleIds.length, result, written);
  } catch (error) {
    engine?.close();
    await recordRunFailure(db, runId, error);
    throw error;
  } finally {
    heartbeat.stop();
    await started.lease.release().catch(() => {});
  }
}

function summarise(runId: number, articleCount: number, result: ClusteringResult, written: WrittenRun): ClusteringRunSummary {
  return {
    runId,
    k: result.k,
    articleCount,
    topics: result.topics.map((topic, cluster) => ({
      topicId: written.topicIdOfCluster[cluster],
      label: topic.label,
      size: topic.members.length,
      kind: written.changes[cluster].kind,
    })),
    ended: written.changes.slice(result.topics.length),
    carried: written.carried,
    warmStart: String(result.parameters.warmStart),
    timings: written.timings,
    assignedAfterwards: written.placed,
  };
}
