import { type ArrayAllocator, plainArrays } from '../numeric/arrays.js';
import type { CsrMatrix } from '../numeric/sparse-matrix.js';
import type { CorpusView } from './corpus.js';

/** Which terms become columns of the matrix. */
export interface DocumentFrequencyLimits {
  /** Keep terms found in at least this many documents. */
  minDf: number;
  /** Keep terms found in at most this fraction of the documents. */
  maxDf: number;
  /** Keep at most this many terms, the most widespread first (bounds the SVD and the stored model). */
  maxFeatures: number;
}

export interface TfidfMatrix {
  /** Documents × vocabulary, sublinear tf × smoothed idf, rows L2-normalised. */
  matrix: CsrMatrix;
  /** Term text by column. */
  vocabulary: string[];
  /** Corpus term id by column. */
  columnTermIds: Int32Array;
  idf: Float32Array;
  /** The limits actually applied (after relaxing them for tiny corpora). */
  limits: DocumentFrequencyLimits;
}

/**
 * Pruning that suits the corpus size: scikit-learn's usual min_df=5 / max_df=0.5 on thousands of
 * articles, no minimum on a handful (the product starts with four), and no maximum below four
 * documents, where "in half of them" would mean "in one of them".
 */
export function documentFrequencyLimitsFor(documentCount: number): DocumentFrequencyLimits {
  const minDf = documentCount < 10 ? 1 : documentCount < 500 ? 2 : documentCount < 2000 ? 3 : 5;
  const maxDf = documentCount < 4 ? 1 : 0.5;
  return { minDf, maxDf, maxFeatures: 50_000 };
}

/** Smoothed idf, as scikit-learn: ln((1 + n) / (1 + df)) + 1. */
export function smoothedIdf(documentCount: number, documentFrequency: number): number {
  return Math.log((1 + documentCount) / (1 + documentFrequency)) + 1;
}

function selectColumns(corpus: CorpusView, limits: DocumentFrequencyLimits): Int32Array {
  const maxCount = Math.floor(limits.maxDf * corpus.documentCount + 1e-9);
  const kept: number[] = [];
  for (let termId = 0; termId < corpus.termCount; termId++) {
    const df = corpus.documentFrequency[termId];
    if (df >= limits.minDf && df <= maxCount) kept.push(termId);
  }
  if (kept.length > limits.maxFeatures) {
    // Most widespread first; ties keep the term seen first, so the choice is deterministic.
    kept.sort((a, b) => corpus.documentFrequency[b] - corpus.documentFrequency[a] || a - b);
    kept.length = limits.maxFeatures;
    kept.sort((a, b) => a - b);
  }
  return Int32Array.from(kept);
}

/**
 * Fits the vocabulary and idf on `corpus` and builds its tf-idf matrix. Limits too strict for the
 * corpus (nothing would survive) are relaxed rather than failing on a tiny corpus.
 */
export function buildTfidfMatrix(
  corpus: CorpusView,
  requested: DocumentFrequencyLimits,
  allocate: ArrayAllocator = plainArrays,
): TfidfMatrix {
  let limits = requested;
  let columnTermIds = selectColumns(corpus, limits);
  if (columnTermIds.length < 2) {
    limits = { ...limits, minDf: 1, maxDf: 1 };
    columnTermIds = selectColumns(corpus, limits);
  }

  const columnOfTerm = new Int32Array(corpus.termCount).fill(-1);
  const idf = new Float32Array(columnTermIds.length);
  const vocabulary: string[] = new Array(columnTermIds.length);
  for (let column = 0; column < columnTermIds.length; column++) {
    const termId = columnTermIds[column];
    columnOfTerm[termId] = column;
    idf[column] = smoothedIdf(corpus.documentCount, corpus.documentFrequency[termId]);
    vocabulary[column] = corpus.termText(termId);
  }
  const matrix = weighTerms(corpus, columnOfTerm, idf, allocate);
  return { matrix, vocabulary, columnTermIds, idf, limits };
}

/**
 * The tf-idf rows of `corpus` over an existing vocabulary: `columnOfTerm` maps the corpus's term
 * ids to columns (-1 for terms outside the vocabulary). Used both for fitting and for placing new
 * articles with a stored model. The matrix's arrays come from `allocate`.
 */
export function weighTerms(
  corpus: CorpusView,
  columnOfTerm: Int32Array,
  idf: Float32Array,
  allocate: ArrayAllocator = plainArrays,
): CsrMatrix {
  const rows = corpus.documentCount;
  const rowStart = allocate.int32(rows + 1);
  for (let row = 0; row < rows; row++) {
    let kept = 0;
    for (let entry = corpus.documentStart[row]; entry < corpus.documentStart[row + 1]; entry++) {
      if (columnOfTerm[corpus.entryTerms[entry]] >= 0) kept++;
    }
    rowStart[row + 1] = rowStart[row] + kept;
  }
  const columnIndex = allocate.int32(rowStart[rows]);
  const values = allocate.float32(rowStart[rows]);
  for (let row = 0; row < rows; row++) {
    let cursor = rowStart[row];
    let squaredNorm = 0;
    for (let entry = corpus.documentStart[row]; entry < corpus.documentStart[row + 1]; entry++) {
      const column = columnOfTerm[corpus.entryTerms[entry]];
      if (column < 0) continue;
      // Sublinear tf: the tenth mention of a word says less than the first.
      const weight = (1 + Math.log(corpus.entryWeights[entry])) * idf[column];
      columnIndex[cursor] = column;
      values[cursor] = weight;
      squaredNorm += weight * weight;
      cursor++;
    }
    if (squaredNorm > 0) {
      const scale = 1 / Math.sqrt(squaredNorm);
      for (let entry = rowStart[row]; entry < cursor; entry++) values[entry] *= scale;
    }
  }
  return { rows, columns: idf.length, rowStart, columnIndex, values };
}
