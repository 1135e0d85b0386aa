import { createCorpus, LEAD_EXTRA_WEIGHT, TITLE_WEIGHT, type Corpus } from '../text/corpus.js';
import { selectRows } from '../text/sparse-matrix.js';
import { buildTfidfMatrix, documentFrequencyLimitsFor } from '../text/tfidf.js';
import { chooseTopicCount } from './choose-k.js';
import { groupMeanDirections, normaliseRows } from './dense-matrix.js';
import { kMeans, lloyd } from './kmeans.js';
import { labelTopics } from './labels.js';
import { SeededRandom, deriveSeed } from './seeded-random.js';
import { cosineSilhouette } from './silhouette.js';
import { centroidSimilarities, DEFAULT_NEIGHBOUR_SEARCH, relatedDocuments, relatedTopics } from './similarity.js';
import { projectOntoComponents, randomizedTruncatedSvd } from './truncated-svd.js';
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
  /** LSA dimensions (fewer for small corpora: below the number of documents and terms). */
  maxDimensions: 100,
  /**
   * A small corpus gets about one dimension per four documents: with as many dimensions as
   * documents LSA removes no noise (36 BBC articles in 3 categories: NMI 0.28 with 35
   * dimensions, 0.60 with 9).
   */
  documentsPerDimension: 4,
  oversamples: 10,
  /** Two power iterations: NMI 0.880 with one, 0.902 with two, no gain beyond (BBC, k = 5). */
  powerIterations: 2,
  /**
   * Reduced vectors are U·Σ^0.7 rather than scikit-learn's U·Σ before normalising: damping the
   * leading directions lets the topical ones count (BBC NMI 0.902 → 0.906).
   */
  singularValueExponent: 0.7,
  /** k-means++ restarts; the lowest inertia wins. */
  restarts: 10,
  /** Above this many documents the SVD is fitted on a sample of this size, then applied to all. */
  svdSampleSize: 10_000,
  /** Above this many documents k-means restarts run on a sample; all rows then refine the best. */
  kMeansSampleSize: 20_000,
  largeCorpusRestarts: 3,
  /** Lloyd iterations over the full corpus after fitting on a sample. */
  fullCorpusIterations: 20,
  silhouetteSampleSize: 500,
  /** Members whose centroid similarity is in the lowest tenth of the run are flagged weak. */
  weakPercentile: 0.1,
  relatedTopics: 5,
} as const;

type Timings = ClusteringResult['timings'];

