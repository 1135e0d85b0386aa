import { CholeskyDecomposition, EigenvalueDecomposition, Matrix } from 'ml-matrix';

import { denseMatrix, transposeDense } from '../numeric/dense-matrix.js';
import { deriveSeed } from '../numeric/random.js';
import { type CsrMatrix, transposeCsr } from '../numeric/sparse-matrix.js';
import { defaultParallel, type Parallel } from '../parallel/compute.js';

export interface TruncatedSvdOptions {
  /** Number of singular vectors wanted; fewer come back when the matrix has lower rank. */
  dimensions: number;
  seed: number;
  /** Extra random directions that make the leading ones accurate (Halko et al. suggest 5–10). */
  oversamples?: number;
  /** Power iterations that sharpen a slowly decaying spectrum, as text has. */
  powerIterations?: number;
  /** Called after each pass over the sparse matrix. */
  onProgress?: (done: number, total: number) => void;
  /** Where the products run (default: the process's threads). */
  parallel?: Parallel;
}

export interface TruncatedSvd {
  dimensions: number;
  /** dimensions × columns, row-major: the right singular vectors (LSA topics over terms). */
  components: Float32Array;
  /** Largest first; up to `dimensions` + 1 of them (the extra one for spectral-gap tests). */
  singularValues: Float64Array;
  /** rows × dimensions, row-major: U·Σ, the documents in the reduced space (not normalised). */
  rowVectors: Float64Array;
}

function toMatrix(square: Float64Array, size: number): Matrix {
  const matrix = new Matrix(size, size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) matrix.set(i, j, square[i * size + j]);
  }
  return matrix;
}

interface SymmetricEigen {
  /** Largest first. */
  values: number[];
  /** size × size, row-major; column i is the eigenvector of values[i]. */
  vectors: Float64Array;
}

/** The small dense eigenproblems go to ml-matrix; everything sized by the corpus stays here. */
function symmetricEigen(symmetric: Float64Array, size: number): SymmetricEigen {
  const decomposition = new EigenvalueDecomposition(toMatrix(symmetric, size), { assumeSymmetric: true });
  const order = decomposition.realEigenvalues
    .map((value, index) => ({ value, index }))
    .sort((a, b) => b.value - a.value || a.index - b.index);
  const source = decomposition.eigenvectorMatrix;
  const vectors = new Float64Array(size * size);
  order.forEach(({ index }, column) => {
    for (let row = 0; row < size; row++) vectors[row * size + column] = source.get(row, index);
  });
  return { values: order.map(({ value }) => value), vectors };
}

/**
 * Orthonormal basis of the unit columns of Y (rows × width) by Cholesky QR: YᵀY = L·Lᵀ, Q = Y·L⁻ᵀ,
 * written to `basis` (rows × width values; `scratch`, as large, holds Yᵀ when given). Only the
 * width × width factorisation goes to ml-matrix. When YᵀY is not positive definite (a tiny or
 * degenerate corpus with fewer independent directions than columns), falls back to the
 * eigenvectors of YᵀY and drops the empty directions. Returns the basis's width.
 */
function orthonormalise(
  parallel: Parallel,
  y: Float64Array,
  rows: number,
  width: number,
  basis: Float64Array,
  scratch?: Float64Array,
): number {
  const gram = symmetricProduct(parallel, y, y, rows, width, scratch);
  const cholesky = new CholeskyDecomposition(toMatrix(gram, width));
  const lower = cholesky.lowerTriangularMatrix;
  let wellConditioned = cholesky.isPositiveDefinite();
  for (let i = 0; wellConditioned && i < width; i++) {
    // A pivot this small means the column is (numerically) a combination of the others.
    if (!(lower.get(i, i) > 1e-7)) wellConditioned = false;
  }
  if (wellConditioned) {
    // Q = Y·L⁻ᵀ as one blocked product; L⁻¹ comes from forward substitution (width³/3).
    const inverse = new Float64Array(width * width);
    for (let column = 0; column < width; column++) {
      for (let row = column; row < width; row++) {
        let value = row === column ? 1 : 0;
        for (let i = column; i < row; i++) value -= lower.get(row, i) * inverse[i * width + column];
        inverse[row * width + column] = value / lower.get(row, row);
      }
    }
    multiplyInto(parallel, y, rows, width, transposeDense(inverse, width, width), width, basis);
    return width;
  }
  const { values, vectors } = symmetricEigen(gram, width);
  const largest = Math.max(values[0] ?? 0, 0);
  const kept = values.filter((value) => value > largest * 1e-12 && value > 0).length;
  const transform = new Float64Array(width * kept);
  for (let i = 0; i < width; i++) {
    for (let j = 0; j < kept; j++) transform[i * kept + j] = vectors[i * width + j] / Math.sqrt(values[j]);
  }
  multiplyInto(parallel, y, rows, width, transform, kept, basis);
  return kept;
}

