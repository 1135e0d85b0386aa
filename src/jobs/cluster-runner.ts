/**
 * Clustering runs started by the server (for an operator, or by the re-clustering policy):
 * recorded at once (so the caller gets the run and any refusal straight away), computed in a
 * child process in the background, one at a time.
 */
import type { Database } from '../db/client.js';
import { type ClusteringRunSummary, completeRun } from './cluster.js';
import { type RunRequest, startRun } from './run-lock.js';

export interface ClusteringRunner {
  /** Records a new run and starts it; throws ClusteringRunError when it cannot start. */
  start(request: RunRequest): Promise<number>;
  /** Whether a run started here is being recorded or computed. */
  busy(): boolean;
  /** Resolves when the run in progress (if any) has finished. */
  idle(): Promise<void>;
  /** Stops the run in progress (it is marked failed) and refuses new ones; resolves once it has ended. */
  stop(): Promise<void>;
}

export function createClusteringRunner(
  db: Database,
  onFinished: (runId: number, outcome: ClusteringRunSummary | Error) => void,
): ClusteringRunner {
  let inProgress: Promise<void> = Promise.resolve();
  let running = 0;
  const stopping = new AbortController();
  return {
    start(request) {
      if (stopping.signal.aborted) return Promise.reject(new Error('the server is shutting down'));
      // Known at once, before anything is awaited, so that stop() waits for this run too.
      running++;
      const recorded = startRun(db, request);
      const done = recorded.then(
        (run) =>
          completeRun(db, run, { computeInChildProcess: true, signal: stopping.signal }).then(
            (summary) => onFinished(run.id, summary),
            (error: Error) => onFinished(run.id, error),
          ),
        () => {},
      );
      inProgress = Promise.all([inProgress, done]).then(() => {});
      void done.finally(() => running--);
      return recorded.then((run) => run.id);
    },
    busy: () => running > 0,
    idle: () => inProgress,
    stop: () => {
      stopping.abort();
      return inProgress;
    },
  };
}
