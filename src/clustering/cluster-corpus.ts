import { deriveSeed } from '../numeric/random.js';
import { defaultParallel, type Parallel } from '../parallel/compute.js';
import { type Corpus, createCorpus, LEAD_EXTRA_WEIGHT, TITLE_WEIGHT } from '../text/corpus.js';
import { documentFrequencyLimitsFor } from '../text/tfidf.js';
import { chooseTopicCount } from './choose-k.js';
import { type KMeansFit, KMeansModel } from './kmeans-model.js';
import { labelTopics } from './labels.js';
import { LINEAGE_DEFAULTS, type Lineage, type LineageOptions, traceLineage } from './lineage.js';
import { Lsa, type LsaFit } from './lsa.js';
import { cosineSilhouette } from './silhouette.js';
import { DEFAULT_NEIGHBOUR_SEARCH, type NeighbourSearchOptions, relatedDocuments, relatedTopics } from './similarity.js';
import { type StageProgress, StageRunner } from './stage-runner.js';
import { TopicPipeline } from './topic-pipeline.js';
import type {
  ClusterDocument,
  ClusteringResult,
  ClusterOptions,
  KSelection,
  LargeCorpusThresholds,
  Neighbour,
  TopicResult,
} from './types.js';
import { TfidfVectoriser, type VectoriserFit } from './vectoriser.js';

/**
 * Settings of the pipeline, chosen on the BBC benchmark (scripts/bench-cluster.ts) and recorded
 * in every run's `parameters`. Dn refers to the evidence in docs/decisions.md.
 */
export const CLUSTERING_DEFAULTS = {
  seed: 42,
  /** LSA dimensions at most (fewer for small corpora): 100's quality in less time (docs/decisions.md D2). */
  maxDimensions: 80,
  /** A small corpus gets about one dimension per four documents, so that LSA removes noise (D3). */
  documentsPerDimension: 4,
  /** Extra sketch columns of the randomized SVD (Halko et al. suggest 5 to 10). */
  oversamples: 10,
  /** Power iterations of the randomized SVD: fewer leave trailing dimensions noisy enough to flip partitions (D4). */
  powerIterations: 3,
  /** k-means++ restarts, two at a time; the lowest inertia wins. Four match ten's quality (D6). */
  restarts: 4,
  /**
   * Above this many documents the SVD is fitted on a sample of this size, then applied to all
   * (the default of ClusterOptions.thresholds, like kMeansSampleSize).
   */
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
   * best cold start's: above a refound partition's noise, below a worse partition's cost (D9).
   */
  warmStartTolerance: 0.002,
  silhouetteSampleSize: 500,
  /** Members whose centroid similarity is in the lowest tenth of the run are flagged weak. */
  weakPercentile: 0.1,
  relatedTopics: 5,
} as const;

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

const DEFAULT_THRESHOLDS: LargeCorpusThresholds = {
  svdSampleSize: CLUSTERING_DEFAULTS.svdSampleSize,
  kMeansSampleSize: CLUSTERING_DEFAULTS.kMeansSampleSize,
  exhaustiveNeighbourSearchUpTo: DEFAULT_NEIGHBOUR_SEARCH.exhaustiveUpTo,
  neighbourPartSize: DEFAULT_NEIGHBOUR_SEARCH.partSize,
};

function thresholdsOf(options: ClusterOptions): LargeCorpusThresholds {
  const thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  for (const [name, value] of Object.entries(thresholds)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`thresholds.${name} must be a positive integer, got ${value}`);
    }
  }
  return thresholds;
}

/** The cluster stage: k (from the spectrum when not given), the k-means fit, and how good and how stable it is. */
interface Clustering {
  kSelection: KSelection | null;
  fit: KMeansFit;
  lineage: Lineage | null;
  silhouette: number | null;
}

/**
 * k-means on the reduced vectors, with k chosen from the spectrum when not given. With the
 * previous run's topics, k-means also starts from them (kmeans-model.ts), and the result traces
 * their lineage.
 */
