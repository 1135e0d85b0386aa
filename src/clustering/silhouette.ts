import { denseMatrix, gatherRows, transposeDense } from '../numeric/dense-matrix.js';
import { SeededRandom } from '../numeric/random.js';
import { defaultParallel, type Parallel } from '../parallel/compute.js';

/**
 * Mean silhouette with cosine distance (1 − cos) on a seeded sample of unit rows, as
 * scikit-learn's silhouette_score(metric='cosine', sample_size=...). Members of a cluster that has
 * a single sampled row score 0. Null when the sample holds fewer than two clusters.
 */
export function cosineSilhouette(
  vectors: Float64Array,
  width: number,
  assignments: Int32Array,
  k: number,
  sampleSize: number,
  seed: number,
  parallel: Parallel = defaultParallel(),
): number | null {
  const sample = new SeededRandom(seed).sampleIndexes(assignments.length, Math.min(sampleSize, assignments.length));
  const size = sample.length;
  const clusterOf = Int32Array.from(sample, (row) => assignments[row]);
  const clusterSizes = new Int32Array(k);
  for (const cluster of clusterOf) clusterSizes[cluster]++;
  if (clusterSizes.filter((count) => count > 0).length < 2) return null;

  const sampleVectors = gatherRows(vectors, width, sample);
  const similarities = parallel.multiplyDense(
    denseMatrix(size, width, sampleVectors),
    denseMatrix(width, size, transposeDense(sampleVectors, size, width)),
  ).values;
  const distanceSums = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < size; i++) {
    distanceSums.fill(0);
    for (let j = 0; j < size; j++) {
      if (j !== i) distanceSums[clusterOf[j]] += 1 - similarities[i * size + j];
    }
    const own = clusterOf[i];
    if (clusterSizes[own] < 2) continue;
    const within = distanceSums[own] / (clusterSizes[own] - 1);
    let nearest = Infinity;
    for (let cluster = 0; cluster < k; cluster++) {
      if (cluster !== own && clusterSizes[cluster] > 0)
        nearest = Math.min(nearest, distanceSums[cluster] / clusterSizes[cluster]);
    }
    const spread = Math.max(within, nearest);
    if (spread > 0) total += (nearest - within) / spread;
  }
  return total / size;
}
