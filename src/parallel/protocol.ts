/**
 * The messages between the calling thread and the helper thread (worker.ts). A task's inputs and
 * outputs are typed arrays on shared memory: the helper writes its part of a result in place and
 * reports through the task's signal, which the caller waits on (Atomics.wait).
 */
import type { MessagePort } from 'node:worker_threads';

import type { DenseMatrix } from '../numeric/dense-matrix.js';
import type { KMeansStartsInput, KMeansStartsOutput } from '../numeric/kmeans-starts.js';
import type { Block, RowSpan } from '../numeric/products.js';
import type { CsrMatrix } from '../numeric/sparse-matrix.js';
import type { ScannedTexts } from '../text/tokenize.js';

export type Task =
  | { kind: 'sparse-product'; a: CsrMatrix; b: DenseMatrix; into: DenseMatrix; rows: RowSpan }
  | { kind: 'dense-product'; a: DenseMatrix; b: DenseMatrix; into: DenseMatrix; block: Block }
  | { kind: 'standard-normal'; target: Float64Array; from: number; to: number; seed: number }
  | { kind: 'kmeans-starts'; input: KMeansStartsInput; output: KMeansStartsOutput }
  /** Texts to scan; the words come back on the results port (their size is known only at the end). */
  | { kind: 'scan'; texts: string[] };

export interface TaskMessage {
  /** Matches a scan's result to its task. */
  id: number;
  task: Task;
  /** A Signal: [state, the helper's time in µs]. */
  signal: Int32Array;
}

/** Positions in a task's signal. */
export const SIGNAL_STATE = 0;
export const SIGNAL_MICROSECONDS = 1;
export const SIGNAL_LENGTH = 2;

/** States of a task's signal. */
export const RUNNING = 0;
export const DONE = 1;
export const FAILED = 2;

export interface ScanResult {
  id: number;
  scanned: ScannedTexts;
}

/** What the helper gets when it starts. */
export interface HelperData {
  /** Where it posts scan results. */
  results: MessagePort;
  /** Set to 1 (and notified) once the helper takes tasks. */
  ready: Int32Array;
}
