/**
 * Initial centroids for k-means from the topics of the previous run, mapped into this run's space:
 * each previous topic becomes the mean of its articles' new vectors. Starting there, k-means
 * settles on the partition it had before unless the data moved, so re-running an unchanged corpus
 * does not reshuffle topics (whatever the seed of the new space).
 *
 * When fewer topics are asked for than there were, the two closest previous topics are merged
 * (by centroid cosine) until the count fits; when more are asked for, k-means++ adds the missing
 * centres among the articles farthest from the existing ones.
 */
import { denseMatrix, dotRows } from '../numeric/dense-matrix.js';
import { addKMeansPlusPlusCentres } from '../numeric/kmeans-starts.js';
import { uniformStream } from '../numeric/random.js';

export interface WarmStart {
  /** k × width, row-major: where k-means starts. */
  centroids: Float64Array;
  /** Previous topics found among the rows (before merging or adding centres). */
  previousTopics: number;
}

interface Group {
  sum: Float64Array;
  count: number;
}

function cosine(a: Group, b: Group, width: number): number {
  const norms = Math.sqrt(dotRows(a.sum, 0, a.sum, 0, width) * dotRows(b.sum, 0, b.sum, 0, width));
  return norms === 0 ? 0 : dotRows(a.sum, 0, b.sum, 0, width) / norms;
}

/** Merges the most similar pair of groups until `k` remain. */
function mergeClosest(groups: Group[], k: number, width: number): void {
  while (groups.length > k) {
    let bestA = 0;
    let bestB = 1;
    let best = -Infinity;
    for (let a = 0; a < groups.length; a++) {
      for (let b = a + 1; b < groups.length; b++) {
        const similarity = cosine(groups[a], groups[b], width);
        if (similarity > best) {
          best = similarity;
          bestA = a;
          bestB = b;
        }
      }
    }
    const [merged] = groups.splice(bestB, 1);
    for (let d = 0; d < width; d++) groups[bestA].sum[d] += merged.sum[d];
    groups[bestA].count += merged.count;
  }
}

/**
 * k initial centroids from `previousGroups` (the previous topic of each row, −1 for rows that had
 * none, such as new articles); null when no row had a previous topic.
 */
export function warmStartCentroids(
  vectors: Float64Array,
  rows: number,
  width: number,
  previousGroups: Int32Array,
  k: number,
  seed: number,
): WarmStart | null {
  if (previousGroups.length !== rows) {
    throw new RangeError(`previousGroups has ${previousGroups.length} entries for ${rows} rows`);
  }
  const byGroup = new Map<number, Group>();
  for (let row = 0; row < rows; row++) {
    const previous = previousGroups[row];
    if (previous < 0) continue;
    let group = byGroup.get(previous);
    if (group === undefined) {
      group = { sum: new Float64Array(width), count: 0 };
      byGroup.set(previous, group);
    }
    const offset = row * width;
    for (let d = 0; d < width; d++) group.sum[d] += vectors[offset + d];
    group.count++;
  }
  if (byGroup.size === 0) return null;
  // In the order of the previous topics, so the result does not depend on the rows' order.
  const groups = [...byGroup.entries()].sort(([a], [b]) => a - b).map(([, group]) => group);
  const previousTopics = groups.length;
  mergeClosest(groups, k, width);
  const centroids = new Float64Array(k * width);
  groups.forEach((group, c) => {
    for (let d = 0; d < width; d++) centroids[c * width + d] = group.sum[d] / group.count;
  });
  if (groups.length < k)
    addKMeansPlusPlusCentres(denseMatrix(rows, width, vectors), centroids, groups.length, k, uniformStream(seed));
  return { centroids, previousTopics };
}
