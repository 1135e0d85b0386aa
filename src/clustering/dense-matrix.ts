/**
 * Row-major dense matrices in one Float64Array (rows × width): the reduced document vectors,
 * centroids and the small matrices of the SVD. Float64 rather than Float32 because V8 converts
 * every Float32 load to a double, which makes Float32 loops about twice as slow.
 */

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

/** Copies the listed rows into a new matrix. */
export function gatherRows(matrix: Float64Array, width: number, rows: ArrayLike<number>): Float64Array {
  const result = new Float64Array(rows.length * width);
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

/**
 * A (rows × inner) · M (inner × width). Each output row sums eight scaled rows of M per pass over
 * the accumulator (see multiplySparseDense for why).
 */
export function multiplyDense(
  a: Float64Array,
  rows: number,
  inner: number,
  m: Float64Array,
  width: number,
): Float64Array {
  const result = new Float64Array(rows * width);
  const sum = new Float64Array(width);
  for (let row = 0; row < rows; row++) {
    sum.fill(0);
    const offset = row * inner;
    let i = 0;
    for (; i + 7 < inner; i += 8) {
      const a0 = a[offset + i], a1 = a[offset + i + 1], a2 = a[offset + i + 2], a3 = a[offset + i + 3];
      const a4 = a[offset + i + 4], a5 = a[offset + i + 5], a6 = a[offset + i + 6], a7 = a[offset + i + 7];
      const m0 = i * width, m1 = m0 + width, m2 = m1 + width, m3 = m2 + width;
      const m4 = m3 + width, m5 = m4 + width, m6 = m5 + width, m7 = m6 + width;
      for (let c = 0; c < width; c++) {
        sum[c] +=
          a0 * m[m0 + c] + a1 * m[m1 + c] + a2 * m[m2 + c] + a3 * m[m3 + c] +
          a4 * m[m4 + c] + a5 * m[m5 + c] + a6 * m[m6 + c] + a7 * m[m7 + c];
      }
    }
    for (; i < inner; i++) {
      const value = a[offset + i];
      const source = i * width;
      for (let c = 0; c < width; c++) sum[c] += value * m[source + c];
    }
    result.set(sum, row * width);
  }
  return result;
}

/** Aᵀ (width × rows) for a row-major rows × width matrix. */
export function transposeDense(a: Float64Array, rows: number, width: number): Float64Array {
  const result = new Float64Array(rows * width);
  for (let row = 0; row < rows; row++) {
    for (let c = 0; c < width; c++) result[c * rows + row] = a[row * width + c];
  }
  return result;
}

/**
 * AᵀB (width × width) for row-major rows × width matrices A and B whose product is known to be
 * symmetric (B = A for a Gram matrix): only the upper triangle is computed, then mirrored.
 */
export function symmetricProduct(a: Float64Array, b: Float64Array, rows: number, width: number): Float64Array {
  const aColumns = transposeDense(a, rows, width);
  const bColumns = b === a ? aColumns : transposeDense(b, rows, width);
  const product = new Float64Array(width * width);
  for (let i = 0; i < width; i++) {
    for (let j = i; j < width; j++) {
      const value = dotRows(aColumns, i, bColumns, j, rows);
      product[i * width + j] = value;
      product[j * width + i] = value;
    }
  }
  return product;
}