/** A (rows × inner) · M (inner × width) into `result` (or a new array), row-major. */
function multiplyInto(
  parallel: Parallel,
  a: Float64Array,
  rows: number,
  inner: number,
  m: Float64Array,
  width: number,
  result?: Float64Array,
): Float64Array {
  const into = result === undefined ? undefined : denseMatrix(rows, width, result);
  return parallel.multiplyDense(denseMatrix(rows, inner, a), denseMatrix(inner, width, m), { into }).values;
}

/**
 * AᵀB (width × width) for row-major rows × width matrices A and B whose product is known to be
 * symmetric (B = A for a Gram matrix), as one blocked product of the transpose; the two halves
 * are averaged so that the result is exactly symmetric. `scratch` (rows × width values) holds the
 * transpose when given.
 */
function symmetricProduct(
  parallel: Parallel,
  a: Float64Array,
  b: Float64Array,
  rows: number,
  width: number,
  scratch?: Float64Array,
): Float64Array {
  const product = multiplyInto(parallel, transposeDense(a, rows, width, scratch), width, rows, b, width);
  for (let i = 0; i < width; i++) {
    for (let j = i + 1; j < width; j++) {
      const mean = 0.5 * (product[i * width + j] + product[j * width + i]);
      product[i * width + j] = mean;
      product[j * width + i] = mean;
    }
  }
  return product;
}

/** Scales the columns to unit length so repeated products neither overflow nor underflow. */
function scaleColumns(y: Float64Array, rows: number, width: number): void {
  const norms = new Float64Array(width);
  for (let row = 0; row < rows; row++) {
    const offset = row * width;
    for (let c = 0; c < width; c++) norms[c] += y[offset + c] * y[offset + c];
  }
  for (let c = 0; c < width; c++) norms[c] = norms[c] > 0 ? 1 / Math.sqrt(norms[c]) : 0;
  for (let row = 0; row < rows; row++) {
    for (let c = 0; c < width; c++) y[row * width + c] *= norms[c];
  }
}

/**
 * Randomized truncated SVD of a sparse matrix A (Halko, Martinsson & Tropp 2011, algorithms 4.3
 * and 5.1): sketch the range with a seeded Gaussian test matrix Ω, sharpen it with power
 * iterations, orthonormalise once, then solve the small projected problem densely. Never forms
 * a dense documents × terms matrix; the passes over A dominate the cost.
 *
 * Every pass over A writes into one of three buffers allocated once per call (terms × width, and
 * two of documents × width): fresh memory costs a page fault per 4 KB (docs/decisions.md D5).
 */