function emptyResult(seed: number): ClusteringResult {
  return {
    k: 0,
    kSelection: null,
    topics: [],
    memberships: [],
    relatedDocuments: [],
    relatedTopics: [],
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

/**
 * Clusters a corpus into topics: tf-idf → randomized LSA → k-means → labels, memberships and
 * relations. Deterministic: the same corpus, options and seed give the same result.
 */
export function clusterCorpus(corpus: Corpus, options: ClusterOptions = {}): ClusteringResult {
  const settings = CLUSTERING_DEFAULTS;
  const seed = options.seed ?? settings.seed;
  const documents = corpus.documentCount;
  if (documents === 0) return emptyResult(seed);
  if (options.k !== undefined && (!Number.isInteger(options.k) || options.k < 1)) {
    throw new RangeError(`k must be a positive integer, got ${options.k}`);
  }
  const timings: Timings = {};
  const progress = (stage: ClusteringStage, done: number, total: number) => options.onProgress?.(stage, done, total);
  let stageStart = performance.now();
  const finishStage = (stage: ClusteringStage) => {
    const now = performance.now();
    timings[stage] = Math.round((now - stageStart) * 10) / 10;
    stageStart = now;
  };

  // Vectorise.
  progress('vectorise', 0, documents);
  const tfidf = buildTfidfMatrix(corpus.view(), documentFrequencyLimitsFor(documents));
  const vocabularySize = tfidf.vocabulary.length;
  progress('vectorise', documents, documents);
  finishStage('vectorise');

  // Reduce.
  const requestedDimensions = Math.max(
    1,
    Math.min(
      settings.maxDimensions,
      Math.max(2, Math.ceil(documents / settings.documentsPerDimension)),
      documents - 1,
      vocabularySize - 1,
    ),
  );
  const svdSampled = documents > settings.svdSampleSize;
  const svdRows = svdSampled ? new SeededRandom(deriveSeed(seed, 1)).sampleIndexes(documents, settings.svdSampleSize) : null;
  const svd = randomizedTruncatedSvd(svdRows === null ? tfidf.matrix : selectRows(tfidf.matrix, svdRows), {
    dimensions: requestedDimensions,
    seed,
    oversamples: settings.oversamples,
    powerIterations: settings.powerIterations,
    onProgress: (done, total) => progress('reduce', done, total + (svdSampled ? 1 : 0)),
  });
  const dimensions = Math.max(1, svd.dimensions);
  // Fold the Σ^(exponent − 1) weighting into the components, so that projecting a new article
  // with the stored model gives the same kind of vector.
  const dimensionWeights = new Float64Array(dimensions).fill(1);
  for (let d = 0; d < svd.dimensions; d++) dimensionWeights[d] = svd.singularValues[d] ** (settings.singularValueExponent - 1);
  const components = new Float32Array(dimensions * vocabularySize);
  for (let d = 0; d < svd.dimensions; d++) {
    for (let column = 0; column < vocabularySize; column++) {
      components[d * vocabularySize + column] = svd.components[d * vocabularySize + column] * dimensionWeights[d];
    }
  }
  let vectors: Float64Array;
  if (svdSampled || svd.dimensions === 0) {
    vectors = projectOntoComponents(tfidf.matrix, components, dimensions);
    progress('reduce', 1, 1);
  } else {
    vectors = svd.rowVectors;
    for (let i = 0; i < vectors.length; i++) vectors[i] *= dimensionWeights[i % dimensions];
  }
  normaliseRows(vectors, dimensions);
  finishStage('reduce');

  // Cluster.
  let kSelection: KSelection | null = null;
  let k = options.k ?? 0;
  if (options.k === undefined) {
    kSelection = chooseTopicCount(svd.singularValues, documents);
    k = kSelection.chosen;
  }
  k = Math.min(k, documents);
  const kMeansSampled = documents > settings.kMeansSampleSize;
  const restarts = kMeansSampled ? settings.largeCorpusRestarts : settings.restarts;
  let assignments: Int32Array;
  let inertia: number;
  if (kMeansSampled) {
    const sampleRows = new SeededRandom(deriveSeed(seed, 2)).sampleIndexes(documents, settings.kMeansSampleSize);
    const sampleVectors = new Float64Array(sampleRows.length * dimensions);
    sampleRows.forEach((row, i) => sampleVectors.set(vectors.subarray(row * dimensions, (row + 1) * dimensions), i * dimensions));
    const fitted = kMeans(sampleVectors, sampleRows.length, dimensions, {
      k,
      seed,
      restarts,
      onProgress: (done, total) => progress('cluster', done, total + 1),
    });
    const refined = lloyd(vectors, documents, dimensions, fitted.centroids, k, settings.fullCorpusIterations);
    assignments = refined.assignments;
    inertia = refined.inertia;
  } else {
    const fitted = kMeans(vectors, documents, dimensions, {
      k,
      seed,
      restarts,
      onProgress: (done, total) => progress('cluster', done, total + 1),
    });
    assignments = fitted.assignments;
    inertia = fitted.inertia;
  }
  k = dropEmptyClusters(assignments, k);
  if (kSelection !== null) kSelection = { ...kSelection, chosen: k };
  const centroidDirections = groupMeanDirections(vectors, dimensions, assignments, k);
  const scores = centroidSimilarities(vectors, dimensions, assignments, centroidDirections);
  const weakThreshold = percentile(scores, settings.weakPercentile);
  const memberships: Membership[] = Array.from(assignments, (topic, row) => ({
    topic,
    score: scores[row],
    weak: scores[row] < weakThreshold,
  }));
  const silhouette = k > 1 ? cosineSilhouette(vectors, dimensions, assignments, k, settings.silhouetteSampleSize, deriveSeed(seed, 3)) : null;
  progress('cluster', 1, 1);
  finishStage('cluster');

  // Label.
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

  // Relate.
  const neighbourSearch = { ...DEFAULT_NEIGHBOUR_SEARCH, seed: deriveSeed(seed, 4) };
  const related = relatedDocuments(vectors, dimensions, assignments, k, neighbourSearch, (done, total) =>
    progress('relate', done, total),
  );
  const topicRelations = relatedTopics(centroidDirections, k, dimensions, settings.relatedTopics);
  finishStage('relate');

  return {
    k,
    kSelection,
    topics,
    memberships,
    relatedDocuments: related,
    relatedTopics: topicRelations,
    model: {
      vocabulary: tfidf.vocabulary,
      idf: tfidf.idf,
      components,
      dimensions,
      centroids: new Float32Array(centroidDirections),
      k,
      weakThreshold,
    },
    quality: { inertia, silhouette },
    timings,
    parameters: {
      documents,
      seed,
      k,
      kChosenBy: kSelection === null ? 'option' : kSelection.method,
      vocabularySize,
      minDf: tfidf.limits.minDf,
      maxDf: tfidf.limits.maxDf,
      maxFeatures: tfidf.limits.maxFeatures,
      titleWeight: TITLE_WEIGHT,
      leadExtraWeight: LEAD_EXTRA_WEIGHT,
      sublinearTf: true,
      dimensions,
      oversamples: settings.oversamples,
      powerIterations: settings.powerIterations,
      singularValueExponent: settings.singularValueExponent,
      svdSampleSize: svdRows === null ? documents : svdRows.length,
      restarts,
      kMeansSampleSize: kMeansSampled ? settings.kMeansSampleSize : documents,
      weakPercentile: settings.weakPercentile,
      weakThreshold,
      relatedDocumentsLimit: neighbourSearch.limit,
      exhaustiveNeighbourSearchUpTo: neighbourSearch.exhaustiveUpTo,
      neighbourPartSize: neighbourSearch.partSize,
      silhouetteSampleSize: Math.min(settings.silhouetteSampleSize, documents),
    },
  };
}

/** Progress is reported every this many documents while building a corpus. */
const PROGRESS_EVERY = 1000;

/**
 * Convenience for documents in memory: builds the corpus, then clusters it. Tokenising counts as
 * part of the vectorise stage here (with a streamed corpus it happens while loading).
 */
export function clusterDocuments(docs: ClusterDocument[], options: ClusterOptions = {}): ClusteringResult {
  const start = performance.now();
  const corpus = createCorpus();
  docs.forEach((doc, index) => {
    corpus.add(doc);
    if (index % PROGRESS_EVERY === 0) options.onProgress?.('vectorise', index, docs.length);
  });
  const tokenising = performance.now() - start;
  const result = clusterCorpus(corpus, options);
  const vectorise = (result.timings.vectorise ?? 0) + tokenising;
  return { ...result, timings: { ...result.timings, vectorise: Math.round(vectorise * 10) / 10 } };
}
