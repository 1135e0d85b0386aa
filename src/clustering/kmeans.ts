/**
 * k-means through ml-kmeans: seeded k-means++ starts, the best of several by inertia, and Lloyd
 * iterations from given centroids (for a model fitted on a sample, then run over every row).
 * Rows are dense reduced vectors (LSA), row-major in a Float64Array.
 */
import { denseMatrix, squaredDistance } from '../numeric/dense-matrix.js';
import { allocateKMeansStarts, kMeansStarts } from '../numeric/kmeans-starts.js';
import { deriveSeed } from '../numeric/random.js';
import { defaultParallel, type Parallel } from '../parallel/compute.js';

export interface KMeansOptions {
  k: number;
  seed: number;
  /** Independent k-means++ starts; the one with the lowest inertia wins. */
  restarts: number;
  maxIterations?: number;
  /** Called when the starts are done (they run on two threads at once). */
  onProgress?: (done: number, total: number) => void;
  /** Where the starts run (default: the process's threads). */
  parallel?: Parallel;
}

export interface KMeansResult {
  /** Cluster of each row. */
  assignments: Int32Array;
  /** k × width, row-major: the centroids the assignments were made with. */
  centroids: Float64Array;
  /** Sum of squared distances of the rows to their centroids. */
  inertia: number;
  iterations: number;
}

const DEFAULT_MAX_ITERATIONS = 100;

/**
 * Best of `restarts` seeded k-means++ starts by inertia (numeric/kmeans-starts.ts, split between
 * threads); deterministic for a seed.
 */
export function kMeans(vectors: Float64Array, rows: number, width: number, options: KMeansOptions): KMeansResult {
  const k = Math.max(1, Math.min(options.k, rows));
  const restarts = Math.max(1, options.restarts);
  const seeds = Array.from({ length: restarts }, (_, restart) => deriveSeed(options.seed, restart));
  const parallel = options.parallel ?? defaultParallel();
  const starts = parallel.kMeansStarts(
    denseMatrix(rows, width, vectors),
    k,
    seeds,
    options.maxIterations ?? DEFAULT_MAX_ITERATIONS,
  );
  // Among equal inertias the earlier start wins.
  let best = 0;
  for (let start = 1; start < restarts; start++) {
    if (starts.stats[2 * start] < starts.stats[2 * best] - 1e-9) best = start;
  }
  options.onProgress?.(restarts, restarts);
  return {
    assignments: starts.assignments.slice(best * rows, (best + 1) * rows),
    centroids: starts.centroids.slice(best * k * width, (best + 1) * k * width),
    inertia: starts.stats[2 * best],
    iterations: starts.stats[2 * best + 1],
  };
}

/** Lloyd's algorithm from given centroids (e.g. fitted on a sample) over all rows. */
export function lloyd(
  vectors: Float64Array,
  rows: number,
  width: number,
  initialCentroids: Float64Array,
  k: number,
  maxIterations: number,
): KMeansResult {
  const output = allocateKMeansStarts(rows, width, k, 1);
  kMeansStarts({ data: denseMatrix(rows, width, vectors), k, seeds: [0], maxIterations, initialCentroids }, output);
  return { assignments: output.assignments, centroids: output.centroids, inertia: output.stats[0], iterations: output.stats[1] };
}

/** Nearest centroid of each row by squared Euclidean distance. */
export function nearestCentroids(
  vectors: Float64Array,
  rows: number,
  width: number,
  centroids: Float64Array,
  k: number,
): Int32Array {
  const assignments = new Int32Array(rows);
  for (let row = 0; row < rows; row++) {
    let best = 0;
    let bestDistance = Infinity;
    for (let c = 0; c < k; c++) {
      const distance = squaredDistance(vectors, row, centroids, c, width);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = c;
      }
    }
    assignments[row] = best;
  }
  return assignments;
}