export function randomizedTruncatedSvd(matrix: CsrMatrix, options: TruncatedSvdOptions): TruncatedSvd {
  const oversamples = options.oversamples ?? 10;
  const powerIterations = options.powerIterations ?? 3;
  const { rows, columns } = matrix;
  const sketchWidth = Math.min(options.dimensions + oversamples, rows, columns);
  if (sketchWidth <= 0 || matrix.rowStart[rows] === 0) {
    return {
      dimensions: 0,
      components: new Float32Array(0),
      singularValues: new Float64Array(0),
      rowVectors: new Float64Array(0),
    };
  }
  const parallel = options.parallel ?? defaultParallel();
  const { allocate } = parallel;
  const transposed = transposeCsr(matrix, allocate);
  const multiplySparse = (a: CsrMatrix, b: Float64Array, width: number, into: Float64Array) =>
    parallel.multiplySparse(a, denseMatrix(a.columns, width, b), denseMatrix(a.rows, width, into)).values;
  // Passes over A: the sketch, two per power iteration, and three for the projected problem.
  const totalPasses = 2 * powerIterations + 4;
  let passes = 0;
  const passDone = () => options.onProgress?.(++passes, totalPasses);

  // The workspace: a terms-side buffer (Ω, then Aᵀ·Y) and two documents-side ones.
  const termSide = allocate.float64(columns * sketchWidth);
  let documentSide = allocate.float64(rows * sketchWidth);
  let spare = allocate.float64(rows * sketchWidth);

  parallel.fillStandardNormal(termSide, columns * sketchWidth, [deriveSeed(options.seed, 1), deriveSeed(options.seed, 2)]);

  // Y = (A·Aᵀ)^q·A·Ω. With a few iterations the conditioning stays well within double precision,
  // so one orthonormalisation at the end suffices (each costs rows × width²).
  multiplySparse(matrix, termSide, sketchWidth, documentSide);
  passDone();
  for (let iteration = 0; iteration < powerIterations; iteration++) {
    scaleColumns(documentSide, rows, sketchWidth);
    multiplySparse(transposed, documentSide, sketchWidth, termSide);
    passDone();
    multiplySparse(matrix, termSide, sketchWidth, documentSide);
    passDone();
  }
  scaleColumns(documentSide, rows, sketchWidth);
  // The terms-side buffer holds the documents-side transposes when it is large enough (more
  // terms than documents, as in any real corpus).
  const transposeScratch = termSide.length >= rows * sketchWidth ? termSide : undefined;
  const width = orthonormalise(parallel, documentSide, rows, sketchWidth, spare, transposeScratch);
  // Q is now in `spare`; the sketch's buffer is free.
  [documentSide, spare] = [spare, documentSide];
  const range = documentSide.subarray(0, rows * width);

  // B = QᵀA (width × columns). Its left singular vectors are the eigenvectors of
  // B·Bᵀ = Qᵀ·(A·(Aᵀ·Q)): two sparse passes instead of a columns × width² dense product.
  multiplySparse(transposed, range, width, termSide);
  passDone();
  const backProjected = multiplySparse(matrix, termSide, width, spare);
  passDone();
  const { values, vectors } = symmetricEigen(
    symmetricProduct(parallel, range, backProjected, rows, width, transposeScratch),
    width,
  );
  const singularValues = values.map((value) => Math.sqrt(Math.max(value, 0)));
  const largest = singularValues[0] ?? 0;
  const significant = singularValues.filter((value) => value > largest * 1e-6).length;
  const dimensions = Math.min(options.dimensions, significant);

  // U·Σ = Q·W·Σ (the documents), and V = Aᵀ·U·Σ⁻¹ = Aᵀ·(U·Σ)·Σ⁻² (the components).
  const leadingVectors = new Float64Array(width * dimensions);
  for (let i = 0; i < width; i++) {
    for (let j = 0; j < dimensions; j++) leadingVectors[i * dimensions + j] = vectors[i * width + j] * singularValues[j];
  }
  const rowVectors = multiplyInto(parallel, range, rows, width, leadingVectors, dimensions);
  const inverseSquares = singularValues.slice(0, dimensions).map((value) => 1 / (value * value));
  const scaled = spare.subarray(0, rows * dimensions);
  for (let row = 0; row < rows; row++) {
    for (let d = 0; d < dimensions; d++) scaled[row * dimensions + d] = rowVectors[row * dimensions + d] * inverseSquares[d];
  }
  const componentsByColumn = multiplySparse(transposed, scaled, dimensions, termSide);
  passDone();
  const components = new Float32Array(dimensions * columns);
  for (let column = 0; column < columns; column++) {
    for (let d = 0; d < dimensions; d++) components[d * columns + column] = componentsByColumn[column * dimensions + d];
  }
  return {
    dimensions,
    components,
    singularValues: Float64Array.from(singularValues.slice(0, Math.min(significant, dimensions + 1))),
    rowVectors,
  };
}
