/**
 * k-means through ml-kmeans: seeded k-means++ starts, the best of several by inertia, and Lloyd
 * iterations from given centroids (for a model fitted on a sample, then run over every row).
 * Rows are dense reduced vectors (LSA), row-major in a Float64Array.
 */
import { kmeans } from 'ml-kmeans';
import { runKMeansStarts } from './helper-thread.js';
import { kMeansStarts } from './kernels.js';
import { deriveSeed } from './seeded-random.js';

export interface KMeansOptions {
  k: number;
  seed: number;
  /** Independent k-means++ starts; the one with the lowest inertia wins. */
  restarts: number;
  maxIterations?: number;
  /** Called when the starts are done (they run on two threads at once). */
  onProgress?: (done: number, total: number) => void;
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
 * Best of `restarts` seeded k-means++ starts by inertia (kernels.ts kMeansStarts, split between
 * this thread and the helper); deterministic for a seed.
 */
export function kMeans(vectors: Float64Array, rows: number, width: number, options: KMeansOptions): KMeansResult {
  const k = Math.max(1, Math.min(options.k, rows));
  const restarts = Math.max(1, options.restarts);
  const seeds = Array.from({ length: restarts }, (_, restart) => deriveSeed(options.seed, restart));
  const starts = runKMeansStarts(vectors, rows, width, k, seeds, options.maxIterations ?? DEFAULT_MAX_ITERATIONS);
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
  const result: KMeansResult = {
    assignments: new Int32Array(rows),
    centroids: new Float64Array(k * width),
    inertia: 0,
    iterations: 0,
  };
  const stats = new Float64Array(2);
  kMeansStarts(kmeans, vectors, rows, width, k, [0], maxIterations, result.assignments, result.centroids, stats, initialCentroids);
  [result.inertia, result.iterations] = stats;
  return result;
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
      let distance = 0;
      for (let d = 0; d < width; d++) {
        const difference = vectors[row * width + d] - centroids[c * width + d];
        distance += difference * difference;
      }
      if (distance < bestDistance) {
        bestDistance = distance;
        best = c;
      }
    }
    assignments[row] = best;
  }
  return assignments;
}
