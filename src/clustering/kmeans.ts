import { dotRows, multiplyDense, transposeDense } from './dense-matrix.js';
import { deriveSeed, SeededRandom } from './seeded-random.js';

export interface KMeansOptions {
  k: number;
  seed: number;
  /** Independent k-means++ starts; the one with the lowest inertia wins. */
  restarts: number;
  maxIterations?: number;
  /** Called as restarts finish. */
  onProgress?: (done: number, total: number) => void;
}

export interface KMeansResult {
  /** Cluster of each row. */
  assignments: Int32Array;
  /** k × width, row-major: the mean of each cluster's rows. */
  centroids: Float64Array;
  /** Sum of squared distances of the rows to their centroids. */
  inertia: number;
  iterations: number;
}

/** Lloyd iterations every start gets before the weaker starts are dropped. */
const SCREENING_ITERATIONS = 2;
/** Starts that are run to convergence after screening. */
const FINALISTS = 2;

/**
 * Rows prepared once for all starts: the transpose makes every distance computation one blocked
 * product (centroids × rows), several times faster in V8 than a dot product per pair.
 */
interface PreparedRows {
  vectors: Float64Array;
  transposed: Float64Array;
  squaredNorms: Float64Array;
  rows: number;
  width: number;
}

function prepare(vectors: Float64Array, rows: number, width: number): PreparedRows {
  const squaredNorms = new Float64Array(rows);
  for (let row = 0; row < rows; row++) squaredNorms[row] = dotRows(vectors, row, vectors, row, width);
  return { vectors, transposed: transposeDense(vectors, rows, width), squaredNorms, rows, width };
}

/** Squared distances (count × rows, row-major) from `count` points to every row. */
function squaredDistancesTo(points: Float64Array, count: number, prepared: PreparedRows): Float64Array {
  const { transposed, squaredNorms, rows, width } = prepared;
  const distances = multiplyDense(points, count, width, transposed, rows);
  for (let p = 0; p < count; p++) {
    const pointNorm = dotRows(points, p, points, p, width);
    const offset = p * rows;
    for (let row = 0; row < rows; row++) {
      distances[offset + row] = Math.max(0, squaredNorms[row] + pointNorm - 2 * distances[offset + row]);
    }
  }
  return distances;
}

/**
 * Greedy k-means++ seeding as scikit-learn does it: each new centre is the best of a few
 * candidates drawn with probability proportional to the squared distance to the nearest centre.
 */
function seedCentroids(prepared: PreparedRows, k: number, random: SeededRandom): Float64Array {
  const { vectors, rows, width } = prepared;
  const centroids = new Float64Array(k * width);
  const first = random.nextInt(rows);
  centroids.set(vectors.subarray(first * width, (first + 1) * width), 0);
  const closest = squaredDistancesTo(centroids.subarray(0, width), 1, prepared).slice(0, rows);
  let potential = closest.reduce((sum, value) => sum + value, 0);
  const trials = 2 + Math.floor(Math.log(k));
  const candidates = new Int32Array(trials);
  const candidatePoints = new Float64Array(trials * width);
  for (let c = 1; c < k; c++) {
    for (let trial = 0; trial < trials; trial++) {
      candidates[trial] = potential > 0 ? sampleProportional(closest, potential, random) : random.nextInt(rows);
      candidatePoints.set(vectors.subarray(candidates[trial] * width, (candidates[trial] + 1) * width), trial * width);
    }
    const distances = squaredDistancesTo(candidatePoints, trials, prepared);
    let bestTrial = 0;
    let bestPotential = Infinity;
    for (let trial = 0; trial < trials; trial++) {
      let trialPotential = 0;
      const offset = trial * rows;
      for (let row = 0; row < rows; row++) trialPotential += Math.min(closest[row], distances[offset + row]);
      if (trialPotential < bestPotential) {
        bestPotential = trialPotential;
        bestTrial = trial;
      }
    }
    const offset = bestTrial * rows;
    for (let row = 0; row < rows; row++) closest[row] = Math.min(closest[row], distances[offset + row]);
    potential = bestPotential;
    centroids.set(candidatePoints.subarray(bestTrial * width, (bestTrial + 1) * width), c * width);
  }
  return centroids;
}

/**
 * Lloyd's algorithm from the given centroids until no row changes cluster or `maxIterations`.
 * A cluster that empties keeps its centre.
 */
