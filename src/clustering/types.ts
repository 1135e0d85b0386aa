/**
 * The contract between the pure clustering core and the jobs that feed it from the database.
 * Everything here is plain data (arrays and typed arrays), so the same code runs in the product,
 * the tests and the benchmarks.
 */
import type { Parallel } from '../parallel/compute.js';
import type { Lineage, LineageOptions } from './lineage.js';

/** Stages of a clustering run, reported in this order. */
export type ClusteringStage = 'load' | 'vectorise' | 'reduce' | 'cluster' | 'label' | 'relate' | 'write';

export type ProgressListener = (stage: ClusteringStage, done: number, total: number) => void;

/** One document as the clustering sees it: text only, never a label. */
export interface ClusterDocument {
  title: string;
  body: string;
}

/** The topics of the previous run, for a run that should carry them on. */
export interface PreviousTopics {
  /** Per input document, the index (below `topicCount`) of its previous topic; −1 when it had none. */
  topicOf: Int32Array;
  topicCount: number;
}

/**
 * Corpus sizes above which a run takes its large-corpus paths (defaults: CLUSTERING_DEFAULTS and
 * similarity.ts DEFAULT_NEIGHBOUR_SEARCH). Options so that tests can run those paths on small corpora.
 */
export interface LargeCorpusThresholds {
  /** Above this many documents the SVD is fitted on a sample of this size, then applied to all. */
  svdSampleSize: number;
  /**
   * Above this many documents the k-means restarts run on a sample of this size (at least k), and
   * every document then refines the best of them.
   */
  kMeansSampleSize: number;
  /** Topics above this size search related documents by sub-cluster instead of exhaustively. */
  exhaustiveNeighbourSearchUpTo: number;
  /** The size of those sub-clusters. */
  neighbourPartSize: number;
}

export interface ClusterOptions {
  /** Number of topics; chosen from the data when omitted. */
  k?: number;
  /** Seed for every random choice (SVD test matrix, k-means++ init, samples). Default 42. */
  seed?: number;
  /** The previous run's topics: k-means also starts from them, and the result traces its lineage. */
  previous?: PreviousTopics;
  /** Start k-means from the previous topics too (default true; false for comparisons). */
  warmStart?: boolean;
  /** Thresholds of the lineage (lineage.ts LINEAGE_DEFAULTS). */
  lineage?: Partial<LineageOptions>;
  /** Where the large-corpus paths begin; the defaults suit the product. */
  thresholds?: Partial<LargeCorpusThresholds>;
  onProgress?: ProgressListener;
  /** Where the heavy loops run (default: the process's threads, defaultParallel()); the result is the same. */
  parallel?: Parallel;
}

export interface WeightedTerm {
  term: string;
  weight: number;
}

export interface TopicResult {
  /** Human-readable, e.g. "North Korea · Kim Jong-un". Unique among the run's topics. */
  label: string;
  keywords: WeightedTerm[];
  /** Indexes (into the input documents) of the members, best first. */
  members: number[];
}

export interface Membership {
  topic: number;
  /** Cosine similarity to the topic centroid in the reduced space. */
  score: number;
  /** True when the article sits far from its centroid (a poor fit). */
  weak: boolean;
}

export interface Neighbour {
  index: number;
  score: number;
}

/** Evidence for the choice of k: the score of every k tried. */
export interface KSelection {
  method: string;
  tried: { k: number; score: number }[];
  chosen: number;
}

/** What a later import needs to place new articles into the run's topics without re-clustering. */
export interface TopicModel {
  vocabulary: string[];
  idf: Float32Array;
  /** dimensions × vocabulary.length, row-major. */
  components: Float32Array;
  dimensions: number;
  /** k × dimensions, row-major, L2-normalised. */
  centroids: Float32Array;
  k: number;
  /** A membership with a score below this is flagged weak. */
  weakThreshold: number;
}

export interface ClusteringResult {
  k: number;
  kSelection: KSelection | null;
  topics: TopicResult[];
  /** One per input document, in input order. */
  memberships: Membership[];
  /** Up to 5 most similar other documents per input document, best first. */
  relatedDocuments: Neighbour[][];
  /** Per topic, the most related other topics, best first. */
  relatedTopics: Neighbour[][];
  /** How the previous topics became these (when they were given). */
  lineage: Lineage | null;
  model: TopicModel;
  quality: { inertia: number; silhouette: number | null };
  /** Milliseconds spent in each stage. */
  timings: Partial<Record<ClusteringStage, number>>;
  parameters: Record<string, number | string | boolean>;
}
