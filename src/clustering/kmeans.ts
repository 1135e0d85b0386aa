/**
 * k-means through ml-kmeans: seeded k-means++ starts, the best of several by inertia, and Lloyd
 * iterations from given centroids (for a model fitted on a sample, then run over every row).
 * Rows are dense reduced vectors (LSA), row-major in a Float64Array.
 *
 * The k-means++ seeding is computed here, on the typed rows, and handed to ml-kmeans as its
 * initial centroids; ml-kmeans runs Lloyd's iterations. Its own 'kmeans++' option implements the
 * same greedy k-means++, but copies a row into a new array for every distance it computes: on
 * BBC News (2,225 × 100, k = 5) that seeding took 40–50 ms of a 60–85 ms start, against under a
 * millisecond here.
 */
import { kmeans } from 'ml-kmeans';
import { SeededRandom, deriveSeed } from './seeded-random.js';

export interface KMeansOptions {
  k: number;
  seed: number;
  /** Independent k-means++ starts; the one with the lowest inertia wins. */
  restarts: number;
  maxIterations?: number;
  /** Called as starts finish. */
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

function squaredRowDistance(vectors: Float64Array, a: number, b: number, width: number): number {
  const aOffset = a * width;
  const bOffset = b * width;
  let sum = 0;
  for (let d = 0; d < width; d++) {
    const difference = vectors[aOffset + d] - vectors[bOffset + d];
    sum += difference * difference;
  }
  return sum;
}

/** The first index whose cumulative weight exceeds `target` (weights ≥ 0, `cumulative` ascending). */
function searchCumulative(cumulative: Float64Array, target: number): number {
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (cumulative[middle] > target) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * Greedy k-means++ seeding (Arthur & Vassilvitskii 2007, with scikit-learn's and ml-kmeans's
 * 2 + ⌊ln k⌋ candidates per centre): the first centre is a random row; each next one is the
 * candidate, drawn with probability proportional to the squared distance to the nearest centre
 * so far, that lowers the total squared distance most. Returns k rows as arrays, the form
 * ml-kmeans takes.
 */
export function kMeansPlusPlus(vectors: Float64Array, rows: number, width: number, k: number, seed: number): number[][] {
  const random = new SeededRandom(seed);
  const trials = 2 + Math.floor(Math.log(k));
  const chosen = [random.nextInt(rows)];
  const closest = new Float64Array(rows);
  for (let row = 0; row < rows; row++) closest[row] = squaredRowDistance(vectors, row, chosen[0], width);
  const cumulative = new Float64Array(rows);
  const candidateDistances = new Float64Array(rows);
  const bestDistances = new Float64Array(rows);
  while (chosen.length < k) {
    let total = 0;
    for (let row = 0; row < rows; row++) {
      total += closest[row];
      cumulative[row] = total;
    }
    let bestCandidate = -1;
    let bestPotential = Infinity;
    for (let trial = 0; trial < trials; trial++) {
      // With every row on a centre already (duplicates), any row will do.
      const candidate = total > 0 ? searchCumulative(cumulative, random.next() * total) : random.nextInt(rows);
      let potential = 0;
      for (let row = 0; row < rows; row++) {
        const distance = Math.min(closest[row], squaredRowDistance(vectors, row, candidate, width));
        candidateDistances[row] = distance;
        potential += distance;
      }
      if (potential < bestPotential) {
        bestPotential = potential;
        bestCandidate = candidate;
        bestDistances.set(candidateDistances);
      }
    }
    chosen.push(bestCandidate);
    closest.set(bestDistances);
  }
  return chosen.map((row) => Array.from(vectors.subarray(row * width, (row + 1) * width)));
}

/** Best of `restarts` seeded k-means++ starts by inertia; deterministic for a seed. */
export function kMeans(vectors: Float64Array, rows: number, width: number, options: KMeansOptions): KMeansResult {
  const k = Math.max(1, Math.min(options.k, rows));
  const data = toRows(vectors, rows, width);
  const restarts = Math.max(1, options.restarts);
  let best: KMeansResult | undefined;
  for (let restart = 0; restart < restarts; restart++) {
    const fitted = kmeans(data, k, {
      initialization: kMeansPlusPlus(vectors, rows, width, k, deriveSeed(options.seed, restart)),
      maxIterations: options.maxIterations ?? DEFAULT_MAX_ITERATIONS,
    });
    const result = toResult(data, width, fitted.clusters, fitted.centroids, fitted.iterations);
    // Among equal inertias the earlier start wins.
    if (!best || result.inertia < best.inertia - 1e-9) best = result;
    options.onProgress?.(restart + 1, restarts);
  }
  return best as KMeansResult;
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
