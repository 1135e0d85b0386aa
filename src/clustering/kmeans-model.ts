import { dotRows, gatherRows, groupMeanDirections } from '../numeric/dense-matrix.js';
import { deriveSeed, SeededRandom } from '../numeric/random.js';
import type { Parallel } from '../parallel/compute.js';
import { type KMeansResult, kMeans, lloyd } from './kmeans.js';
import { centroidSimilarities } from './similarity.js';
import type { StageProgress } from './stage-runner.js';
import type { Membership } from './types.js';
import { warmStartCentroids } from './warm-start.js';

export interface KMeansModelOptions {
  k: number;
  seed: number;
  /** k-means++ restarts; the lowest inertia wins. */
  restarts: number;
  /**
   * Above this many rows, `sampledRestarts` restarts run on a seeded sample of this size, and
   * `refinementIterations` Lloyd iterations over every row refine the best of them.
   */
  sampleSize: number;
  sampledRestarts: number;
  refinementIterations: number;
  /** The previous topic of each row (−1 for none) to start from as well; null for cold starts only. */
  previousTopicOf: Int32Array | null;
  /** Lloyd iterations from the previous topics (`refinementIterations` when sampled). */
  warmStartIterations: number;
  /** The warm start's partition is kept while its inertia is at most this much (relative) above the cold one's. */
  warmStartTolerance: number;
  /** Rows whose score is in this lowest share of the fit's scores are flagged weak. */
  weakPercentile: number;
  onProgress?: StageProgress;
  /** Where the restarts run (default: the process's threads). */
  parallel?: Parallel;
}

/**
 * What became of the warm start: `used` (its partition won), `rejected` (its inertia was more
 * than warmStartTolerance above the best cold start's), `off` (not asked for) or `none` (no
 * row had a previous topic).
 */
export interface WarmStartOutcome {
  outcome: 'used' | 'rejected' | 'off' | 'none';
  /** Inertia of the warm start and of the best cold start, when both ran. */
  warmInertia?: number;
  coldInertia?: number;
  previousTopics?: number;
}

export interface KMeansFit {
  model: KMeansModel;
  /** Topic of each row, numbered without the clusters k-means emptied. */
  assignments: Int32Array;
  /** Of each row: its topic and cosine with the topic's centroid direction. */
  memberships: Membership[];
  /** k × dimensions, unit rows, in full precision (the model keeps them as Float32, as it is stored). */
  centroidDirections: Float64Array;
  inertia: number;
  restarts: number;
  /** Rows the restarts ran on. */
  fittedOn: number;
  warmStart: WarmStartOutcome;
}

/** The value below which `share` of the sorted values lie (nearest rank). */
function percentile(values: Float64Array, share: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(share * (sorted.length - 1)))];
}

/** Renumbers clusters so that empty ones disappear (k-means can empty a cluster). */
function dropEmptyClusters(assignments: Int32Array, k: number): number {
  const sizes = new Int32Array(k);
  for (const cluster of assignments) sizes[cluster]++;
  const renumbered = new Int32Array(k).fill(-1);
  let next = 0;
  for (let cluster = 0; cluster < k; cluster++) if (sizes[cluster] > 0) renumbered[cluster] = next++;
  if (next < k) for (let row = 0; row < assignments.length; row++) assignments[row] = renumbered[assignments[row]];
  return next;
}

/** The best of the restarts: on every row, or on a sample and then refined over every row. */
function coldStart(
  vectors: Float64Array,
  rows: number,
  dimensions: number,
  options: KMeansModelOptions,
  sampled: boolean,
): KMeansResult {
  const { k, seed, parallel } = options;
  // One step more than the restarts: the centroids and scores come after them.
  const onProgress = (done: number, total: number) => options.onProgress?.(done, total + 1);
  if (!sampled) return kMeans(vectors, rows, dimensions, { k, seed, restarts: options.restarts, onProgress, parallel });
  const sampleRows = new SeededRandom(deriveSeed(seed, 2)).sampleIndexes(rows, options.sampleSize);
  const sample = gatherRows(vectors, dimensions, sampleRows);
  const fitted = kMeans(sample, sampleRows.length, dimensions, {
    k,
    seed,
    restarts: options.sampledRestarts,
    onProgress,
    parallel,
  });
  return lloyd(vectors, rows, dimensions, fitted.centroids, k, options.refinementIterations);
}

