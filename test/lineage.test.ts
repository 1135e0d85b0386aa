/** Topic lineage (MONIC transitions) and warm starts, on plain arrays and on a BBC sample. */
import { describe, expect, it } from 'vitest';
import { clusterDocuments, normalizedMutualInformation } from '../src/clustering/index.js';
import { traceLineage } from '../src/clustering/lineage.js';
import { warmStartCentroids } from '../src/clustering/warm-start.js';
import { readBbcSample } from './helpers/bbc.js';

/** Previous and next group of each article, from runs of [previous, next, count]. */
function articles(...runs: [number, number, number][]): { previous: Int32Array; next: Int32Array } {
  const previous: number[] = [];
  const next: number[] = [];
  for (const [from, to, count] of runs) {
    for (let i = 0; i < count; i++) {
      previous.push(from);
      next.push(to);
    }
  }
  return { previous: Int32Array.from(previous), next: Int32Array.from(next) };
}

describe('traceLineage', () => {
  it('continues a topic that kept most of its articles, whatever new articles joined it', () => {
    const { previous, next } = articles([0, 0, 90], [0, 1, 10], [1, 1, 50], [-1, 1, 500]);
    const lineage = traceLineage(previous, next, 2, 2);
    expect(lineage.clusters).toEqual([
      { kind: 'CONTINUED', inherits: 0 },
      { kind: 'CONTINUED', inherits: 1 },
    ]);
    expect(lineage.ended).toEqual([]);
    expect(lineage.overlaps).toEqual([
      { previous: 0, next: 0, articles: 90, share: 0.9 },
      { previous: 0, next: 1, articles: 10, share: 0.1 },
      { previous: 1, next: 1, articles: 50, share: 1 },
    ]);
  });

  it('merges topics absorbed into one cluster under the largest one’s identity', () => {
    const { previous, next } = articles([0, 0, 40], [1, 0, 95], [1, 1, 5], [2, 1, 60]);
    const lineage = traceLineage(previous, next, 3, 2);
    expect(lineage.clusters[0]).toEqual({ kind: 'MERGED', inherits: 1 });
    expect(lineage.clusters[1]).toEqual({ kind: 'CONTINUED', inherits: 2 });
    expect(lineage.ended).toEqual([{ previous: 0, kind: 'MERGED', into: 0 }]);
  });

  it('splits a topic whose parts each took a large share; the largest part keeps it', () => {
    const { previous, next } = articles([0, 0, 30], [0, 1, 55], [0, 2, 15], [1, 2, 40]);
    const lineage = traceLineage(previous, next, 2, 3);
    expect(lineage.clusters).toEqual([
      { kind: 'SPLIT', inherits: null },
      { kind: 'SPLIT', inherits: 0 },
      { kind: 'CONTINUED', inherits: 1 },
    ]);
    expect(lineage.ended).toEqual([]);
  });

  it('retires a topic that scattered, and gives a cluster of new articles a new topic', () => {
    const { previous, next } = articles([0, 0, 50], [0, 1, 25], [0, 2, 25], [-1, 3, 30], [1, 1, 80], [1, 2, 80]);
    const lineage = traceLineage(previous, next, 2, 4);
    expect(lineage.clusters.map((cluster) => cluster.kind)).toEqual(['BORN', 'SPLIT', 'SPLIT', 'BORN']);
    // Topic 0 kept only half of its articles together: it is gone; topic 1 split in two.
    expect(lineage.clusters[1].inherits).toBe(1);
    expect(lineage.ended).toEqual([{ previous: 0, kind: 'RETIRED', into: null }]);
  });

  it('retires a topic none of whose articles were clustered again (they left the window)', () => {
    const { previous, next } = articles([1, 0, 20]);
    const lineage = traceLineage(previous, next, 2, 1);
    expect(lineage.clusters).toEqual([{ kind: 'CONTINUED', inherits: 1 }]);
    expect(lineage.ended).toEqual([{ previous: 0, kind: 'RETIRED', into: null }]);
    expect(lineage.overlaps.filter((overlap) => overlap.previous === 0)).toEqual([]);
  });

  it('does not let a small topic carry its identity into a cluster of mostly other articles', () => {
    // Two seed articles on North Korea, then a 500-article import: their cluster is about business.
    const { previous, next } = articles([0, 0, 2], [1, 1, 2], [-1, 0, 498], [-1, 1, 30]);
    const lineage = traceLineage(previous, next, 2, 2);
    expect(lineage.clusters).toEqual([
      { kind: 'BORN', inherits: null },
      { kind: 'CONTINUED', inherits: 1 },
    ]);
    expect(lineage.ended).toEqual([{ previous: 0, kind: 'RETIRED', into: null }]);
    expect(traceLineage(previous, next, 2, 2, { minimumClusterShare: 0 }).clusters[0]).toEqual({
      kind: 'CONTINUED',
      inherits: 0,
    });
  });

  it('follows its thresholds, and refuses thresholds that would let a topic survive twice', () => {
    const { previous, next } = articles([0, 0, 65], [0, 1, 35]);
    expect(traceLineage(previous, next, 1, 2).clusters.map((cluster) => cluster.kind)).toEqual(['SPLIT', 'SPLIT']);
    expect(traceLineage(previous, next, 1, 2, { survivalThreshold: 0.6, splitThreshold: 0.4 }).clusters).toEqual([
      { kind: 'CONTINUED', inherits: 0 },
      { kind: 'BORN', inherits: null },
    ]);
    expect(() => traceLineage(previous, next, 1, 2, { survivalThreshold: 0.5 })).toThrow(/above 0.5/);
    expect(() => traceLineage(previous, next, 1, 2, { splitThreshold: 0.8 })).toThrow(/below survivalThreshold/);
  });
});

