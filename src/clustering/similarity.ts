import { denseMatrix, dotRows, gatherRows, normaliseRows, transposeDense } from '../numeric/dense-matrix.js';
import { deriveSeed } from '../numeric/random.js';
import { defaultParallel, type Parallel } from '../parallel/compute.js';
import { kMeans, nearestCentroids } from './kmeans.js';
import type { Neighbour } from './types.js';

export interface NeighbourSearchOptions {
  seed: number;
  /** Neighbours kept per document. */
  limit: number;
  /** Topics up to this size are searched exhaustively. */
  exhaustiveUpTo: number;
  /** Larger topics are split into sub-clusters of about this size. */
  partSize: number;
  /** Each sub-cluster is also searched in this many of its nearest sibling sub-clusters. */
  neighbourParts: number;
}

/** Sub-clusters of 200 searched with their two nearest siblings: nearly the exact neighbours at half the cost (docs/decisions.md D11). */
export const DEFAULT_NEIGHBOUR_SEARCH: NeighbourSearchOptions = {
  seed: 42,
  limit: 5,
  exhaustiveUpTo: 1000,
  partSize: 200,
  neighbourParts: 2,
};

/** Cosine of every row with its topic's centroid direction (rows are unit vectors). */
export function centroidSimilarities(
  vectors: Float64Array,
  width: number,
  assignments: Int32Array,
  centroidDirections: Float64Array,
): Float64Array {
  const scores = new Float64Array(assignments.length);
  for (let row = 0; row < assignments.length; row++) {
    scores[row] = dotRows(vectors, row, centroidDirections, assignments[row], width);
  }
  return scores;
}

/** Per topic, the other topics by cosine of their centroid directions, best first. */
export function relatedTopics(centroidDirections: Float64Array, k: number, width: number, limit: number): Neighbour[][] {
  const related: Neighbour[][] = [];
  for (let topic = 0; topic < k; topic++) {
    const others: Neighbour[] = [];
    for (let other = 0; other < k; other++) {
      if (other !== topic)
        others.push({ index: other, score: dotRows(centroidDirections, topic, centroidDirections, other, width) });
    }
    others.sort((a, b) => b.score - a.score || a.index - b.index);
    related.push(others.slice(0, limit));
  }
  return related;
}

/** The best `limit` (index, score) pairs seen for each row. */
class TopNeighbours {
  readonly indexes: Int32Array;
  readonly scores: Float64Array;
  readonly counts: Int32Array;
  /** The score a candidate must reach to enter each row's list: a cheap test before `offer`. */
  readonly floor: Float64Array;

  constructor(
    rows: number,
    private readonly limit: number,
  ) {
    this.indexes = new Int32Array(rows * limit);
    this.scores = new Float64Array(rows * limit);
    this.counts = new Int32Array(rows);
    this.floor = new Float64Array(rows).fill(-Infinity);
  }

  offer(row: number, index: number, score: number): void {
    const base = row * this.limit;
    let count = this.counts[row];
    if (count === this.limit) {
      const worst = base + count - 1;
      if (score < this.scores[worst] || (score === this.scores[worst] && index > this.indexes[worst])) return;
      count--;
    } else {
      this.counts[row] = count + 1;
    }
    let position = base + count;
    while (
      position > base &&
      (this.scores[position - 1] < score || (this.scores[position - 1] === score && this.indexes[position - 1] > index))
    ) {
      this.scores[position] = this.scores[position - 1];
      this.indexes[position] = this.indexes[position - 1];
      position--;
    }
    this.scores[position] = score;
    this.indexes[position] = index;
    if (this.counts[row] === this.limit) this.floor[row] = this.scores[base + this.limit - 1];
  }

  toNeighbours(row: number): Neighbour[] {
    const result: Neighbour[] = [];
    for (let i = 0; i < this.counts[row]; i++) {
      result.push({ index: this.indexes[row * this.limit + i], score: this.scores[row * this.limit + i] });
    }
    return result;
  }
}

/** Rows of a block compared with the rest of the block at a time (bounds the scratch space). */
const CHUNK_ROWS = 128;

/**
 * Offers every pair between two disjoint blocks of rows to `top`, or every pair within one
 * block when `right` is null (then only the upper triangle is computed, in chunks of rows).
 */
