import type { ClusteringStage, ProgressListener } from './types.js';

/** How a stage reports its own progress: `done` of `total` steps, done ≤ total. */
export type StageProgress = (done: number, total: number) => void;

/**
 * Runs the stages of a clustering run one after another: times each one and reports its progress
 * to the run's listener, so that every stage begins and ends the same way.
 *
 * A stage given its number of `steps` is reported as 0 of them when it begins; one that reports
 * steps of its own is not. Every stage's last report says it is complete (done = total): the
 * runner adds one when the stage's own last report did not, `steps` of `steps` (1 of 1 without).
 */
export class StageRunner {
  /** Milliseconds spent in each stage, in the order they ran. */
  readonly timings: Partial<Record<ClusteringStage, number>> = {};

  constructor(private readonly listener?: ProgressListener) {}

  run<T>(stage: ClusteringStage, work: (progress: StageProgress) => T, { steps }: { steps?: number } = {}): T {
    const start = performance.now();
    let complete = false;
    const report = (done: number, total: number) => {
      complete = done === total;
      this.listener?.(stage, done, total);
    };
    if (steps !== undefined) report(0, steps);
    const result = work(report);
    if (!complete) report(steps ?? 1, steps ?? 1);
    this.timings[stage] = Math.round((performance.now() - start) * 10) / 10;
    return result;
  }
}
