/**
 * Row-major dense matrices in one Float64Array: the reduced document vectors, centroids and the
 * small matrices of the SVD. Float64 rather than Float32 because V8 converts every Float32 load
 * to a double, which makes Float32 loops about twice as slow.
 */
export interface DenseMatrix {
  rows: number;
  columns: number;
  /** rows × columns values, row by row (may be longer: a reused buffer's leading values). */
  values: Float64Array;
}

export function denseMatrix(rows: number, columns: number, values: Float64Array = new Float64Array(rows * columns)): DenseMatrix {
  if (values.length < rows * columns) {
    throw new RangeError(`a ${rows} × ${columns} matrix needs ${rows * columns} values, got ${values.length}`);
  }
  return { rows, columns, values };
}

/** Dot product of row `aRow` of a and row `bRow` of b (rows of `width` values), in four independent sums. */
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

/** Squared Euclidean distance between row `aRow` of a and row `bRow` of b (rows of `width` values). */
export function squaredDistance(a: Float64Array, aRow: number, b: Float64Array, bRow: number, width: number): number {
  const aOffset = aRow * width;
  const bOffset = bRow * width;
  let sum = 0;
  for (let d = 0; d < width; d++) {
    const difference = a[aOffset + d] - b[bOffset + d];
    sum += difference * difference;
  }
  return sum;
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