function compareBlocks(
  parallel: Parallel,
  vectors: Float64Array,
  width: number,
  left: Int32Array,
  right: Int32Array | null,
  top: TopNeighbours,
): void {
  const { allocate } = parallel;
  if (right !== null) {
    const leftVectors = denseMatrix(left.length, width, gatherRows(vectors, width, left, allocate.float64(left.length * width)));
    const rightColumns = transposeDense(
      gatherRows(vectors, width, right),
      right.length,
      width,
      allocate.float64(right.length * width),
    );
    const similarities = parallel.multiplyDense(leftVectors, denseMatrix(width, right.length, rightColumns)).values;
    for (let i = 0; i < left.length; i++) {
      const offset = i * right.length;
      const row = left[i];
      for (let j = 0; j < right.length; j++) {
        const score = similarities[offset + j];
        if (score >= top.floor[row]) top.offer(row, right[j], score);
        if (score >= top.floor[right[j]]) top.offer(right[j], row, score);
      }
    }
    return;
  }
  // Within one block: each chunk of rows against the rows from the chunk on (the upper
  // triangle), from one transpose of the block, into one scratch.
  const rows = left.length;
  const blockVectors = gatherRows(vectors, width, left, allocate.float64(rows * width));
  const columns = denseMatrix(width, rows, transposeDense(blockVectors, rows, width, allocate.float64(rows * width)));
  const similarities = allocate.float64(Math.min(CHUNK_ROWS, rows) * rows);
  for (let from = 0; from < rows; from += CHUNK_ROWS) {
    const chunkRows = Math.min(CHUNK_ROWS, rows - from);
    const chunk = denseMatrix(chunkRows, width, blockVectors.subarray(from * width, (from + chunkRows) * width));
    parallel.multiplyDense(chunk, columns, { into: denseMatrix(chunkRows, rows, similarities), fromColumn: from });
    for (let i = 0; i < chunkRows; i++) {
      const offset = i * rows;
      const row = left[from + i];
      for (let j = from + i + 1; j < rows; j++) {
        const score = similarities[offset + j];
        const other = left[j];
        if (score >= top.floor[row]) top.offer(row, other, score);
        if (score >= top.floor[other]) top.offer(other, row, score);
      }
    }
  }
}

/**
 * Splits a large topic into sub-clusters of about `partSize` rows with seeded k-means, fitted on
 * a sample and applied to all rows; parts that still come out too large are split again.
 */
function partition(
  parallel: Parallel,
  vectors: Float64Array,
  width: number,
  rows: Int32Array,
  options: NeighbourSearchOptions,
  seed: number,
): Int32Array[] {
  if (rows.length <= options.exhaustiveUpTo) return [rows];
  const parts = Math.ceil(rows.length / options.partSize);
  const topicVectors = gatherRows(vectors, width, rows);
  const sampleSize = Math.min(rows.length, parts * 20);
  const sampleStep = rows.length / sampleSize;
  const sampleRows = Int32Array.from({ length: sampleSize }, (_, i) => Math.floor(i * sampleStep));
  const fitted = kMeans(gatherRows(topicVectors, width, sampleRows), sampleSize, width, {
    k: parts,
    seed,
    restarts: 1,
    maxIterations: 10,
    parallel,
  });
  const assignment = nearestCentroids(topicVectors, rows.length, width, fitted.centroids, parts);
  const members: number[][] = Array.from({ length: parts }, () => []);
  assignment.forEach((part, i) => members[part].push(rows[i]));
  const nonEmpty = members.filter((part) => part.length > 0).map((part) => Int32Array.from(part));
  if (nonEmpty.length === 1) {
    // Degenerate split (identical vectors): cut in halves instead.
    const half = rows.length >> 1;
    return [rows.subarray(0, half), rows.subarray(half)].flatMap((part, i) =>
      partition(parallel, vectors, width, part, options, deriveSeed(seed, i)),
    );
  }
  return nonEmpty.flatMap((part, i) =>
    part.length > 3 * options.partSize ? partition(parallel, vectors, width, part, options, deriveSeed(seed, i)) : [part],
  );
}

/** Mean direction of each part's rows. */
function partDirections(vectors: Float64Array, width: number, parts: Int32Array[]): Float64Array {
  const sums = new Float64Array(parts.length * width);
  parts.forEach((part, index) => {
    const offset = index * width;
    for (const row of part) {
      for (let d = 0; d < width; d++) sums[offset + d] += vectors[row * width + d];
    }
  });
  normaliseRows(sums, width);
  return sums;
}

/**
 * The most similar other documents of every document (cosine of the unit reduced vectors),
 * searched only within its topic, so the cost is not quadratic in the corpus: topics up to
 * `exhaustiveUpTo` rows exhaustively, larger ones by sub-cluster plus its nearest sibling
 * sub-clusters.
 */
export function relatedDocuments(
  vectors: Float64Array,
  width: number,
  assignments: Int32Array,
  k: number,
  options: NeighbourSearchOptions,
  onTopicDone?: (done: number, total: number) => void,
  parallel: Parallel = defaultParallel(),
): Neighbour[][] {
  const rows = assignments.length;
  const top = new TopNeighbours(rows, options.limit);
  const members: number[][] = Array.from({ length: k }, () => []);
  for (let row = 0; row < rows; row++) members[assignments[row]].push(row);

  members.forEach((topicMembers, topic) => {
    const parts = partition(parallel, vectors, width, Int32Array.from(topicMembers), options, deriveSeed(options.seed, topic));
    const directions = partDirections(vectors, width, parts);
    const pairs = new Set<number>();
    for (let part = 0; part < parts.length; part++) {
      compareBlocks(parallel, vectors, width, parts[part], null, top);
      const nearest = Array.from({ length: parts.length }, (_, other) => other)
        .filter((other) => other !== part)
        .map((other) => ({ other, score: dotRows(directions, part, directions, other, width) }))
        .sort((a, b) => b.score - a.score || a.other - b.other)
        .slice(0, options.neighbourParts);
      for (const { other } of nearest) pairs.add(Math.min(part, other) * parts.length + Math.max(part, other));
    }
    for (const pair of [...pairs].sort((a, b) => a - b)) {
      compareBlocks(parallel, vectors, width, parts[Math.floor(pair / parts.length)], parts[pair % parts.length], top);
    }
    onTopicDone?.(topic + 1, k);
  });

  return Array.from({ length: rows }, (_, row) => top.toNeighbours(row));
}