/**
 * Lloyd iterations from the previous topics (warm-start.ts), kept unless their inertia is more
 * than `warmStartTolerance` above the cold start's, so that stability never costs more than that
 * in quality.
 */
function warmStart(
  vectors: Float64Array,
  rows: number,
  dimensions: number,
  cold: KMeansResult,
  options: KMeansModelOptions,
  sampled: boolean,
): { partition: KMeansResult; warmStart: WarmStartOutcome } {
  if (options.previousTopicOf === null) return { partition: cold, warmStart: { outcome: 'off' } };
  const start = warmStartCentroids(vectors, rows, dimensions, options.previousTopicOf, options.k, deriveSeed(options.seed, 5));
  if (start === null) return { partition: cold, warmStart: { outcome: 'none' } };
  const iterations = sampled ? options.refinementIterations : options.warmStartIterations;
  const warm = lloyd(vectors, rows, dimensions, start.centroids, options.k, iterations);
  const accepted = warm.inertia <= cold.inertia * (1 + options.warmStartTolerance);
  return {
    partition: accepted ? warm : cold,
    warmStart: {
      outcome: accepted ? 'used' : 'rejected',
      warmInertia: warm.inertia,
      coldInertia: cold.inertia,
      previousTopics: start.previousTopics,
    },
  };
}

/**
 * The third stage: k-means on the unit document vectors (scikit-learn's KMeans, mljs's
 * ml-kmeans). The model keeps each topic's centroid direction; `predict` places rows at the
 * nearest one by cosine, with the cosine as score, flagged weak below the fit's `weakThreshold`.
 */
export class KMeansModel {
  /** The centroids as Float64 rows, which dotRows reads. */
  private readonly centroidRows: Float64Array;

  constructor(
    /** k × dimensions, row-major, unit rows. */
    readonly centroids: Float32Array,
    readonly k: number,
    readonly dimensions: number,
    /** A membership scoring below this is weak: the fit's `weakPercentile` of its scores. */
    readonly weakThreshold: number,
  ) {
    this.centroidRows = new Float64Array(centroids);
  }

  /**
   * Fits k topics to `vectors` (rows × dimensions, unit rows): the best cold start, or the warm
   * start from the previous topics when it is as good. Clusters k-means emptied are dropped, so
   * the model may have fewer than `options.k` topics. A row's membership is the topic k-means
   * gave it (scikit-learn's labels_), scored by cosine with that topic's centroid direction.
   */
  static fit(vectors: Float64Array, dimensions: number, options: KMeansModelOptions): KMeansFit {
    const rows = vectors.length / dimensions;
    const sampled = rows > options.sampleSize;
    const cold = coldStart(vectors, rows, dimensions, options, sampled);
    const { partition, warmStart: outcome } = warmStart(vectors, rows, dimensions, cold, options, sampled);
    const { assignments } = partition;
    const k = dropEmptyClusters(assignments, options.k);
    const centroidDirections = groupMeanDirections(vectors, dimensions, assignments, k);
    const scores = centroidSimilarities(vectors, dimensions, assignments, centroidDirections);
    const weakThreshold = percentile(scores, options.weakPercentile);
    const model = new KMeansModel(new Float32Array(centroidDirections), k, dimensions, weakThreshold);
    return {
      model,
      assignments,
      memberships: Array.from(assignments, (topic, row) => model.membership(topic, scores[row])),
      centroidDirections,
      inertia: partition.inertia,
      restarts: sampled ? options.sampledRestarts : options.restarts,
      fittedOn: sampled ? options.sampleSize : rows,
      warmStart: outcome,
    };
  }

  /** The nearest topic of each row (rows × dimensions, unit rows) by cosine; a row of zeros scores 0. */
  predict(vectors: Float64Array): Membership[] {
    const rows = vectors.length / this.dimensions;
    return Array.from({ length: rows }, (_, row) => {
      let topic = 0;
      let score = -Infinity;
      for (let candidate = 0; candidate < this.k; candidate++) {
        const similarity = dotRows(vectors, row, this.centroidRows, candidate, this.dimensions);
        if (similarity > score) {
          score = similarity;
          topic = candidate;
        }
      }
      return this.membership(topic, score);
    });
  }

  private membership(topic: number, score: number): Membership {
    return { topic, score, weak: score < this.weakThreshold };
  }
}
