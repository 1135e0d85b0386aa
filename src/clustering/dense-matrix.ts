/**
 * Row-major dense matrices in one Float64Array (rows × width): the reduced document vectors,
 * centroids and the small matrices of the SVD. Float64 rather than Float32 because V8 converts
 * every Float32 load to a double, which makes Float32 loops about twice as slow. The products
 * are in helper-thread.ts (split between two threads) over the kernels of kernels.ts.
 */
import { multiplyDense } from './helper-thread.js';

export { multiplyDense };

export function dotRows(a: Float64Array, aRow: number, b: Float64Array, bRow: number, width: number): number {
  const aOffset = aRow * width;
  const bOffset = bRow * width;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (; d + 3 < width; d += 4) {
    s0 += a[aOffset + d] * b[bOffset + d];
    s1 += a[aOffset + d + 1] * b[bOffset + d + 1];
    s2 += a[aOffset + d + 2] * b[bOffset + d + 2];
    s3 += a[aOffset + d + 3] * b[bOffset + d + 3];
  }
  for (; d < width; d++) s0 += a[aOffset + d] * b[bOffset + d];
  return s0 + s1 + s2 + s3;
}

/** Scales every row to unit length in place; all-zero rows stay zero. */
export function normaliseRows(matrix: Float64Array, width: number): void {
  const rows = matrix.length / width;
  for (let row = 0; row < rows; row++) {
    const squaredNorm = dotRows(matrix, row, matrix, row, width);
    if (squaredNorm === 0) continue;
    const scale = 1 / Math.sqrt(squaredNorm);
    const offset = row * width;
    for (let d = 0; d < width; d++) matrix[offset + d] *= scale;
  }
}

/** Copies the listed rows into a new matrix, or into `result` when given. */
export function gatherRows(matrix: Float64Array, width: number, rows: ArrayLike<number>, result?: Float64Array): Float64Array {
  result ??= new Float64Array(rows.length * width);
  for (let i = 0; i < rows.length; i++) {
    result.set(matrix.subarray(rows[i] * width, (rows[i] + 1) * width), i * width);
  }
  return result;
}

/** Mean of the rows in each group, L2-normalised: the centroid direction of each group. */
export function groupMeanDirections(
  matrix: Float64Array,
  width: number,
  groupOfRow: ArrayLike<number>,
  groups: number,
): Float64Array {
  const sums = new Float64Array(groups * width);
  for (let row = 0; row < groupOfRow.length; row++) {
    const offset = groupOfRow[row] * width;
    const source = row * width;
    for (let d = 0; d < width; d++) sums[offset + d] += matrix[source + d];
  }
  normaliseRows(sums, width);
  return sums;
}

/** Aᵀ (width × rows) for a row-major rows × width matrix, into `result` when given. */
export function transposeDense(a: Float64Array, rows: number, width: number, result?: Float64Array): Float64Array {
  const target = result ?? new Float64Array(rows * width);
  for (let row = 0; row < rows; row++) {
    for (let c = 0; c < width; c++) target[c * rows + row] = a[row * width + c];
  }
  return target;
}

/**
 * AᵀB (width × width) for row-major rows × width matrices A and B whose product is known to be
 * symmetric (B = A for a Gram matrix), as one blocked product of the transpose; the two halves
 * are averaged so that the result is exactly symmetric. `scratch` (rows × width values, on
 * shared memory for the helper thread) holds the transpose when given.
 */
export function symmetricProduct(a: Float64Array, b: Float64Array, rows: number, width: number, scratch?: Float64Array): Float64Array {
  const product = multiplyDense(transposeDense(a, rows, width, scratch), width, rows, b, width);
  for (let i = 0; i < width; i++) {
    for (let j = i + 1; j < width; j++) {
      const mean = 0.5 * (product[i * width + j] + product[j * width + i]);
      product[i * width + j] = mean;
      product[j * width + i] = mean;
    }
  }
  return product;
}