function runLloyd(prepared: PreparedRows, initialCentroids: Float64Array, k: number, maxIterations: number): KMeansResult {
  const { vectors, rows, width } = prepared;
  const centroids = initialCentroids.slice();
  const assignments = new Int32Array(rows).fill(-1);
  const sums = new Float64Array(k * width);
  const counts = new Int32Array(k);
  let inertia = 0;
  let iterations = 0;
  for (;;) {
    const distances = squaredDistancesTo(centroids, k, prepared);
    let changed = 0;
    inertia = 0;
    for (let row = 0; row < rows; row++) {
      let best = 0;
      let bestDistance = distances[row];
      for (let c = 1; c < k; c++) {
        const distance = distances[c * rows + row];
        if (distance < bestDistance) {
          bestDistance = distance;
          best = c;
        }
      }
      inertia += bestDistance;
      if (assignments[row] !== best) {
        assignments[row] = best;
        changed++;
      }
    }
    if (changed === 0 || iterations >= maxIterations) break;
    iterations++;
    sums.fill(0);
    counts.fill(0);
    for (let row = 0; row < rows; row++) {
      const cluster = assignments[row];
      counts[cluster]++;
      const offset = cluster * width;
      const source = row * width;
      for (let d = 0; d < width; d++) sums[offset + d] += vectors[source + d];
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue;
      const offset = c * width;
      for (let d = 0; d < width; d++) centroids[offset + d] = sums[offset + d] / counts[c];
    }
  }
  return { assignments, centroids, inertia, iterations };
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
  return runLloyd(prepare(vectors, rows, width), initialCentroids, k, maxIterations);
}

/**
 * Best of `restarts` seeded k-means++ starts by inertia. Every start gets a few Lloyd iterations;
 * only the best two after that are run to convergence, since a start that trails early rarely
 * wins (on BBC the winner is the same as with full runs, at a third of the cost).
 * Deterministic for a given seed.
 */
export function kMeans(vectors: Float64Array, rows: number, width: number, options: KMeansOptions): KMeansResult {
  const k = Math.max(1, Math.min(options.k, rows));
  const maxIterations = options.maxIterations ?? 100;
  const prepared = prepare(vectors, rows, width);
  const restarts = Math.max(1, options.restarts);
  const screened: KMeansResult[] = [];
  for (let restart = 0; restart < restarts; restart++) {
    const random = new SeededRandom(deriveSeed(options.seed, restart));
    const initial = seedCentroids(prepared, k, random);
    screened.push(runLloyd(prepared, initial, k, Math.min(SCREENING_ITERATIONS, maxIterations)));
    options.onProgress?.(restart + 1, restarts + FINALISTS);
  }
  // Stable sort: among equal inertias the earlier start wins.
  const finalists = screened
    .map((result, restart) => ({ result, restart }))
    .sort((a, b) => a.result.inertia - b.result.inertia || a.restart - b.restart)
    .slice(0, FINALISTS);
  let best: KMeansResult | null = null;
  for (const [index, { result }] of finalists.entries()) {
    const finished =
      result.iterations < Math.min(SCREENING_ITERATIONS, maxIterations)
        ? result
        : runLloyd(prepared, result.centroids, k, maxIterations - result.iterations);
    const total = { ...finished, iterations: finished === result ? result.iterations : result.iterations + finished.iterations };
    if (best === null || total.inertia < best.inertia - 1e-9) best = total;
    options.onProgress?.(restarts + index + 1, restarts + FINALISTS);
  }
  if (best === null) throw new Error('k-means ran no start');
  return best;
}

/** Nearest centroid of each row by squared Euclidean distance. */
export function nearestCentroids(
  vectors: Float64Array,
  rows: number,
  width: number,
  centroids: Float64Array,
  k: number,
): Int32Array {
  const distances = squaredDistancesTo(centroids, k, prepare(vectors, rows, width));
  const assignments = new Int32Array(rows);
  for (let row = 0; row < rows; row++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (distances[c * rows + row] < distances[best * rows + row]) best = c;
    assignments[row] = best;
  }
  return assignments;
}

function sampleProportional(weights: Float64Array, total: number, random: SeededRandom): number {
  let target = random.next() * total;
  for (let i = 0; i < weights.length; i++) {
    target -= weights[i];
    if (target < 0) return i;
  }
  return weights.length - 1;
}
