/**
 * Lineage of topics from one clustering run to the next, by the articles they share, in the
 * transition kinds of MONIC (Spiliopoulou et al., "MONIC – Modeling and Monitoring Cluster
 * Transitions", KDD 2006):
 *
 * - CONTINUED: one previous topic carries on in one new cluster (it sent at least the survival
 *   share of its articles there, and nothing else was absorbed into it);
 * - MERGED: several previous topics each sent at least the survival share of their articles into
 *   one new cluster; it keeps the identity of the largest of them, the others end there (absorbed);
 * - SPLIT: one previous topic divides into several clusters, each taking at least the split share
 *   of its articles and together at least the survival share; the largest part keeps its identity,
 *   the other parts are new topics that record where they came from;
 * - BORN: a new cluster that carries on no previous topic;
 * - RETIRED: a previous topic that carries on in no new cluster and was absorbed by none.
 *
 * Shares are always of the previous topic's articles that the new run clustered: new articles
 * count towards no previous topic, and articles that left (a clustering window) towards none.
 * Besides, a cluster carries on a topic only where that topic's articles are not lost in it
 * (`minimumClusterShare`).
 */

export type TopicChangeKind = 'BORN' | 'CONTINUED' | 'MERGED' | 'SPLIT' | 'RETIRED';

export interface LineageOptions {
  /**
   * Share of a previous topic's articles a new cluster must receive for the topic to carry on
   * in it (MONIC's τ; 0.7, the default of the CRAN package clusTransition). Above 0.5, so that a
   * topic carries on in at most one cluster.
   */
  survivalThreshold: number;
  /** Smallest share of a previous topic that counts as a part of a split (clusTransition: 0.3). */
  splitThreshold: number;
  /**
   * A cluster carries on a previous topic (or takes part of it in a split) only if the topic's
   * articles make up at least this share of the cluster: two seed articles about North Korea do not
   * make a 500-article business topic of an imported corpus carry their identity (and slug). A
   * topic may still grow twentyfold between runs.
   */
  minimumClusterShare: number;
  /** Overlaps below this share of the previous topic are not recorded (the largest always is). */
  minimumRecordedShare: number;
}

export const LINEAGE_DEFAULTS: LineageOptions = {
  survivalThreshold: 0.7,
  splitThreshold: 0.3,
  minimumClusterShare: 0.05,
  minimumRecordedShare: 0.05,
};

export interface TopicOverlap {
  previous: number;
  next: number;
  /** Articles in both. */
  articles: number;
  /** `articles` as a share of the previous topic's articles clustered in the new run. */
  share: number;
}

export interface ClusterLineage {
  kind: Exclude<TopicChangeKind, 'RETIRED'>;
  /** The previous topic whose identity this cluster takes; null for a new topic. */
  inherits: number | null;
}

export interface EndedTopic {
  previous: number;
  /** MERGED: absorbed into a merge that another topic's identity carries on; RETIRED: gone. */
  kind: 'MERGED' | 'RETIRED';
  /** For MERGED, the cluster it was absorbed into. */
  into: number | null;
}

export interface Lineage {
  /** One per new cluster. */
  clusters: ClusterLineage[];
  /** Previous topics that carry on in no cluster. */
  ended: EndedTopic[];
  /** The recorded overlaps, by previous topic then by size. */
  overlaps: TopicOverlap[];
}

function validate(options: LineageOptions): void {
  const { survivalThreshold, splitThreshold, minimumClusterShare, minimumRecordedShare } = options;
  if (!(survivalThreshold > 0.5 && survivalThreshold <= 1)) {
    throw new RangeError(`survivalThreshold must be above 0.5 and at most 1, got ${survivalThreshold}`);
  }
  if (!(splitThreshold > 0 && splitThreshold < survivalThreshold)) {
    throw new RangeError(`splitThreshold must be above 0 and below survivalThreshold, got ${splitThreshold}`);
  }
  if (!(minimumClusterShare >= 0 && minimumClusterShare <= 1)) {
    throw new RangeError(`minimumClusterShare must be from 0 to 1, got ${minimumClusterShare}`);
  }
  if (!(minimumRecordedShare >= 0 && minimumRecordedShare <= 1)) {
    throw new RangeError(`minimumRecordedShare must be from 0 to 1, got ${minimumRecordedShare}`);
  }
}

/**
 * Traces how `previousCount` previous topics became `nextCount` new clusters.
 * `previousTopicOf[row]` is the previous topic of each clustered article (−1 when it had none);
 * `clusterOf[row]` its new cluster.
 */
