/**
 * k-means through ml-kmeans: seeded k-means++ starts, the best of several by inertia, and Lloyd
 * iterations from given centroids (for a model fitted on a sample, then run over every row).
 * Rows are dense reduced vectors (LSA), row-major in a Float64Array.
 */
import { kmeans } from 'ml-kmeans';
import { runKMeansStarts } from './helper-thread.js';
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

function toRows(vectors: Float64Array, rows: number, width: number): number[][] {
  return Array.from({ length: rows }, (_, row) => Array.from(vectors.subarray(row * width, (row + 1) * width)));
}

function squaredDistance(a: number[], b: number[]): number {
  let sum = 0;
  for (let d = 0; d < a.length; d++) {
    const difference = a[d] - b[d];
    sum += difference * difference;
  }
  return sum;
}

function toResult(data: number[][], width: number, clusters: number[], centroids: number[][], iterations: number): KMeansResult {
  let inertia = 0;
  for (let row = 0; row < data.length; row++) inertia += squaredDistance(data[row], centroids[clusters[row]]);
  const flat = new Float64Array(centroids.length * width);
  centroids.forEach((centroid, c) => flat.set(centroid, c * width));
  return { assignments: Int32Array.from(clusters), centroids: flat, inertia, iterations };
}

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
  const data = toRows(vectors, rows, width);
  const fitted = kmeans(data, k, { initialization: toRows(initialCentroids, k, width), maxIterations });
  return toResult(data, width, fitted.clusters, fitted.centroids, fitted.iterations);
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
