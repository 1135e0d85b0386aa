import { type ArrayAllocator, plainArrays } from './arrays.js';

/**
 * Compressed sparse rows: the documents × terms matrix is only ever held in this form, because a
 * dense one for 100,000 articles and 40,000 terms would need 16 GB.
 */
export interface CsrMatrix {
  rows: number;
  columns: number;
  /** rows + 1 offsets into columnIndex / values. */
  rowStart: Int32Array;
  columnIndex: Int32Array;
  values: Float32Array;
}

/** The transpose in CSR form (a CSC view of the original), built in O(entries). */
export function transposeCsr(matrix: CsrMatrix, allocate: ArrayAllocator = plainArrays): CsrMatrix {
  const { rows, columns, rowStart, columnIndex, values } = matrix;
  const entries = rowStart[rows];
  const transposedStart = allocate.int32(columns + 1);
  for (let e = 0; e < entries; e++) transposedStart[columnIndex[e] + 1]++;
  for (let column = 0; column < columns; column++) transposedStart[column + 1] += transposedStart[column];
  const cursor = transposedStart.slice(0, columns);
  const transposedIndex = allocate.int32(entries);
  const transposedValues = allocate.float32(entries);
  for (let row = 0; row < rows; row++) {
    for (let e = rowStart[row]; e < rowStart[row + 1]; e++) {
      const target = cursor[columnIndex[e]]++;
      transposedIndex[target] = row;
      transposedValues[target] = values[e];
    }
  }
  return { rows: columns, columns: rows, rowStart: transposedStart, columnIndex: transposedIndex, values: transposedValues };
}

/** The listed rows, in the order listed. */
export function selectRows(matrix: CsrMatrix, rowIndexes: ArrayLike<number>, allocate: ArrayAllocator = plainArrays): CsrMatrix {
  let entries = 0;
  for (let i = 0; i < rowIndexes.length; i++) {
    const row = rowIndexes[i];
    entries += matrix.rowStart[row + 1] - matrix.rowStart[row];
  }
  const rowStart = allocate.int32(rowIndexes.length + 1);
  const columnIndex = allocate.int32(entries);
  const values = allocate.float32(entries);
  let cursor = 0;
  for (let i = 0; i < rowIndexes.length; i++) {
    const row = rowIndexes[i];
    const from = matrix.rowStart[row];
    const to = matrix.rowStart[row + 1];
    columnIndex.set(matrix.columnIndex.subarray(from, to), cursor);
    values.set(matrix.values.subarray(from, to), cursor);
    cursor += to - from;
    rowStart[i + 1] = cursor;
  }
  return { rows: rowIndexes.length, columns: matrix.columns, rowStart, columnIndex, values };
}
