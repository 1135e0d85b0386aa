/**
 * The heavy loops of the clustering, on one thread or two: the interface the algorithms call
 * ("multiply these", "run these starts", "add these documents"). With a helper thread, this
 * thread computes one part of each result while the helper computes the other; every output
 * element is computed by one thread with the same code, so the answer is the same whether one
 * thread or two compute it, and whatever the split (docs/decisions.md D13).
 */
import { availableParallelism } from 'node:os';

import { type ArrayAllocator, plainArrays } from '../numeric/arrays.js';
import { type DenseMatrix, denseMatrix } from '../numeric/dense-matrix.js';
import { allocateKMeansStarts, type KMeansStartsOutput } from '../numeric/kmeans-starts.js';
import type { CsrMatrix } from '../numeric/sparse-matrix.js';
import type { Corpus, TextDocument } from '../text/corpus.js';
import { HelperPool, type Pending } from './pool.js';
import type { Task } from './protocol.js';
import { runTask } from './run-task.js';
import { sharedArrays } from './shared-arrays.js';

/** Products below this many multiply-adds are not worth a hand-off (about 50 µs). */
const PARALLEL_MIN_WORK = 2_000_000;
/** Batches smaller than this are tokenised here alone: a hand-off costs about a millisecond. */
const PARALLEL_MIN_DOCUMENTS = 200;
/** Documents this thread adds itself at the start of a batch, while the helper scans ahead. */
const FIRST_ROUND_DOCUMENTS = 300;
/** Documents the helper scans per round after that (bounds the scanned words in flight). */
const ROUND_DOCUMENTS = 400;
/** Cost of a row of a sparse product beyond its entries (clearing and storing its sum). */
const ROW_COST = 4;

function onSharedMemory<T extends Int32Array | Float32Array | Float64Array>(array: T, allocate: (length: number) => T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const copy = allocate(array.length);
  copy.set(array);
  return copy;
}

function sharedCsr(matrix: CsrMatrix): CsrMatrix {
  return {
    ...matrix,
    rowStart: onSharedMemory(matrix.rowStart, sharedArrays.int32),
    columnIndex: onSharedMemory(matrix.columnIndex, sharedArrays.int32),
    values: onSharedMemory(matrix.values, sharedArrays.float32),
  };
}

function sharedDense(matrix: DenseMatrix): DenseMatrix {
  return { ...matrix, values: onSharedMemory(matrix.values, sharedArrays.float64) };
}

/**
 * The helper's speed relative to this thread's, learnt from the products so far (1 = as fast; on
 * a shared two-core machine the helper's core is often the busier one). Products give the helper
 * the share of the work that makes both threads finish together.
 */
class SpeedBalance {
  private helperSpeed = 1;

  /** The share of a product's work the helper gets. */
  helperShare(): number {
    return this.helperSpeed / (1 + this.helperSpeed);
  }

  /** Learns from one split product (work in any common unit). */
  learn(ownWork: number, ownMs: number, helperWork: number, helperMs: number): void {
    // Parts too short to time say nothing.
    if (ownMs < 0.5 || helperMs < 0.5 || ownWork <= 0 || helperWork <= 0) return;
    const ratio = helperWork / helperMs / (ownWork / ownMs);
    this.helperSpeed = Math.min(4, Math.max(0.25, 0.7 * this.helperSpeed + 0.3 * ratio));
  }
}

/** Work of rows [0, row) of a sparse product: entries plus a per-row overhead. */
function sparseWork(rowStart: Int32Array, row: number): number {
  return rowStart[row] + row * ROW_COST;
}

export class Parallel {
  /**
   * Where to allocate the arrays that products read and write (the SVD's workspace, the tf-idf
   * matrix): shared memory when a helper can take part, so that nothing is copied for it.
   */
  readonly allocate: ArrayAllocator;
  private readonly balance = new SpeedBalance();

  /** `pool`: the helper thread, or null to compute everything on this thread. */
  constructor(private readonly pool: HelperPool | null) {
    this.allocate = pool === null ? plainArrays : sharedArrays;
  }

  /** Starts the helper now, so that it is ready when the work comes (it boots in the background). */
  prepare(): void {
    this.pool?.prepare();
  }

