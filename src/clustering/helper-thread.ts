import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

import { kmeans } from 'ml-kmeans';

import type { Corpus } from '../text/corpus.js';
import type { CsrMatrix } from '../text/sparse-matrix.js';
import { ENGLISH_STOP_WORDS } from '../text/stop-words.js';
import { sharedFloat32Array, sharedFloat64Array, sharedInt32Array } from '../text/shared-memory.js';
import { createTokenizer, type ScannedTexts } from '../text/tokenize.js';
import { fillStandardNormal, kMeansStarts, multiplyDenseRange, multiplyRowRange } from './kernels.js';
import type { ClusterDocument } from './types.js';

/**
 * The heavy loops of the clustering on two threads (matrix products, Gaussian sketches, k-means
 * starts, and scanning texts for the corpus, which this thread then counts): the calling thread
 * computes one part of the result while a helper thread computes the other, on shared memory,
 * and the caller blocks (Atomics.wait) until both are done, so the clustering core stays
 * synchronous. Every output element is computed by one thread with the same code, so results do
 * not depend on the split. Without a second core everything is computed here; a task that fails
 * in the helper is computed here and the helper replaced.
 */

/** Products below this many multiply-adds are not worth a hand-off (about 50 µs). */
const PARALLEL_MIN_WORK = 2_000_000;
/**
 * A helper that has not answered by then is stuck. Its part of a product cannot be computed
 * here instead: it may still write into buffers that are reused by then, so the work fails.
 */
const HELPER_TIMEOUT_MS = 30_000;
/**
 * Shared buffers handed to the helper stay alive until the helper's own garbage collector runs,
 * which an idle helper hardly ever does; the helper is replaced after this much has been handed
 * over, which frees them (a new helper starts in a few tens of milliseconds).
 */
const HELPER_RECYCLE_BYTES = 256 * 2 ** 20;
let bytesHandedOver = 0;
let buffersHandedOver = new WeakSet<ArrayBufferLike>();

