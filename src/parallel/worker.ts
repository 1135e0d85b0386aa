/**
 * The helper thread: runs the tasks the pool (pool.ts) hands it, one at a time, and reports each
 * through its signal. Scanned texts go back on the results port, since their size is known only
 * at the end.
 */
import { parentPort, workerData } from 'node:worker_threads';

import {
  DONE,
  FAILED,
  type HelperData,
  type ScanResult,
  SIGNAL_MICROSECONDS,
  SIGNAL_STATE,
  type TaskMessage,
} from './protocol.js';
import { runTask } from './run-task.js';

if (!parentPort) throw new Error('parallel/worker.ts runs as a worker thread');
const { results, ready } = workerData as HelperData;

parentPort.on('message', ({ id, task, signal }: TaskMessage) => {
  const started = performance.now();
  let state = DONE;
  try {
    const scanned = runTask(task);
    if (scanned) {
      const { textStart, wordIds, caseMasks, continuesPhrase, starts } = scanned;
      const result: ScanResult = { id, scanned };
      // Scanned arrays are ordinary (not shared) memory: moved, not copied.
      const buffers = [textStart, wordIds, caseMasks, continuesPhrase, starts].map((array) => array.buffer as ArrayBuffer);
      results.postMessage(result, buffers);
    }
  } catch {
    state = FAILED;
  }
  // How long the part took, for the split of the next products.
  signal[SIGNAL_MICROSECONDS] = Math.round((performance.now() - started) * 1000);
  Atomics.store(signal, SIGNAL_STATE, state);
  Atomics.notify(signal, SIGNAL_STATE);
});

Atomics.store(ready, 0, 1);
Atomics.notify(ready, 0);