export function traceLineage(
  previousTopicOf: ArrayLike<number>,
  clusterOf: ArrayLike<number>,
  previousCount: number,
  nextCount: number,
  options: Partial<LineageOptions> = {},
): Lineage {
  const settings = { ...LINEAGE_DEFAULTS, ...options };
  validate(settings);
  if (previousTopicOf.length !== clusterOf.length) {
    throw new RangeError(`${previousTopicOf.length} previous topics for ${clusterOf.length} articles`);
  }
  const shared = new Int32Array(previousCount * nextCount);
  const previousSize = new Int32Array(previousCount);
  const clusterSize = new Int32Array(nextCount);
  for (let row = 0; row < clusterOf.length; row++) {
    clusterSize[clusterOf[row]]++;
    const previous = previousTopicOf[row];
    if (previous < 0) continue;
    shared[previous * nextCount + clusterOf[row]]++;
    previousSize[previous]++;
  }
  const articles = (previous: number, next: number) => shared[previous * nextCount + next];
  const share = (previous: number, next: number) =>
    previousSize[previous] === 0 ? 0 : articles(previous, next) / previousSize[previous];
  /** Whether `previous` has enough of its articles in `next` (and they matter enough there) to carry on in it. */
  const carriesOn = (previous: number, next: number, threshold: number) =>
    share(previous, next) >= threshold && articles(previous, next) >= settings.minimumClusterShare * clusterSize[next];
  // Larger previous topics first; ties by index, so the outcome never depends on anything else.
  const bySize = Array.from({ length: previousCount }, (_, previous) => previous).sort(
    (a, b) => previousSize[b] - previousSize[a] || a - b,
  );

  // The previous topics each cluster mostly absorbed (each topic is absorbed by at most one).
  const absorbed: number[][] = Array.from({ length: nextCount }, () => []);
  for (const previous of bySize) {
    for (let next = 0; next < nextCount; next++) {
      if (previousSize[previous] > 0 && carriesOn(previous, next, settings.survivalThreshold)) absorbed[next].push(previous);
    }
  }

  const clusters: (ClusterLineage | undefined)[] = new Array(nextCount).fill(undefined);
  const settled = new Set<number>();

  for (let next = 0; next < nextCount; next++) {
    if (absorbed[next].length < 2) continue;
    // `absorbed` lists the larger topics first.
    clusters[next] = { kind: 'MERGED', inherits: absorbed[next][0] };
    for (const previous of absorbed[next]) settled.add(previous);
  }

  for (const previous of bySize) {
    if (settled.has(previous) || previousSize[previous] === 0) continue;
    const parts: number[] = [];
    for (let next = 0; next < nextCount; next++) {
      const free = clusters[next] === undefined && absorbed[next].every((other) => other === previous);
      if (free && carriesOn(previous, next, settings.splitThreshold)) parts.push(next);
    }
    const covered = parts.reduce((sum, next) => sum + share(previous, next), 0);
    if (parts.length < 2 || covered < settings.survivalThreshold) continue;
    parts.sort((a, b) => articles(previous, b) - articles(previous, a) || a - b);
    parts.forEach((next, part) => {
      clusters[next] = { kind: 'SPLIT', inherits: part === 0 ? previous : null };
    });
    settled.add(previous);
  }

  for (let next = 0; next < nextCount; next++) {
    if (clusters[next] !== undefined || absorbed[next].length !== 1 || settled.has(absorbed[next][0])) continue;
    clusters[next] = { kind: 'CONTINUED', inherits: absorbed[next][0] };
    settled.add(absorbed[next][0]);
  }

  const heirs = new Set(clusters.flatMap((cluster) => (cluster?.inherits != null ? [cluster.inherits] : [])));
  const ended: EndedTopic[] = [];
  for (let previous = 0; previous < previousCount; previous++) {
    if (heirs.has(previous)) continue;
    const into = absorbed.findIndex((topics, next) => clusters[next]?.kind === 'MERGED' && topics.includes(previous));
    ended.push(into >= 0 ? { previous, kind: 'MERGED', into } : { previous, kind: 'RETIRED', into: null });
  }

  const overlaps: TopicOverlap[] = [];
  for (let previous = 0; previous < previousCount; previous++) {
    const targets: TopicOverlap[] = [];
    for (let next = 0; next < nextCount; next++) {
      if (articles(previous, next) > 0) {
        targets.push({ previous, next, articles: articles(previous, next), share: share(previous, next) });
      }
    }
    targets.sort((a, b) => b.articles - a.articles || a.next - b.next);
    overlaps.push(...targets.filter((overlap, rank) => rank === 0 || overlap.share >= settings.minimumRecordedShare));
  }

  return {
    clusters: clusters.map((cluster) => cluster ?? { kind: 'BORN', inherits: null }),
    ended,
    overlaps,
  };
}
