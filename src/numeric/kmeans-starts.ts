/**
 * k-means starts through ml-kmeans: a greedy k-means++ seeding on the typed rows (Arthur &
 * Vassilvitskii 2007, with scikit-learn's and ml-kmeans's 2 + ⌊ln k⌋ candidates per centre), then
 * ml-kmeans's Lloyd iterations from it. ml-kmeans's own 'kmeans++' option copies a row for every
 * distance it computes, which made it most of a start's time (docs/decisions.md D7).
 */
import { kmeans } from 'ml-kmeans';

import { type ArrayAllocator, plainArrays } from './arrays.js';
import { type DenseMatrix, squaredDistance } from './dense-matrix.js';
import { uniformStream } from './random.js';

export interface KMeansStartsInput {
  data: DenseMatrix;
  k: number;
  /** One start per seed. */
  seeds: ArrayLike<number>;
  maxIterations: number;
  /** k × columns: iterate from these instead of a seeding (then one start, whatever its seed). */
  initialCentroids?: Float64Array;
}

/** Where start i writes its results. */
export interface KMeansStartsOutput {
  /** starts × rows: the cluster of each row. */
  assignments: Int32Array;
  /** starts × k × columns: the centroids. */
  centroids: Float64Array;
  /** [inertia, iterations] per start. */
  stats: Float64Array;
}

export function allocateKMeansStarts(
  rows: number,
  columns: number,
  k: number,
  starts: number,
  allocate: ArrayAllocator = plainArrays,
): KMeansStartsOutput {
  return {
    assignments: allocate.int32(starts * rows),
    centroids: allocate.float64(starts * k * columns),
    stats: allocate.float64(2 * starts),
  };
}

/**
 * Adds centres placed..k−1 to `centres` (k × columns) by greedy k-means++ from the `placed` (≥ 1)
 * already there: each new centre is the best of 2 + ⌊ln k⌋ rows drawn in proportion to their
 * squared distance to the nearest centre so far (by the potential they leave).
 */
export function addKMeansPlusPlusCentres(
  data: DenseMatrix,
  centres: Float64Array,
  placed: number,
  k: number,
  nextUniform: () => number,
): void {
  const { rows, columns: width, values: vectors } = data;
  const closest = new Float64Array(rows).fill(Infinity);
  for (let row = 0; row < rows; row++) {
    for (let c = 0; c < placed; c++) closest[row] = Math.min(closest[row], squaredDistance(vectors, row, centres, c, width));
  }
  const trials = 2 + Math.floor(Math.log(k));
  const cumulative = new Float64Array(rows);
  const candidateDistances = new Float64Array(rows);
  const bestDistances = new Float64Array(rows);
  for (let next = placed; next < k; next++) {
    let total = 0;
    for (let row = 0; row < rows; row++) {
      total += closest[row];
      cumulative[row] = total;
    }
    let bestCandidate = -1;
    let bestPotential = Infinity;
    for (let trial = 0; trial < trials; trial++) {
      // A candidate is drawn in proportion to its squared distance to the nearest centre; with
      // every row on a centre already (duplicates), any row will do.
      let candidate: number;
      if (total > 0) {
        const target = nextUniform() * total;
        let low = 0;
        let high = rows - 1;
        while (low < high) {
          const middle = (low + high) >> 1;
          if (cumulative[middle] > target) high = middle;
          else low = middle + 1;
        }
        candidate = low;
      } else {
        candidate = Math.floor(nextUniform() * rows);
      }
      let potential = 0;
      for (let row = 0; row < rows; row++) {
        const distance = Math.min(closest[row], squaredDistance(vectors, row, vectors, candidate, width));
        candidateDistances[row] = distance;
        potential += distance;
      }
      if (potential < bestPotential) {
        bestPotential = potential;
        bestCandidate = candidate;
        bestDistances.set(candidateDistances);
      }
    }
    centres.set(vectors.subarray(bestCandidate * width, (bestCandidate + 1) * width), next * width);
    closest.set(bestDistances);
  }
}

/** k-means++ centres (k × columns) for `seed`: a uniformly drawn first row, then addKMeansPlusPlusCentres. */
export function kMeansPlusPlus(data: DenseMatrix, k: number, seed: number): Float64Array {
  const { rows, columns: width, values } = data;
  const nextUniform = uniformStream(seed);
  const centres = new Float64Array(k * width);
  const first = Math.floor(nextUniform() * rows);
  centres.set(values.subarray(first * width, (first + 1) * width), 0);
  addKMeansPlusPlusCentres(data, centres, 1, k, nextUniform);
  return centres;
}

/**
 * Squared distance for ml-kmeans (which passes rows as arrays), in four independent sums rather
 * than one chain of dependent additions (docs/decisions.md D8).
 */
function squaredDistanceOfArrays(a: number[], b: number[]): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (; d + 3 < a.length; d += 4) {
    const d0 = a[d] - b[d];
    const d1 = a[d + 1] - b[d + 1];
    const d2 = a[d + 2] - b[d + 2];
    const d3 = a[d + 3] - b[d + 3];
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; d < a.length; d++) {
    const difference = a[d] - b[d];
    s0 += difference * difference;
  }
  return s0 + s1 + (s2 + s3);
}

/** Rows of a Float64Array as arrays, `width` at a time (a plain loop builds packed double arrays, faster to read than Array.from's). */
function rowArrays(values: Float64Array, rows: number, width: number): number[][] {
  const arrays: number[][] = [];
  for (let row = 0; row < rows; row++) {
    const array: number[] = [];
    for (let d = row * width; d < (row + 1) * width; d++) array.push(values[d]);
    arrays.push(array);
  }
  return arrays;
}

/**
 * One k-means start per seed (or one from `initialCentroids`): start i writes its clusters to
 * output.assignments[i·rows, (i+1)·rows), its centroids to output.centroids[i·k·columns, …) and
 * [inertia, iterations] to output.stats[2i, 2i+2). Each start depends on its seed alone.
 */
export function kMeansStarts(input: KMeansStartsInput, output: KMeansStartsOutput): void {
  const { data, k, seeds, maxIterations, initialCentroids } = input;
  const { rows, columns: width, values: vectors } = data;
  const rowsAsArrays = rowArrays(vectors, rows, width);
  for (let start = 0; start < seeds.length; start++) {
    const initialization = rowArrays(initialCentroids ?? kMeansPlusPlus(data, k, seeds[start]), k, width);
    const fitted = kmeans(rowsAsArrays, k, { initialization, maxIterations, distanceFunction: squaredDistanceOfArrays });
    const centroids = output.centroids.subarray(start * k * width, (start + 1) * k * width);
    for (let c = 0; c < k; c++) centroids.set(fitted.centroids[c], c * width);
    // Summed term by term over all rows (not row by row), as the stored inertias always were.
    let inertia = 0;
    for (let row = 0; row < rows; row++) {
      const cluster = fitted.clusters[row];
      const rowOffset = row * width;
      const centroidOffset = cluster * width;
      for (let d = 0; d < width; d++) {
        const difference = vectors[rowOffset + d] - centroids[centroidOffset + d];
        inertia += difference * difference;
      }
      output.assignments[start * rows + row] = cluster;
    }
    output.stats[2 * start] = inertia;
    output.stats[2 * start + 1] = fitted.iterations;
  }
}