function clusterVectors(
  reduced: LsaFit,
  options: ClusterOptions,
  seed: number,
  thresholds: LargeCorpusThresholds,
  parallel: Parallel,
  onProgress: StageProgress,
): Clustering {
  const settings = CLUSTERING_DEFAULTS;
  const { vectors } = reduced;
  const { dimensions } = reduced.lsa;
  const documents = vectors.length / dimensions;
  const chosen = options.k === undefined ? chooseTopicCount(reduced.singularValues, documents) : null;
  const fit = KMeansModel.fit(vectors, dimensions, {
    k: Math.min(options.k ?? chosen?.chosen ?? 1, documents),
    seed,
    restarts: settings.restarts,
    sampleSize: thresholds.kMeansSampleSize,
    sampledRestarts: settings.largeCorpusRestarts,
    refinementIterations: settings.fullCorpusIterations,
    previousTopicOf: options.previous && options.warmStart !== false ? options.previous.topicOf : null,
    warmStartIterations: settings.warmStartIterations,
    warmStartTolerance: settings.warmStartTolerance,
    weakPercentile: settings.weakPercentile,
    onProgress,
    parallel,
  });
  const { k } = fit.model;
  const { assignments } = fit;
  const { previous } = options;
  return {
    kSelection: chosen === null ? null : { ...chosen, chosen: k },
    fit,
    lineage: previous ? traceLineage(previous.topicOf, assignments, previous.topicCount, k, options.lineage) : null,
    silhouette:
      k > 1
        ? cosineSilhouette(vectors, dimensions, assignments, k, settings.silhouetteSampleSize, deriveSeed(seed, 3), parallel)
        : null,
  };
}

/** Labels and keywords of each topic, and its members best first. */
function labelledTopics(corpus: Corpus, fit: KMeansFit, minDocumentFrequency: number): TopicResult[] {
  const { k } = fit.model;
  const labels = labelTopics(corpus, fit.assignments, k, { minDocumentFrequency });
  const members: number[][] = Array.from({ length: k }, () => []);
  fit.assignments.forEach((topic, row) => members[topic].push(row));
  const score = (row: number) => fit.memberships[row].score;
  return labels.map(({ label, keywords }, topic) => ({
    label,
    keywords,
    members: members[topic].sort((a, b) => score(b) - score(a) || a - b),
  }));
}

interface Relations {
  documents: Neighbour[][];
  topics: Neighbour[][];
}

/** Related documents (within their topic) and related topics, by cosine. */
function relate(
  reduced: LsaFit,
  fit: KMeansFit,
  search: NeighbourSearchOptions,
  parallel: Parallel,
  onProgress: StageProgress,
): Relations {
  const { dimensions } = reduced.lsa;
  const { k } = fit.model;
  return {
    documents: relatedDocuments(reduced.vectors, dimensions, fit.assignments, k, search, onProgress, parallel),
    topics: relatedTopics(fit.centroidDirections, k, dimensions, CLUSTERING_DEFAULTS.relatedTopics),
  };
}

