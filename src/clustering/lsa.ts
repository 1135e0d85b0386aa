import { type DenseMatrix, denseMatrix, normaliseRows } from '../numeric/dense-matrix.js';
import { deriveSeed, SeededRandom } from '../numeric/random.js';
import { type CsrMatrix, selectRows } from '../numeric/sparse-matrix.js';
import { defaultParallel, type Parallel } from '../parallel/compute.js';
import type { StageProgress } from './stage-runner.js';
import { randomizedTruncatedSvd } from './truncated-svd.js';

export interface LsaOptions {
  /** Most dimensions kept; a small corpus gets fewer (see `dimensionsFor`). */
  maxDimensions: number;
  documentsPerDimension: number;
  /** Randomized SVD settings (truncated-svd.ts). */
  oversamples: number;
  powerIterations: number;
  /** Above this many documents the SVD is fitted on a seeded sample of this size. */
  sampleSize: number;
  seed: number;
  onProgress?: StageProgress;
  parallel?: Parallel;
}

export interface LsaFit {
  lsa: Lsa;
  /** documents × dimensions, unit rows: the corpus in the reduced space. */
  vectors: Float64Array;
  /** Of the matrix the SVD was fitted on, largest first (for the choice of k). */
  singularValues: Float64Array;
  /** The rows the SVD was fitted on, increasing; null when it was fitted on all of them. */
  fittedRows: Int32Array | null;
}

/**
 * Dimensions asked of the SVD: about one per `documentsPerDimension` documents, at most
 * `maxDimensions`, and fewer than the documents and the terms.
 */
function dimensionsFor(documents: number, terms: number, options: LsaOptions): number {
  const bySize = Math.max(2, Math.ceil(documents / options.documentsPerDimension));
  return Math.max(1, Math.min(options.maxDimensions, bySize, documents - 1, terms - 1));
}

/**
 * The second stage, latent semantic analysis: a randomized truncated SVD of the tf-idf matrix
 * fitted on a corpus (scikit-learn's TruncatedSVD); `transform` projects rows onto its components
 * and normalises them, so that cosine is a dot product.
 */
export class Lsa {
  constructor(
    /** dimensions × vocabulary, row-major: the right singular vectors. */
    readonly components: Float32Array,
    readonly dimensions: number,
  ) {}

  /** The components as vocabulary × dimensions, made once: an import projects batch after batch. */
  private byColumn: DenseMatrix | undefined;

  static fit(matrix: CsrMatrix, options: LsaOptions): LsaFit {
    const documents = matrix.rows;
    const parallel = options.parallel ?? defaultParallel();
    const sample = new SeededRandom(deriveSeed(options.seed, 1));
    const fittedRows = documents > options.sampleSize ? sample.sampleIndexes(documents, options.sampleSize) : null;
    const svd = randomizedTruncatedSvd(fittedRows === null ? matrix : selectRows(matrix, fittedRows, parallel.allocate), {
      dimensions: dimensionsFor(documents, matrix.columns, options),
      seed: options.seed,
      oversamples: options.oversamples,
      powerIterations: options.powerIterations,
      // One step more than the passes: the document vectors come after them.
      onProgress: (done, total) => options.onProgress?.(done, total + 1),
      parallel,
    });
    // A matrix without a single weighted term has no direction; one zero dimension keeps the shapes.
    const lsa = svd.dimensions > 0 ? new Lsa(svd.components, svd.dimensions) : new Lsa(new Float32Array(matrix.columns), 1);
    // Fitted on every row, the document vectors are U·Σ (scikit-learn's fit_transform). Fitted on
    // a sample, every row is projected as new articles are; for the sampled rows the projection is
    // U·Σ up to the sketch's approximation.
    let vectors: Float64Array;
    if (fittedRows === null && svd.dimensions > 0) {
      vectors = svd.rowVectors;
      normaliseRows(vectors, lsa.dimensions);
    } else {
      vectors = lsa.transform(matrix, parallel);
    }
    return { lsa, vectors, singularValues: svd.singularValues, fittedRows };
  }

  /** Rows in the reduced space, unit length (all-zero rows, sharing no term, stay zero). */
  transform(matrix: CsrMatrix, parallel: Parallel = defaultParallel()): Float64Array {
    const vectors = parallel.multiplySparse(matrix, this.projection(parallel)).values;
    normaliseRows(vectors, this.dimensions);
    return vectors;
  }

  private projection(parallel: Parallel): DenseMatrix {
    if (this.byColumn === undefined) {
      const columns = this.components.length / this.dimensions;
      const values = parallel.allocate.float64(columns * this.dimensions);
      for (let d = 0; d < this.dimensions; d++) {
        const offset = d * columns;
        for (let column = 0; column < columns; column++) values[column * this.dimensions + d] = this.components[offset + column];
      }
      this.byColumn = denseMatrix(columns, this.dimensions, values);
    }
    return this.byColumn;
  }
}