  /** Resolves once the helper (if any) takes tasks: for tests and benchmarks. */
  async whenReady(): Promise<boolean> {
    return this.pool === null ? false : this.pool.whenReady();
  }

  /** Tasks the helper has finished so far. */
  helperTasks(): number {
    return this.pool?.tasksDone ?? 0;
  }

  /** A·B for a sparse A and a dense B, into `into` when given (its leading rows × B.columns values). */
  multiplySparse(a: CsrMatrix, b: DenseMatrix, into?: DenseMatrix): DenseMatrix {
    const { rows, rowStart } = a;
    const work = rowStart[rows] * b.columns;
    const result = into ?? denseMatrix(rows, b.columns, this.allocate.float64(rows * b.columns));
    if (!this.worthSplitting(work, result)) {
      runTask({ kind: 'sparse-product', a, b, into: result, rows: { from: 0, to: rows } });
      return result;
    }
    // The row before which this thread's share of the work lies.
    const own = sparseWork(rowStart, rows) * (1 - this.balance.helperShare());
    let split = 0;
    let high = rows;
    while (split < high) {
      const middle = (split + high) >> 1;
      if (sparseWork(rowStart, middle) < own) split = middle + 1;
      else high = middle;
    }
    const shared = sharedCsr(a);
    const sharedB = sharedDense(b);
    this.split(
      { kind: 'sparse-product', a: shared, b: sharedB, into: result, rows: { from: split, to: rows } },
      { kind: 'sparse-product', a: shared, b: sharedB, into: result, rows: { from: 0, to: split } },
      { own: sparseWork(rowStart, split), helper: sparseWork(rowStart, rows) - sparseWork(rowStart, split) },
    );
    return result;
  }

  /**
   * A·B for dense matrices, into `into` when given; only the result's columns from `fromColumn`
   * on are computed. Split by rows, or by columns when there are only a few rows.
   */
  multiplyDense(a: DenseMatrix, b: DenseMatrix, options: { into?: DenseMatrix; fromColumn?: number } = {}): DenseMatrix {
    const { rows } = a;
    const width = b.columns;
    const fromColumn = options.fromColumn ?? 0;
    const columns = width - fromColumn;
    const result = options.into ?? denseMatrix(rows, width, this.allocate.float64(rows * width));
    const whole = { fromRow: 0, toRow: rows, fromColumn, toColumn: width };
    if (!this.worthSplitting(rows * a.columns * columns, result)) {
      runTask({ kind: 'dense-product', a, b, into: result, block: whole });
      return result;
    }
    const byRows = rows >= 16;
    const parts = byRows ? rows : columns;
    const split = Math.min(parts - 1, Math.max(1, Math.round(parts * (1 - this.balance.helperShare()))));
    const sharedA = sharedDense(a);
    const sharedB = sharedDense(b);
    const task = (block: typeof whole): Task => ({ kind: 'dense-product', a: sharedA, b: sharedB, into: result, block });
    this.split(
      task(byRows ? { ...whole, fromRow: split } : { ...whole, fromColumn: fromColumn + split }),
      task(byRows ? { ...whole, toRow: split } : { ...whole, toColumn: fromColumn + split }),
      { own: split, helper: parts - split },
    );
    return result;
  }

  /**
   * Fills the first `length` values of `target` with standard normal values: the first half from
   * `seeds[0]`, the second from `seeds[1]`, so the values do not depend on who draws which half.
   */
  fillStandardNormal(target: Float64Array, length: number, seeds: readonly [number, number]): Float64Array {
    const half = length >> 1;
    const first: Task = { kind: 'standard-normal', target, from: 0, to: half, seed: seeds[0] };
    const second: Task = { kind: 'standard-normal', target, from: half, to: length, seed: seeds[1] };
    if (this.worthSplitting(length * 8, target)) this.split(second, first);
    else {
      runTask(first);
      runTask(second);
    }
    return target;
  }