/** Everything a run recorded about how it ran, stored with it (`parameters`). */
function runParameters(
  seed: number,
  vectorised: VectoriserFit,
  reduced: LsaFit,
  clustering: Clustering,
  search: NeighbourSearchOptions,
  lineageOptions: Partial<LineageOptions> | undefined,
): ClusteringResult['parameters'] {
  const settings = CLUSTERING_DEFAULTS;
  const { fit } = clustering;
  const documents = fit.assignments.length;
  const { warmStart } = fit;
  return {
    documents,
    seed,
    k: fit.model.k,
    kChosenBy: clustering.kSelection === null ? 'option' : clustering.kSelection.method,
    vocabularySize: vectorised.vectoriser.vocabulary.length,
    minDf: vectorised.limits.minDf,
    maxDf: vectorised.limits.maxDf,
    maxFeatures: vectorised.limits.maxFeatures,
    titleWeight: TITLE_WEIGHT,
    leadExtraWeight: LEAD_EXTRA_WEIGHT,
    sublinearTf: true,
    dimensions: reduced.lsa.dimensions,
    oversamples: settings.oversamples,
    powerIterations: settings.powerIterations,
    svdFittedOn: reduced.fittedRows?.length ?? documents,
    restarts: fit.restarts,
    kMeansFittedOn: fit.fittedOn,
    weakPercentile: settings.weakPercentile,
    weakThreshold: fit.model.weakThreshold,
    relatedDocumentsLimit: search.limit,
    exhaustiveNeighbourSearchUpTo: search.exhaustiveUpTo,
    neighbourPartSize: search.partSize,
    neighbourParts: search.neighbourParts,
    silhouetteSampleSize: Math.min(settings.silhouetteSampleSize, documents),
    warmStart: warmStart.outcome,
    ...(warmStart.previousTopics === undefined ? {} : { warmStartPreviousTopics: warmStart.previousTopics }),
    ...(warmStart.warmInertia === undefined ? {} : { warmStartInertia: warmStart.warmInertia }),
    ...(warmStart.coldInertia === undefined ? {} : { coldStartInertia: warmStart.coldInertia }),
    warmStartTolerance: settings.warmStartTolerance,
    ...(clustering.lineage === null ? {} : lineageParameters(lineageOptions)),
  };
}

/**
 * Clusters a corpus into topics: tf-idf → randomized LSA → k-means (the stages of a
 * TopicPipeline, fitted here) → labels, memberships and relations. Deterministic: the same corpus,
 * options and seed give the same result.
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
  const thresholds = thresholdsOf(options);
  const parallel = options.parallel ?? defaultParallel();
  const runner = new StageRunner(options.onProgress);
  const limits = documentFrequencyLimitsFor(documents);
  const vectorised = runner.run('vectorise', () => TfidfVectoriser.fit(corpus, limits, parallel.allocate), { steps: documents });
  const reduced = runner.run('reduce', (onProgress) =>
    Lsa.fit(vectorised.matrix, {
      maxDimensions: settings.maxDimensions,
      documentsPerDimension: settings.documentsPerDimension,
      oversamples: settings.oversamples,
      powerIterations: settings.powerIterations,
      sampleSize: thresholds.svdSampleSize,
      seed,
      onProgress,
      parallel,
    }),
  );
  const clustering = runner.run('cluster', (onProgress) =>
    clusterVectors(reduced, options, seed, thresholds, parallel, onProgress),
  );
  const { fit } = clustering;
  const topics = runner.run('label', () => labelledTopics(corpus, fit, vectorised.limits.minDf), { steps: fit.model.k });
  const search: NeighbourSearchOptions = {
    ...DEFAULT_NEIGHBOUR_SEARCH,
    exhaustiveUpTo: thresholds.exhaustiveNeighbourSearchUpTo,
    partSize: thresholds.neighbourPartSize,
    seed: deriveSeed(seed, 4),
  };
  const relations = runner.run('relate', (onProgress) => relate(reduced, fit, search, parallel, onProgress));

  return {
    k: fit.model.k,
    kSelection: clustering.kSelection,
    topics,
    memberships: fit.memberships,
    relatedDocuments: relations.documents,
    relatedTopics: relations.topics,
    lineage: clustering.lineage,
    model: new TopicPipeline(vectorised.vectoriser, reduced.lsa, fit.model).toModel(),
    quality: { inertia: fit.inertia, silhouette: clustering.silhouette },
    timings: runner.timings,
    parameters: runParameters(seed, vectorised, reduced, clustering, search, options.lineage),
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
  const parallel = options.parallel ?? defaultParallel();
  // The helper thread boots while this thread tokenises.
  parallel.prepare();
  for (let from = 0; from < docs.length; from += PROGRESS_EVERY) {
    options.onProgress?.('vectorise', from, docs.length);
    parallel.addDocuments(corpus, docs.slice(from, from + PROGRESS_EVERY));
  }
  const tokenising = performance.now() - start;
  const result = clusterCorpus(corpus, options);
  const vectorise = (result.timings.vectorise ?? 0) + tokenising;
  return { ...result, timings: { ...result.timings, vectorise: Math.round(vectorise * 10) / 10 } };
}
