/**
 * Clustering runs started from the API: recorded at once (so the caller gets the run and any
 * refusal straight away), computed in the background, one at a time.
 */
import type { Database } from '../db/client.js';
import { type ClusteringRunOptions, type ClusteringRunSummary, completeRun, startRun } from './cluster.js';

export interface ClusteringRunner {
  /** Records a new run and starts it; throws ClusteringRunError when it cannot start. */
  start(options: Pick<ClusteringRunOptions, 'k' | 'seed'>): Promise<number>;
  /** Resolves when the run in progress (if any) has finished. */
  idle(): Promise<void>;
}

export function createClusteringRunner(
  db: Database,
  onFinished: (runId: number, outcome: ClusteringRunSummary | Error) => void,
): ClusteringRunner {
  let inProgress: Promise<void> = Promise.resolve();
  return {
    async start(options) {
      const runId = await startRun(db, options);
      inProgress = completeRun(db, runId, { ...options, computeInChildProcess: true }).then(
        (summary) => onFinished(runId, summary),
        (error: Error) => onFinished(runId, error),
      );
      return runId;
    },
    idle: () => inProgress,
  };
}