describe('warmStartCentroids', () => {
  // Four points around each of three corners of the unit square, in two dimensions.
  const corners = [
    [1, 0],
    [0, 1],
    [1, 1],
  ];
  const vectors = Float64Array.from(corners.flatMap(([x, y]) => [x, y, x + 0.01, y, x, y + 0.01, x - 0.01, y]));
  const groups = Int32Array.from(corners.flatMap((_, corner) => [corner, corner, corner, corner]));

  it('places each previous topic at the mean of its articles', () => {
    const start = warmStartCentroids(vectors, 12, 2, groups, 3, 1);
    expect(start?.previousTopics).toBe(3);
    expect(Array.from(start?.centroids ?? []).map((value) => Number(value.toFixed(4)))).toEqual([
      1, 0.0025, 0, 1.0025, 1, 1.0025,
    ]);
  });

  it('merges the closest topics when fewer are asked for, and adds centres when more are', () => {
    const two = warmStartCentroids(vectors, 12, 2, groups, 2, 1);
    // [1, 0] and [1, 1] are the closest pair by direction (45°), [0, 1] stays alone.
    expect(Array.from(two?.centroids ?? []).map((value) => Number(value.toFixed(2)))).toEqual([1, 0.5, 0, 1]);
    const four = warmStartCentroids(vectors, 12, 2, groups, 4, 1);
    expect(four?.centroids.length).toBe(8);
    expect(Array.from(four?.centroids.subarray(0, 6) ?? []).map((value) => Number(value.toFixed(4)))).toEqual([
      1, 0.0025, 0, 1.0025, 1, 1.0025,
    ]);
  });

  it('has nothing to start from when no article had a topic', () => {
    expect(warmStartCentroids(vectors, 12, 2, new Int32Array(12).fill(-1), 3, 1)).toBeNull();
  });
});

describe('re-clustering with the previous topics', () => {
  const sample = readBbcSample();

  it('keeps every topic and nearly every article in place under another seed, at the same quality', () => {
    const first = clusterDocuments(sample, { k: 5, seed: 1 });
    const previous = { topicOf: Int32Array.from(first.memberships, (membership) => membership.topic), topicCount: first.k };
    const second = clusterDocuments(sample, { k: 5, seed: 2, previous });
    expect(second.parameters.warmStart).toBe('used');
    expect(second.lineage?.clusters.map((cluster) => cluster.kind)).toEqual(Array(5).fill('CONTINUED'));
    const heirOf = second.lineage?.clusters.map((cluster) => cluster.inherits) ?? [];
    const kept = second.memberships.filter((membership, row) => heirOf[membership.topic] === previous.topicOf[row]).length;
    expect(kept / sample.length).toBeGreaterThanOrEqual(0.98);
    const truth = sample.map((article) => article.category);
    const nmi = (result: typeof first) =>
      normalizedMutualInformation(
        truth,
        result.memberships.map((m) => m.topic),
      );
    expect(nmi(second)).toBeGreaterThan(nmi(first) - 0.02);
  });

  it('reports a new subject as BORN and the old ones as CONTINUED', () => {
    const withoutSport = sample.filter((article) => article.category !== 'sport');
    const first = clusterDocuments(withoutSport, { k: 4, seed: 1 });
    let next = 0;
    const topicOf = Int32Array.from(sample, (article) => (article.category === 'sport' ? -1 : first.memberships[next++].topic));
    const second = clusterDocuments(sample, { k: 5, seed: 2, previous: { topicOf, topicCount: 4 } });
    const kinds = second.lineage?.clusters.map((cluster) => cluster.kind).sort();
    expect(kinds).toEqual(['BORN', 'CONTINUED', 'CONTINUED', 'CONTINUED', 'CONTINUED']);
    const born = second.lineage?.clusters.findIndex((cluster) => cluster.kind === 'BORN') ?? -1;
    const sportInBorn = sample.filter((article, row) => article.category === 'sport' && second.memberships[row].topic === born);
    expect(sportInBorn.length).toBeGreaterThan(90);
  });
});