  /**
   * k-means starts, one per seed: the helper runs the second half of the seeds while this thread
   * runs the first. Each start depends on its seed alone.
   */
  kMeansStarts(data: DenseMatrix, k: number, seeds: readonly number[], maxIterations: number): KMeansStartsOutput {
    const count = seeds.length;
    const split = count >= 2 && this.worthSplitting(data.rows * data.columns * k * count);
    const output = allocateKMeansStarts(data.rows, data.columns, k, count, split ? sharedArrays : plainArrays);
    const task = (from: number, to: number, input: DenseMatrix): Task => ({
      kind: 'kmeans-starts',
      input: { data: input, k, seeds: seeds.slice(from, to), maxIterations },
      output: {
        assignments: output.assignments.subarray(from * data.rows, to * data.rows),
        centroids: output.centroids.subarray(from * k * data.columns, to * k * data.columns),
        stats: output.stats.subarray(2 * from, 2 * to),
      },
    });
    if (!split) {
      runTask(task(0, count, data));
      return output;
    }
    const shared = sharedDense(data);
    const half = Math.ceil(count / 2);
    this.split(task(half, count, shared), task(0, half, shared));
    return output;
  }

  /**
   * Adds documents to a corpus, in order, tokenising on two threads as a pipeline: this thread
   * adds the first documents itself while the helper scans the next round (finds the words: about
   * half of the work); from then on the helper scans round r + 1 while this thread counts the
   * words of round r (Corpus.addScanned). The corpus is the one adding the documents one by one
   * builds; if the helper is lost, this thread adds the rest.
   */
  addDocuments(corpus: Corpus, documents: readonly TextDocument[]): void {
    const pool = this.pool;
    if (pool === null || documents.length < PARALLEL_MIN_DOCUMENTS || !pool.available()) {
      for (const document of documents) corpus.add(document);
      return;
    }
    const roundStarts = [0];
    for (let start = FIRST_ROUND_DOCUMENTS; start < documents.length; start += ROUND_DOCUMENTS) roundStarts.push(start);
    roundStarts.push(documents.length);
    const roundOf = (round: number) => documents.slice(roundStarts[round], roundStarts[round + 1]);
    const rounds = roundStarts.length - 1;
    const pending: Pending[] = [];
    const post = (round: number) => {
      if (round < rounds)
        pending[round] = pool.post({ kind: 'scan', texts: roundOf(round).flatMap(({ title, body }) => [title, body]) });
    };

    post(1);
    for (const document of roundOf(0)) corpus.add(document);
    for (let round = 1; round < rounds; round++) {
      post(round + 1);
      const scanned = pool.finish(pending[round]) ? pool.scanned(pending[round]) : null;
      if (scanned === null) {
        for (const document of documents.slice(roundStarts[round])) corpus.add(document);
        return;
      }
      corpus.addScanned(roundOf(round), scanned);
    }
  }

  /** Whether `work` is worth a hand-off now, into `result` (which the helper must be able to write). */
  private worthSplitting(work: number, result?: DenseMatrix | Float64Array): boolean {
    const values = result === undefined || result instanceof Float64Array ? result : result.values;
    if (values !== undefined && !(values.buffer instanceof SharedArrayBuffer)) return false;
    return work >= PARALLEL_MIN_WORK && this.pool !== null && this.pool.available();
  }

  /**
   * Hands `helperPart` to the helper, computes `ownPart` here, then waits for the helper; if the
   * helper lost its part, computes it here too. With `work` (each part's size), the two parts'
   * times teach the balance.
   */
  private split(helperPart: Task, ownPart: Task, work?: { own: number; helper: number }): void {
    const pool = this.pool!;
    const pending = pool.post(helperPart);
    const started = performance.now();
    runTask(ownPart);
    const ownMs = performance.now() - started;
    if (!pool.finish(pending)) {
      runTask(helperPart);
      return;
    }
    if (work) this.balance.learn(work.own, ownMs, work.helper, pool.helperMs(pending));
  }
}

let processParallel: Parallel | undefined;

/** The process's computation: two threads when the machine has a second core, else one. */
export function defaultParallel(): Parallel {
  processParallel ??= new Parallel(availableParallelism() >= 2 ? new HelperPool() : null);
  return processParallel;
}

/** Everything on the calling thread (for comparisons). */
export const singleThread = new Parallel(null);