interface SparseTask {
  kind: 'sparse';
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

interface NormalTask {
  kind: 'normal';
  target: Float64Array;
  from: number;
  to: number;
  seed: number;
  signal: Int32Array;
}

interface DenseTask {
  kind: 'dense';
  a: Float64Array;
  inner: number;
  m: Float64Array;
  width: number;
  result: Float64Array;
  fromRow: number;
  toRow: number;
  fromColumn: number;
  toColumn: number;
  signal: Int32Array;
}

interface KMeansTask {
  kind: 'kmeans';
  /** Where the helper imports ml-kmeans from. */
  moduleUrl: string;
  vectors: Float64Array;
  rows: number;
  width: number;
  k: number;
  seeds: number[];
  maxIterations: number;
  assignments: Int32Array;
  centroids: Float64Array;
  stats: Float64Array;
  signal: Int32Array;
}

interface ScanTask {
  kind: 'scan';
  /** Matches the result on the results port to the task. */
  id: number;
  texts: string[];
  signal: Int32Array;
}

const ML_KMEANS_URL = pathToFileURL(createRequire(import.meta.url).resolve('ml-kmeans')).href;

// The helper runs the kernels from their source text: an eval'd CommonJS worker needs no loader
// for TypeScript, whatever runs this module (tsx, vitest, compiled JavaScript). esbuild, under tsx
// and vitest, wraps inner functions in its __name helper, which the helper thread must provide.
const HELPER_SOURCE = `
const __name = (target) => target;
const { parentPort, workerData } = require('node:worker_threads');
const multiplyRowRange = ${multiplyRowRange.toString()};
const multiplyDenseRange = ${multiplyDenseRange.toString()};
const fillStandardNormal = ${fillStandardNormal.toString()};
const kMeansStarts = ${kMeansStarts.toString()};
const tokenizer = (${createTokenizer.toString()})(${JSON.stringify([...ENGLISH_STOP_WORDS])});
let mlKMeans;
parentPort.on('message', async (task) => {
  const started = performance.now();
  let outcome = 1;
  try {
    if (task.kind === 'sparse') {
      multiplyRowRange(task.rowStart, task.columnIndex, task.values, task.dense, task.width, task.result, task.fromRow, task.toRow);
    } else if (task.kind === 'normal') {
      fillStandardNormal(task.target, task.from, task.to, task.seed);
    } else if (task.kind === 'kmeans') {
      mlKMeans ??= await import(task.moduleUrl);
      kMeansStarts(mlKMeans.kmeans, task.vectors, task.rows, task.width, task.k, task.seeds, task.maxIterations, task.assignments, task.centroids, task.stats);
    } else if (task.kind === 'scan') {
      const scanned = tokenizer.scanTexts(task.texts);
      const buffers = [scanned.textStart, scanned.wordIds, scanned.caseMasks, scanned.continuesPhrase, scanned.starts].map((array) => array.buffer);
      workerData.results.postMessage({ id: task.id, scanned }, buffers);
    } else {
      multiplyDenseRange(task.a, task.inner, task.m, task.width, task.result, task.fromRow, task.toRow, task.fromColumn, task.toColumn);
    }
  } catch {
    outcome = 2;
  }
  // How long the part took, in microseconds, for the split of the next products.
  task.signal[1] = Math.round((performance.now() - started) * 1000);
  Atomics.store(task.signal, 0, outcome);
  Atomics.notify(task.signal, 0);
});
`;

/** A task's signal: [0 while running, 1 when done, 2 on failure; the helper's time in µs]. */
function newSignal(): Int32Array {
  return sharedInt32Array(2);
}

/**
 * The helper's speed relative to this thread's, learnt from the products so far (1 = as fast; on
 * a shared two-core machine the helper's core is often the busier one). Products give the helper
 * the share of the work that makes both threads finish together. Which thread computes a row
 * never changes its value, so the split only changes the time.
 */
let helperSpeed = 1;

function helperShare(): number {
  return helperSpeed / (1 + helperSpeed);
}

/** Updates the helper's relative speed from one split product (work in any common unit). */
function learnSpeed(ownWork: number, ownMs: number, helperWork: number, helperMs: number): void {
  // Parts too short to time say nothing.
  if (ownMs < 0.5 || helperMs < 0.5 || ownWork <= 0 || helperWork <= 0) return;
  const ratio = helperWork / helperMs / (ownWork / ownMs);
  helperSpeed = Math.min(4, Math.max(0.25, 0.7 * helperSpeed + 0.3 * ratio));
}

let helper: Worker | null | undefined;
/** Where the helper posts results whose size is known only at the end (scanned texts). */
let resultsPort: MessagePort | null = null;
let lastTaskId = 0;

function helperThread(): Worker | null {
  if (helper !== undefined) return helper;
  helper = null;
  if (availableParallelism() < 2) return helper;
  try {
    const channel = new MessageChannel();
    const worker = new Worker(HELPER_SOURCE, { eval: true, workerData: { results: channel.port2 }, transferList: [channel.port2] });
    resultsPort = channel.port1;
    // Never keeps the process alive; failures surface through the task signal or its timeout.
    worker.unref();
    worker.on('error', () => {
      if (helper === worker) dropHelper(worker, null);
    });
    helper = worker;
  } catch {
    helper = null;
  }
  return helper;
}

/** Whether work can be split with a helper thread (on two cores, unless one got stuck). */
export function helperThreadActive(): boolean {
  return helper !== null && availableParallelism() >= 2;
}

/** Whether the helper can write to `result`: a new array, or one on shared memory. */
function canShare(result: Float64Array | undefined): boolean {
  return result === undefined || result.buffer instanceof SharedArrayBuffer;
}

function onSharedMemory<T extends Int32Array | Float32Array | Float64Array>(array: T, allocate: (length: number) => T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const copy = allocate(array.length);
  copy.set(array);
  return copy;
}

/**
 * Stops using a helper: `next` is undefined to start a new one at the next task (after a task
 * failed in it, or to free what it holds), null to compute everything here from now on.
 */
function dropHelper(worker: Worker, next: null | undefined): void {
  helper = next;
  resultsPort?.close();
  resultsPort = null;
  void worker.terminate();
}

/** Waits for the helper's part of `task`: whether it succeeded; throws when the helper is stuck. */
function awaitHelper(worker: Worker, task: { signal: Int32Array }): boolean {
  Atomics.wait(task.signal, 0, 0, HELPER_TIMEOUT_MS);
  const outcome = Atomics.load(task.signal, 0);
  if (outcome === 0) {
    dropHelper(worker, null);
    throw new Error(`the clustering's helper thread did not answer in ${HELPER_TIMEOUT_MS / 1000} s`);
  }
  if (outcome !== 1) dropHelper(worker, undefined);
  return outcome === 1;
}

/**
 * Hands `task` to the helper, runs `ownPart` here, then waits for the helper. If the helper is
 * lost, `helperPart` runs here too. Returns whether the helper did its part. With `work` (the
 * size of each part), the two parts' times update the helper's relative speed.
 */
function splitWithHelper(
  worker: Worker,
  task: SparseTask | DenseTask | NormalTask | KMeansTask,
  ownPart: () => void,
  helperPart: () => void,
  work?: { own: number; helper: number },
): boolean {
  worker.postMessage(task);
  const ownStart = performance.now();
  ownPart();
  const ownMs = performance.now() - ownStart;
  if (!awaitHelper(worker, task)) {
    // The task failed in the helper (it stopped): its part is computed here.
    helperPart();
    return false;
  }
  for (const value of Object.values(task)) {
    // Buffers reused from product to product (the SVD's workspace) count once.
    if (ArrayBuffer.isView(value) && !buffersHandedOver.has(value.buffer)) {
      buffersHandedOver.add(value.buffer);
      bytesHandedOver += value.buffer.byteLength;
    }
  }
  if (work) learnSpeed(work.own, ownMs, work.helper, Atomics.load(task.signal, 1) / 1000);
  if (bytesHandedOver > HELPER_RECYCLE_BYTES) {
    bytesHandedOver = 0;
    buffersHandedOver = new WeakSet();
    dropHelper(worker, undefined);
  }
  return true;
}

/** Cost of a row of a sparse product beyond its entries (clearing and storing its sum). */
const ROW_COST = 4;

/** Work of rows [0, row) of a sparse product: entries plus a per-row overhead. */
function sparseWork(rowStart: Int32Array, row: number): number {
  return rowStart[row] + row * ROW_COST;
}

/** The row before which this thread's share of the work (1 − helperShare) lies. */
function balancedSplit(rowStart: Int32Array, rows: number): number {
  const own = sparseWork(rowStart, rows) * (1 - helperShare());
  let low = 0;
  let high = rows;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sparseWork(rowStart, middle) < own) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * (rows × columns) · (columns × width) for a sparse left operand; row-major Float64. The result
 * goes to `result` when given (its first rows × width values; on shared memory, or the product
 * stays on this thread), so that repeated products can reuse one buffer.
 */
export function multiplySparseDense(matrix: CsrMatrix, dense: Float64Array, width: number, result?: Float64Array): Float64Array {
  const { rows, rowStart, columnIndex, values } = matrix;
  const worker = rowStart[rows] * width >= PARALLEL_MIN_WORK && canShare(result) ? helperThread() : null;
  const target = result ?? (worker === null ? new Float64Array(rows * width) : sharedFloat64Array(rows * width));
  if (worker === null) {
    multiplyRowRange(rowStart, columnIndex, values, dense, width, target, 0, rows);
    return target;
  }
  const task: SparseTask = {
    kind: 'sparse',
    rowStart: onSharedMemory(rowStart, sharedInt32Array),
    columnIndex: onSharedMemory(columnIndex, sharedInt32Array),
    values: onSharedMemory(values, sharedFloat32Array),
    dense: onSharedMemory(dense, sharedFloat64Array),
    width,
    result: target,
    fromRow: balancedSplit(rowStart, rows),
    toRow: rows,
    signal: newSignal(),
  };
  const run = (from: number, to: number) =>
    multiplyRowRange(task.rowStart, task.columnIndex, task.values, task.dense, width, target, from, to);
  const ownWork = sparseWork(rowStart, task.fromRow);
  splitWithHelper(worker, task, () => run(0, task.fromRow), () => run(task.fromRow, rows), {
    own: ownWork,
    helper: sparseWork(rowStart, rows) - ownWork,
  });
  return target;
}

/**
 * A (rows × inner) · M (inner × width), row-major Float64, into `result` when given (as for
 * multiplySparseDense); only the result's columns from `fromColumn` on are computed. Split by
 * rows, or by columns when there are only a few rows (centroids against all documents).
 */
export function multiplyDense(
  a: Float64Array,
  rows: number,
  inner: number,
  m: Float64Array,
  width: number,
  result?: Float64Array,
  fromColumn = 0,
): Float64Array {
  const columns = width - fromColumn;
  const worker = rows * inner * columns >= PARALLEL_MIN_WORK && canShare(result) ? helperThread() : null;
  const target = result ?? (worker === null ? new Float64Array(rows * width) : sharedFloat64Array(rows * width));
  if (worker === null) {
    multiplyDenseRange(a, inner, m, width, target, 0, rows, fromColumn, width);
    return target;
  }
  const byRows = rows >= 16;
  const parts = byRows ? rows : columns;
  const split = Math.min(parts - 1, Math.max(1, Math.round(parts * (1 - helperShare()))));
  const task: DenseTask = {
    kind: 'dense',
    a: onSharedMemory(a, sharedFloat64Array),
    inner,
    m: onSharedMemory(m, sharedFloat64Array),
    width,
    result: target,
    fromRow: byRows ? split : 0,
    toRow: rows,
    fromColumn: byRows ? fromColumn : fromColumn + split,
    toColumn: width,
    signal: newSignal(),
  };
  const run = (fromRow: number, toRow: number, from: number, toColumn: number) =>
    multiplyDenseRange(task.a, inner, task.m, width, target, fromRow, toRow, from, toColumn);
  splitWithHelper(
    worker,
    task,
    () => (byRows ? run(0, split, fromColumn, width) : run(0, rows, fromColumn, task.fromColumn)),
    () => run(task.fromRow, rows, task.fromColumn, width),
    { own: split, helper: parts - split },
  );
  return target;
}

/**
 * Fills the first `length` values of `target` with standard normal values: the first half from
 * `seeds[0]`, the second from `seeds[1]`, so the values are the same whether the helper thread
 * computes one half or not.
 */
export function fillStandardNormalVector(target: Float64Array, length: number, seeds: readonly [number, number]): Float64Array {
  const half = length >> 1;
  const worker = length >= PARALLEL_MIN_WORK / 8 && canShare(target) ? helperThread() : null;
  if (worker === null) {
    fillStandardNormal(target, 0, half, seeds[0]);
    fillStandardNormal(target, half, length, seeds[1]);
    return target;
  }
  const task: NormalTask = { kind: 'normal', target, from: half, to: length, seed: seeds[1], signal: newSignal() };
  splitWithHelper(
    worker,
    task,
    () => fillStandardNormal(target, 0, half, seeds[0]),
    () => fillStandardNormal(target, half, length, seeds[1]),
  );
  return target;
}

export interface KMeansStartsResult {
  /** starts × rows: the clusters of each start. */
  assignments: Int32Array;
  /** starts × k × width: the centroids of each start. */
  centroids: Float64Array;
  /** [inertia, iterations] of each start. */
  stats: Float64Array;
}

/**
 * k-means starts (kernels.ts kMeansStarts), one per seed: the helper runs the second half of the
 * seeds while this thread runs the first. Each start depends on its seed alone, so the results
 * do not depend on the split.
 */
export function runKMeansStarts(
  vectors: Float64Array,
  rows: number,
  width: number,
  k: number,
  seeds: number[],
  maxIterations: number,
): KMeansStartsResult {
  const count = seeds.length;
  const worker = count >= 2 && rows * width * k * count >= PARALLEL_MIN_WORK ? helperThread() : null;
  const allocateInt32 = worker === null ? (length: number) => new Int32Array(length) : sharedInt32Array;
  const allocateFloat64 = worker === null ? (length: number) => new Float64Array(length) : sharedFloat64Array;
  const result = {
    assignments: allocateInt32(count * rows),
    centroids: allocateFloat64(count * k * width),
    stats: allocateFloat64(2 * count),
  };
  const run = (from: number, to: number, input: Float64Array) =>
    kMeansStarts(
      kmeans,
      input,
      rows,
      width,
      k,
      seeds.slice(from, to),
      maxIterations,
      result.assignments.subarray(from * rows, to * rows),
      result.centroids.subarray(from * k * width, to * k * width),
      result.stats.subarray(2 * from, 2 * to),
    );
  if (worker === null) {
    run(0, count, vectors);
    return result;
  }
  // This thread takes the larger half: the helper may still have to import ml-kmeans.
  const half = Math.ceil(count / 2);
  const task: KMeansTask = {
    kind: 'kmeans',
    moduleUrl: ML_KMEANS_URL,
    vectors: onSharedMemory(vectors, sharedFloat64Array),
    rows,
    width,
    k,
    seeds: seeds.slice(half),
    maxIterations,
    assignments: result.assignments.subarray(half * rows),
    centroids: result.centroids.subarray(half * k * width),
    stats: result.stats.subarray(2 * half),
    signal: newSignal(),
  };
  splitWithHelper(worker, task, () => run(0, half, task.vectors), () => run(half, count, task.vectors));
  return result;
}

/** Batches smaller than this are tokenised here alone: a hand-off costs about a millisecond. */
const PARALLEL_MIN_DOCUMENTS = 200;
/** Documents this thread adds itself at the start of a batch, while the helper scans ahead. */
const FIRST_ROUND_DOCUMENTS = 300;
/** Documents the helper scans per round after that (bounds the scanned words in flight). */
const ROUND_DOCUMENTS = 400;

/**
 * The texts the helper scanned for task `id` (from `port`), skipping results of earlier tasks
 * nobody collected (a batch whose own part threw after the helper got its rounds).
 */
function receiveScanned(port: MessagePort, id: number): ScannedTexts | null {
  for (;;) {
    const received = receiveMessageOnPort(port);
    if (received === undefined) return null;
    const { id: resultId, scanned } = received.message as { id: number; scanned: ScannedTexts };
    if (resultId === id) return scanned;
  }
}

/**
 * Adds documents to a corpus, in order, tokenising on two threads as a pipeline: this thread adds
 * the first documents itself while the helper scans the next round (finds the words: about half
 * of the work); from then on the helper scans round r + 1 while this thread counts the words of
 * round r (Corpus.addScanned). The corpus is the one that adding the documents one by one
 * builds, whether or not the helper takes part; if the helper is lost, this thread adds the rest.
 */
export function addDocuments(corpus: Corpus, documents: readonly ClusterDocument[]): void {
  const worker = documents.length >= PARALLEL_MIN_DOCUMENTS ? helperThread() : null;
  const port = resultsPort;
  if (worker === null || port === null) {
    for (const document of documents) corpus.add(document);
    return;
  }
  const roundStarts = [0];
  for (let start = FIRST_ROUND_DOCUMENTS; start < documents.length; start += ROUND_DOCUMENTS) roundStarts.push(start);
  roundStarts.push(documents.length);
  const roundOf = (round: number) => documents.slice(roundStarts[round], roundStarts[round + 1]);
  const rounds = roundStarts.length - 1;
  const tasks: ScanTask[] = [];
  const post = (round: number) => {
    if (round >= rounds) return;
    const task: ScanTask = {
      kind: 'scan',
      id: ++lastTaskId,
      texts: roundOf(round).flatMap(({ title, body }) => [title, body]),
      signal: newSignal(),
    };
    worker.postMessage(task);
    tasks[round] = task;
  };

  post(1);
  for (const document of roundOf(0)) corpus.add(document);
  for (let round = 1; round < rounds; round++) {
    post(round + 1);
    const task = tasks[round];
    const scanned = awaitHelper(worker, task) ? receiveScanned(port, task.id) : null;
    if (scanned === null) {
      for (const document of documents.slice(roundStarts[round])) corpus.add(document);
      return;
    }
    corpus.addScanned(roundOf(round), scanned);
  }
}
