import { createCorpus, LEAD_EXTRA_WEIGHT, TITLE_WEIGHT, type Corpus } from '../text/corpus.js';
import { selectRows, type CsrMatrix } from '../text/sparse-matrix.js';
import { buildTfidfMatrix, documentFrequencyLimitsFor } from '../text/tfidf.js';
import { chooseTopicCount } from './choose-k.js';
import { gatherRows, groupMeanDirections, normaliseRows } from './dense-matrix.js';
import { addDocuments } from './helper-thread.js';
import { kMeans, lloyd } from './kmeans.js';
import { LINEAGE_DEFAULTS, type LineageOptions, traceLineage } from './lineage.js';
import { labelTopics } from './labels.js';
import { SeededRandom, deriveSeed } from './seeded-random.js';
import { cosineSilhouette } from './silhouette.js';
import { centroidSimilarities, DEFAULT_NEIGHBOUR_SEARCH, relatedDocuments, relatedTopics } from './similarity.js';
import { projectOntoComponents, randomizedTruncatedSvd } from './truncated-svd.js';
import { warmStartCentroids } from './warm-start.js';
import type {
  ClusterDocument,
  ClusterOptions,
  ClusteringResult,
  ClusteringStage,
  KSelection,
  Membership,
  TopicResult,
} from './types.js';

/**
 * Settings of the pipeline, chosen on the BBC benchmark (scripts/bench-cluster.ts) and recorded
 * in every run's `parameters`.
 */
export const CLUSTERING_DEFAULTS = {
  seed: 42,
  /**
   * LSA dimensions (fewer for small corpora: below the number of documents and terms). On BBC
   * News (k = 5, 50 seeds) 80 give the quality of 100 (NMI 0.902 against 0.904, worst seed 0.891
   * against 0.893; ARI 0.929 against 0.930) in 13% less time: the products of the SVD shrink
   * with the width, its small dense ones with its square, and k-means and the neighbour search
   * with the width too.
   */
  maxDimensions: 80,
  /**
   * A small corpus gets about one dimension per four documents: with as many dimensions as
   * documents LSA removes no noise (36 BBC articles in 3 categories: NMI 0.28 with 35
   * dimensions, 0.60 with 9).
   */
  documentsPerDimension: 4,
  /** Extra sketch columns of the randomized SVD (Halko et al. suggest 5 to 10). */
  oversamples: 10,
  /**
   * Power iterations of the randomized SVD. Fewer leave the trailing dimensions noisy enough to
   * tip k-means into another partition for some seeds: on BBC News (k = 5, 10 seeds) NMI spread
   * 0.03 and worst ARI 0.90 with two, 0.01 and 0.93 with three.
   */
  powerIterations: 3,
  /**
   * k-means++ restarts (ml-kmeans, two at a time); the lowest inertia wins. Four gave BBC the same
   * NMI and ARI as ten (0.904 / 0.930 over 5 seeds, 100 dimensions) in 40% of the time; two let
   * a seed in ten fall into a worse partition (NMI 0.77).
   */
  restarts: 4,
  /** Above this many documents the SVD is fitted on a sample of this size, then applied to all. */
  svdSampleSize: 10_000,
  /** Above this many documents k-means restarts run on a sample; all rows then refine the best. */
  kMeansSampleSize: 20_000,
  largeCorpusRestarts: 3,
  /** Lloyd iterations over the full corpus after fitting on a sample. */
  fullCorpusIterations: 20,
  /** Lloyd iterations from the previous run's topics (they start close to where they end). */
  warmStartIterations: 100,
  /**
   * The warm start's partition is kept while its inertia is at most this much (relative) above the
   * best cold start's. Where the warm start finds the cold starts' partition again (BBC News re-run
   * with another seed), the two differ by under 0.01%; where it settles in a worse one (a new
   * section half absorbed by an old topic, 500 BBC articles), by 0.9% and more.
   */
  warmStartTolerance: 0.002,
  silhouetteSampleSize: 500,
  /** Members whose centroid similarity is in the lowest tenth of the run are flagged weak. */
  weakPercentile: 0.1,
  relatedTopics: 5,
} as const;

type Timings = ClusteringResult['timings'];

function lineageParameters(options: Partial<LineageOptions> | undefined): Record<string, number> {
  const settings = { ...LINEAGE_DEFAULTS, ...options };
  return {
    lineageSurvivalThreshold: settings.survivalThreshold,
    lineageSplitThreshold: settings.splitThreshold,
    lineageMinimumClusterShare: settings.minimumClusterShare,
    lineageMinimumRecordedShare: settings.minimumRecordedShare,
  };
}

