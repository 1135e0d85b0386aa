import { kMeansStarts } from '../numeric/kmeans-starts.js';
import { fillStandardNormal } from '../numeric/normal.js';
import { multiplyDenseBlock, multiplySparseRows } from '../numeric/products.js';
import { type ScannedTexts, scanTexts } from '../text/tokenize.js';
import type { Task } from './protocol.js';

/**
 * Computes a task on this thread: the helper's dispatch, and the caller's when the helper could
 * not do its part. Returns the scanned words of a scan task.
 */
export function runTask(task: Task): ScannedTexts | undefined {
  switch (task.kind) {
    case 'sparse-product':
      multiplySparseRows(task.a, task.b, task.into, task.rows);
      return undefined;
    case 'dense-product':
      multiplyDenseBlock(task.a, task.b, task.into, task.block);
      return undefined;
    case 'standard-normal':
      fillStandardNormal(task.target, task.from, task.to, task.seed);
      return undefined;
    case 'kmeans-starts':
      kMeansStarts(task.input, task.output);
      return undefined;
    case 'scan':
      return scanTexts(task.texts);
    default: {
      const unknown: never = task;
      throw new Error(`unknown task ${JSON.stringify(unknown)}`);
    }
  }
}
