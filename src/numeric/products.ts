/**
 * Matrix products over a part of the result (a span of rows, a block), so that src/parallel/ can
 * split one product between threads: every element of the result is computed by one call with
 * the same arithmetic, so the result does not depend on the split.
 */
import type { DenseMatrix } from './dense-matrix.js';
import type { CsrMatrix } from './sparse-matrix.js';

/** Rows [from, to) of a result. */
export interface RowSpan {
  from: number;
  to: number;
}

/** Rows [fromRow, toRow) × columns [fromColumn, toColumn) of a result. */
export interface Block {
  fromRow: number;
  toRow: number;
  fromColumn: number;
  toColumn: number;
}

/**
 * Rows `span` of A·B for a sparse A (rows × inner) and dense B (inner × width), into `into`
 * (rows × width): into[row] = Σ A[row, e] · B[columnIndex[e]] over the row's entries.
 *
 * Each output row sums eight scaled rows of B per pass over the accumulator: fewer loads and
 * stores of it (docs/decisions.md D12). Short rows (most rows of a transposed document matrix:
 * terms used by few documents) finish by four, two, one.
 */
export function multiplySparseRows(a: CsrMatrix, b: DenseMatrix, into: DenseMatrix, span: RowSpan): void {
  const { rowStart, columnIndex, values } = a;
  const dense = b.values;
  const result = into.values;
  const width = b.columns;
  const sum = new Float64Array(width);
  for (let row = span.from; row < span.to; row++) {
    sum.fill(0);
    const end = rowStart[row + 1];
    let e = rowStart[row];
    for (; e + 7 < end; e += 8) {
      const v0 = values[e],
        v1 = values[e + 1],
        v2 = values[e + 2],
        v3 = values[e + 3];
      const v4 = values[e + 4],
        v5 = values[e + 5],
        v6 = values[e + 6],
        v7 = values[e + 7];
      const s0 = columnIndex[e] * width,
        s1 = columnIndex[e + 1] * width;
      const s2 = columnIndex[e + 2] * width,
        s3 = columnIndex[e + 3] * width;
      const s4 = columnIndex[e + 4] * width,
        s5 = columnIndex[e + 5] * width;
      const s6 = columnIndex[e + 6] * width,
        s7 = columnIndex[e + 7] * width;
      for (let c = 0; c < width; c++) {
        sum[c] +=
          v0 * dense[s0 + c] +
          v1 * dense[s1 + c] +
          v2 * dense[s2 + c] +
          v3 * dense[s3 + c] +
          v4 * dense[s4 + c] +
          v5 * dense[s5 + c] +
          v6 * dense[s6 + c] +
          v7 * dense[s7 + c];
      }
    }
    if (e + 3 < end) {
      const v0 = values[e],
        v1 = values[e + 1],
        v2 = values[e + 2],
        v3 = values[e + 3];
      const s0 = columnIndex[e] * width,
        s1 = columnIndex[e + 1] * width;
      const s2 = columnIndex[e + 2] * width,
        s3 = columnIndex[e + 3] * width;
      for (let c = 0; c < width; c++) {
        sum[c] += v0 * dense[s0 + c] + v1 * dense[s1 + c] + v2 * dense[s2 + c] + v3 * dense[s3 + c];
      }
      e += 4;
    }
    if (e + 1 < end) {
      const v0 = values[e],
        v1 = values[e + 1];
      const s0 = columnIndex[e] * width,
        s1 = columnIndex[e + 1] * width;
      for (let c = 0; c < width; c++) sum[c] += v0 * dense[s0 + c] + v1 * dense[s1 + c];
      e += 2;
    }
    if (e < end) {
      const v0 = values[e];
      const s0 = columnIndex[e] * width;
      for (let c = 0; c < width; c++) sum[c] += v0 * dense[s0 + c];
    }
    result.set(sum, row * width);
  }
}

/**
 * Block `block` of A·B for dense A (rows × inner) and B (inner × width), into `into`
 * (rows × width). Each output row sums eight scaled rows of B per pass over the accumulator, as
 * the sparse product does.
 */
export function multiplyDenseBlock(a: DenseMatrix, b: DenseMatrix, into: DenseMatrix, block: Block): void {
  const { fromRow, toRow, fromColumn, toColumn } = block;
  const av = a.values;
  const m = b.values;
  const result = into.values;
  const inner = a.columns;
  const width = b.columns;
  const span = toColumn - fromColumn;
  const sum = new Float64Array(span);
  for (let row = fromRow; row < toRow; row++) {
    sum.fill(0);
    const offset = row * inner;
    let i = 0;
    for (; i + 7 < inner; i += 8) {
      const a0 = av[offset + i],
        a1 = av[offset + i + 1],
        a2 = av[offset + i + 2],
        a3 = av[offset + i + 3];
      const a4 = av[offset + i + 4],
        a5 = av[offset + i + 5],
        a6 = av[offset + i + 6],
        a7 = av[offset + i + 7];
      const m0 = i * width + fromColumn,
        m1 = m0 + width,
        m2 = m1 + width,
        m3 = m2 + width;
      const m4 = m3 + width,
        m5 = m4 + width,
        m6 = m5 + width,
        m7 = m6 + width;
      for (let c = 0; c < span; c++) {
        sum[c] +=
          a0 * m[m0 + c] +
          a1 * m[m1 + c] +
          a2 * m[m2 + c] +
          a3 * m[m3 + c] +
          a4 * m[m4 + c] +
          a5 * m[m5 + c] +
          a6 * m[m6 + c] +
          a7 * m[m7 + c];
      }
    }
    for (; i < inner; i++) {
      const value = av[offset + i];
      const source = i * width + fromColumn;
      for (let c = 0; c < span; c++) sum[c] += value * m[source + c];
    }
    result.set(sum, row * width + fromColumn);
  }
}
