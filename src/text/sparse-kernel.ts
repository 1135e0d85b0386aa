/**
 * The sparse × dense product kernel on plain typed arrays, for rows [fromRow, toRow):
 * result[row] = Σ values[e] · dense[columnIndex[e]] over the row's entries (dense rows of
 * `width`). Self-contained on purpose (no imports, no outer variables): the helper thread runs
 * this very function from its source text.
 *
 * Each output row sums eight scaled dense rows per pass over the accumulator, about four times
 * faster in V8 than one at a time (fewer loads and stores of the accumulator); short rows (most
 * rows of a transposed document matrix: terms used by few documents) finish by four, two, one.
 */
export function multiplyRowRange(
  rowStart: Int32Array,
  columnIndex: Int32Array,
  values: Float32Array,
  dense: Float64Array,
  width: number,
  result: Float64Array,
  fromRow: number,
  toRow: number,
): void {
  const sum = new Float64Array(width);
  for (let row = fromRow; row < toRow; row++) {
    sum.fill(0);
    const end = rowStart[row + 1];
    let e = rowStart[row];
    for (; e + 7 < end; e += 8) {
      const v0 = values[e], v1 = values[e + 1], v2 = values[e + 2], v3 = values[e + 3];
      const v4 = values[e + 4], v5 = values[e + 5], v6 = values[e + 6], v7 = values[e + 7];
      const s0 = columnIndex[e] * width, s1 = columnIndex[e + 1] * width;
      const s2 = columnIndex[e + 2] * width, s3 = columnIndex[e + 3] * width;
      const s4 = columnIndex[e + 4] * width, s5 = columnIndex[e + 5] * width;
      const s6 = columnIndex[e + 6] * width, s7 = columnIndex[e + 7] * width;
      for (let c = 0; c < width; c++) {
        sum[c] +=
          v0 * dense[s0 + c] + v1 * dense[s1 + c] + v2 * dense[s2 + c] + v3 * dense[s3 + c] +
          v4 * dense[s4 + c] + v5 * dense[s5 + c] + v6 * dense[s6 + c] + v7 * dense[s7 + c];
      }
    }
    if (e + 3 < end) {
      const v0 = values[e], v1 = values[e + 1], v2 = values[e + 2], v3 = values[e + 3];
      const s0 = columnIndex[e] * width, s1 = columnIndex[e + 1] * width;
      const s2 = columnIndex[e + 2] * width, s3 = columnIndex[e + 3] * width;
      for (let c = 0; c < width; c++) {
        sum[c] += v0 * dense[s0 + c] + v1 * dense[s1 + c] + v2 * dense[s2 + c] + v3 * dense[s3 + c];
      }
      e += 4;
    }
    if (e + 1 < end) {
      const v0 = values[e], v1 = values[e + 1];
      const s0 = columnIndex[e] * width, s1 = columnIndex[e + 1] * width;
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