function emptyResult(seed: number): ClusteringResult {
  return {
    k: 0,
    kSelection: null,
    topics: [],
    memberships: [],
    relatedDocuments: [],
    relatedTopics: [],
    lineage: null,
    model: {
      vocabulary: [],
      idf: new Float32Array(0),
      components: new Float32Array(0),
      dimensions: 0,
      centroids: new Float32Array(0),
      k: 0,
      weakThreshold: 0,
    },
    quality: { inertia: 0, silhouette: null },
    timings: {},
    parameters: { documents: 0, seed },
  };
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

type Progress = (stage: ClusteringStage, done: number, total: number) => void;

interface Reduction {
  /** documents × dimensions, unit rows. */
  vectors: Float64Array;
  dimensions: number;
  /** dimensions × vocabulary: the stored model's projection. */
  components: Float32Array;
  singularValues: Float64Array;
  /** Documents the SVD was fitted on. */
  fittedOn: number;
}

/** LSA: randomized truncated SVD of the tf-idf matrix, weighted and normalised document vectors. */
function reduce(matrix: CsrMatrix, seed: number, progress: Progress): Reduction {
  const settings = CLUSTERING_DEFAULTS;
  const documents = matrix.rows;
  const vocabularySize = matrix.columns;
  const requestedDimensions = Math.max(
    1,
    Math.min(
      settings.maxDimensions,
      Math.max(2, Math.ceil(documents / settings.documentsPerDimension)),
      documents - 1,
      vocabularySize - 1,
    ),
  );
  const sampled = documents > settings.svdSampleSize;
  const fittedRows = sampled ? new SeededRandom(deriveSeed(seed, 1)).sampleIndexes(documents, settings.svdSampleSize) : null;
  const svd = randomizedTruncatedSvd(fittedRows === null ? matrix : selectRows(matrix, fittedRows), {
    dimensions: requestedDimensions,
    seed,
    oversamples: settings.oversamples,
    powerIterations: settings.powerIterations,
    onProgress: (done, total) => progress('reduce', done, total + 1),
  });
  const dimensions = Math.max(1, svd.dimensions);
  const components = svd.dimensions > 0 ? svd.components : new Float32Array(vocabularySize);
  // Documents the SVD saw are U·Σ; the others are projected onto the components (V), as a later
  // import projects new articles with the stored model.
  const vectors = sampled || svd.dimensions === 0 ? projectOntoComponents(matrix, components, dimensions) : svd.rowVectors;
  normaliseRows(vectors, dimensions);
  progress('reduce', 1, 1);
  return { vectors, dimensions, components, singularValues: svd.singularValues, fittedOn: fittedRows?.length ?? documents };
}

interface Partition {
  k: number;
  kSelection: KSelection | null;
  assignments: Int32Array;
  inertia: number;
  restarts: number;
  /** Documents the k-means restarts ran on. */
  fittedOn: number;
  warmStart: WarmStartOutcome;
}

/**
 * What became of the warm start: `used` (its partition won), `rejected` (its inertia was more
 * than warmStartTolerance above the best cold start's), `off` (not asked for) or `none` (no
 * document had a previous topic).
 */
type WarmStartOutcome = {
  outcome: 'used' | 'rejected' | 'off' | 'none';
  /** Inertia of the warm start and of the best cold start, when both ran. */
  warmInertia?: number;
  coldInertia?: number;
  previousTopics?: number;
};

/**
 * k-means on the reduced vectors, with k chosen from the spectrum when not given. With the
 * previous run's topics, k-means also starts from them (warm-start.ts); that partition is kept
 * unless its inertia is more than `warmStartTolerance` above the best cold start's, so stability
 * never costs more than that in quality.
 */
function partitionDocuments(
  reduction: Reduction,
  options: Pick<ClusterOptions, 'k' | 'previous' | 'warmStart'>,
  seed: number,
  progress: Progress,
): Partition {
  const settings = CLUSTERING_DEFAULTS;
  const { vectors, dimensions } = reduction;
  const documents = vectors.length / dimensions;
  let kSelection = options.k === undefined ? chooseTopicCount(reduction.singularValues, documents) : null;
  const k = Math.min(options.k ?? kSelection?.chosen ?? 1, documents);
  const sampled = documents > settings.kMeansSampleSize;
  const restarts = sampled ? settings.largeCorpusRestarts : settings.restarts;
  const onProgress = (done: number, total: number) => progress('cluster', done, total + 1);
  let assignments: Int32Array;
  let inertia: number;
  if (sampled) {
    // Restarts on a sample, then Lloyd's iterations over every document from the best of them.
    const sampleRows = new SeededRandom(deriveSeed(seed, 2)).sampleIndexes(documents, settings.kMeansSampleSize);
    const fitted = kMeans(gatherRows(vectors, dimensions, sampleRows), sampleRows.length, dimensions, { k, seed, restarts, onProgress });
    ({ assignments, inertia } = lloyd(vectors, documents, dimensions, fitted.centroids, k, settings.fullCorpusIterations));
  } else {
    ({ assignments, inertia } = kMeans(vectors, documents, dimensions, { k, seed, restarts, onProgress }));
  }
  let warmStart: WarmStartOutcome = { outcome: options.previous && options.warmStart !== false ? 'none' : 'off' };
  const start =
    warmStart.outcome === 'none' && options.previous
      ? warmStartCentroids(vectors, documents, dimensions, options.previous.topicOf, k, deriveSeed(seed, 5))
      : null;
  if (start !== null) {
    const maxIterations = sampled ? settings.fullCorpusIterations : settings.warmStartIterations;
    const warm = lloyd(vectors, documents, dimensions, start.centroids, k, maxIterations);
    const accepted = warm.inertia <= inertia * (1 + settings.warmStartTolerance);
    warmStart = { outcome: accepted ? 'used' : 'rejected', warmInertia: warm.inertia, coldInertia: inertia, previousTopics: start.previousTopics };
    if (accepted) ({ assignments, inertia } = warm);
  }
  const nonEmpty = dropEmptyClusters(assignments, k);
  if (kSelection !== null) kSelection = { ...kSelection, chosen: nonEmpty };
  return {
    k: nonEmpty,
    kSelection,
    assignments,
    inertia,
    restarts,
    fittedOn: sampled ? settings.kMeansSampleSize : documents,
    warmStart,
  };
}

/**
 * Clusters a corpus into topics: tf-idf → randomized LSA → k-means → labels, memberships and
 * relations. Deterministic: the same corpus, options and seed give the same result.
 *
 * A membership is weak when its centroid similarity is below the run's 10th percentile
 * (`model.weakThreshold`): the tenth of the articles that fit their topic worst, whatever the
 * corpus's typical spread. Articles placed later with assignDocuments use the same threshold.
 */
export function clusterCorpus(corpus: Corpus, options: ClusterOptions = {}): ClusteringResult {
  const settings = CLUSTERING_DEFAULTS;
  const seed = options.seed ?? settings.seed;
  const documents = corpus.documentCount;
  if (documents === 0) return emptyResult(seed);
  if (options.k !== undefined && (!Number.isInteger(options.k) || options.k < 1)) {
    throw new RangeError(`k must be a positive integer, got ${options.k}`);
  }
  const progress: Progress = (stage, done, total) => options.onProgress?.(stage, done, total);
  const timings: Timings = {};
  let stageStart = performance.now();
  const finishStage = (stage: ClusteringStage) => {
    const now = performance.now();
    timings[stage] = Math.round((now - stageStart) * 10) / 10;
    stageStart = now;
  };

  progress('vectorise', 0, documents);
  const tfidf = buildTfidfMatrix(corpus.view(), documentFrequencyLimitsFor(documents));
  progress('vectorise', documents, documents);
  finishStage('vectorise');

  const reduction = reduce(tfidf.matrix, seed, progress);
  const { vectors, dimensions } = reduction;
  finishStage('reduce');

  const partition = partitionDocuments(reduction, options, seed, progress);
  const { k, assignments } = partition;
  const centroidDirections = groupMeanDirections(vectors, dimensions, assignments, k);
  const scores = centroidSimilarities(vectors, dimensions, assignments, centroidDirections);
  const weakThreshold = percentile(scores, settings.weakPercentile);
  const memberships: Membership[] = Array.from(assignments, (topic, row) => ({
    topic,
    score: scores[row],
    weak: scores[row] < weakThreshold,
  }));
  const lineage = options.previous
    ? traceLineage(options.previous.topicOf, assignments, options.previous.topicCount, k, options.lineage)
    : null;
  const silhouette = k > 1 ? cosineSilhouette(vectors, dimensions, assignments, k, settings.silhouetteSampleSize, deriveSeed(seed, 3)) : null;
  progress('cluster', 1, 1);
  finishStage('cluster');

  progress('label', 0, k);
  const labels = labelTopics(corpus, assignments, k, { minDocumentFrequency: tfidf.limits.minDf });
  const members: number[][] = Array.from({ length: k }, () => []);
  for (let row = 0; row < documents; row++) members[assignments[row]].push(row);
  const topics: TopicResult[] = labels.map(({ label, keywords }, topic) => ({
    label,
    keywords,
    members: members[topic].sort((a, b) => scores[b] - scores[a] || a - b),
  }));
  progress('label', k, k);
  finishStage('label');

  const neighbourSearch = { ...DEFAULT_NEIGHBOUR_SEARCH, seed: deriveSeed(seed, 4) };
  const related = relatedDocuments(vectors, dimensions, assignments, k, neighbourSearch, (done, total) =>
    progress('relate', done, total),
  );
  const topicRelations = relatedTopics(centroidDirections, k, dimensions, settings.relatedTopics);
  finishStage('relate');

  return {
    k,
    kSelection: partition.kSelection,
    topics,
    memberships,
    relatedDocuments: related,
    relatedTopics: topicRelations,
    lineage,
    model: {
      vocabulary: tfidf.vocabulary,
      idf: tfidf.idf,
      components: reduction.components,
      dimensions,
      centroids: new Float32Array(centroidDirections),
      k,
      weakThreshold,
    },
    quality: { inertia: partition.inertia, silhouette },
    timings,
    parameters: {
      documents,
      seed,
      k,
      kChosenBy: partition.kSelection === null ? 'option' : partition.kSelection.method,
      vocabularySize: tfidf.vocabulary.length,
      minDf: tfidf.limits.minDf,
      maxDf: tfidf.limits.maxDf,
      maxFeatures: tfidf.limits.maxFeatures,
      titleWeight: TITLE_WEIGHT,
      leadExtraWeight: LEAD_EXTRA_WEIGHT,
      sublinearTf: true,
      dimensions,
      oversamples: settings.oversamples,
      powerIterations: settings.powerIterations,
      svdFittedOn: reduction.fittedOn,
      restarts: partition.restarts,
      kMeansFittedOn: partition.fittedOn,
      weakPercentile: settings.weakPercentile,
      weakThreshold,
      relatedDocumentsLimit: neighbourSearch.limit,
      exhaustiveNeighbourSearchUpTo: neighbourSearch.exhaustiveUpTo,
      neighbourPartSize: neighbourSearch.partSize,
      neighbourParts: neighbourSearch.neighbourParts,
      silhouetteSampleSize: Math.min(settings.silhouetteSampleSize, documents),
      warmStart: partition.warmStart.outcome,
      ...(partition.warmStart.previousTopics === undefined ? {} : { warmStartPreviousTopics: partition.warmStart.previousTopics }),
      ...(partition.warmStart.warmInertia === undefined ? {} : { warmStartInertia: partition.warmStart.warmInertia }),
      ...(partition.warmStart.coldInertia === undefined ? {} : { coldStartInertia: partition.warmStart.coldInertia }),
      warmStartTolerance: settings.warmStartTolerance,
      ...(lineage === null ? {} : lineageParameters(options.lineage)),
    },
  };
}

/** Documents tokenised between two progress reports while building a corpus. */
const PROGRESS_EVERY = 1000;

/**
 * Convenience for documents in memory: builds the corpus, then clusters it. Tokenising counts as
 * part of the vectorise stage here (with a streamed corpus it happens while loading).
 */
export function clusterDocuments(docs: ClusterDocument[], options: ClusterOptions = {}): ClusteringResult {
  const start = performance.now();
  const corpus = createCorpus();
  for (let from = 0; from < docs.length; from += PROGRESS_EVERY) {
    options.onProgress?.('vectorise', from, docs.length);
    addDocuments(corpus, docs.slice(from, from + PROGRESS_EVERY));
  }
  const tokenising = performance.now() - start;
  const result = clusterCorpus(corpus, options);
  const vectorise = (result.timings.vectorise ?? 0) + tokenising;
  return { ...result, timings: { ...result.timings, vectorise: Math.round(vectorise * 10) / 10 } };
}
