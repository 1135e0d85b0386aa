import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

import { multiplyRowRange } from './sparse-kernel.js';
import type { CsrMatrix } from './sparse-matrix.js';

/**
 * A second thread for the passes over the sparse matrix, which dominate the LSA: the calling
 * thread computes one half of the rows while a helper thread computes the other, on shared
 * memory. The caller blocks (Atomics.wait) until both halves are done, so the clustering core stays
 * synchronous. Every row is computed whole by one thread with the same code, so the result does
 * not depend on the split. Without a second core, or if the helper fails, all rows are computed
 * here.
 */

/** Products smaller than this (entries × width) are not worth a hand-off (~0.1 ms). */
const PARALLEL_MIN_WORK = 4_000_000;
/** A helper that has not answered by then is considered lost. */
const HELPER_TIMEOUT_MS = 30_000;

interface ProductTask {
  rowStart: Int32Array;
  columnIndex: Int32Array;
  values: Float32Array;
  dense: Float64Array;
  width: number;
  result: Float64Array;
  fromRow: number;
  toRow: number;
  /** 0 while running, 1 when done, 2 on failure. */
  signal: Int32Array;
}

// The helper runs the kernel from its source text: an eval'd CommonJS worker needs no loader for
// TypeScript, whatever runs this module (tsx, vitest, compiled JavaScript).
const HELPER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const multiplyRowRange = ${multiplyRowRange.toString()};
parentPort.on('message', (task) => {
  let outcome = 1;
  try {
    multiplyRowRange(task.rowStart, task.columnIndex, task.values, task.dense, task.width, task.result, task.fromRow, task.toRow);
  } catch {
    outcome = 2;
  }
  Atomics.store(task.signal, 0, outcome);
  Atomics.notify(task.signal, 0);
});
`;

let helper: Worker | null | undefined;

function helperThread(): Worker | null {
  if (helper !== undefined) return helper;
  helper = null;
  if (availableParallelism() < 2) return helper;
  try {
    const worker = new Worker(HELPER_SOURCE, { eval: true });
    // Never keeps the process alive; errors surface through the task signal or its timeout.
    worker.unref();
    worker.on('error', () => {
      helper = null;
    });
    helper = worker;
  } catch {
    helper = null;
  }
  return helper;
}

export function sharedInt32Array(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * Int32Array.BYTES_PER_ELEMENT));
}

export function sharedFloat32Array(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}

export function sharedFloat64Array(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}

function onSharedMemory<T extends Int32Array | Float32Array | Float64Array>(array: T, allocate: (length: number) => T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const copy = allocate(array.length);
  copy.set(array);
  return copy;
}

/** The row where the entries (plus a per-row overhead) are split in half. */
function balancedSplit(rowStart: Int32Array, rows: number): number {
  const rowCost = 4;
  const half = (rowStart[rows] + rows * rowCost) / 2;
  let low = 0;
  let high = rows;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (rowStart[middle] + middle * rowCost < half) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** (rows × columns) · (columns × width), row-major Float64, on two threads when worthwhile. */
export function multiplyOnThreads(matrix: CsrMatrix, dense: Float64Array, width: number): Float64Array {
  const { rows, rowStart, columnIndex, values } = matrix;
  const worker = rowStart[rows] * width >= PARALLEL_MIN_WORK ? helperThread() : null;
  if (worker === null) {
    const result = new Float64Array(rows * width);
    multiplyRowRange(rowStart, columnIndex, values, dense, width, result, 0, rows);
    return result;
  }
  const task: ProductTask = {
    rowStart: onSharedMemory(rowStart, sharedInt32Array),
    columnIndex: onSharedMemory(columnIndex, sharedInt32Array),
    values: onSharedMemory(values, sharedFloat32Array),
    dense: onSharedMemory(dense, sharedFloat64Array),
    width,
    result: sharedFloat64Array(rows * width),
    fromRow: balancedSplit(rowStart, rows),
    toRow: rows,
    signal: sharedInt32Array(1),
  };
  worker.postMessage(task);
  multiplyRowRange(task.rowStart, task.columnIndex, task.values, task.dense, width, task.result, 0, task.fromRow);
  Atomics.wait(task.signal, 0, 0, HELPER_TIMEOUT_MS);
  if (Atomics.load(task.signal, 0) !== 1) {
    // Lost helper: finish its half here and stop using it. (If it was only slow, it writes the
    // same values again.)
    helper = null;
    void worker.terminate();
    multiplyRowRange(task.rowStart, task.columnIndex, task.values, task.dense, width, task.result, task.fromRow, rows);
  }
  return task.result;
}
