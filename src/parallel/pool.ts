/**
 * The helper thread's lifecycle: started on demand, used once it is ready, replaced when a task
 * fails in it or it has been handed a lot of memory, and given up when it gets stuck. The caller
 * posts a task, computes its own part, then blocks (Atomics.wait) until the helper's part is done,
 * so the numeric code that uses it stays synchronous.
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';

import { entryModule, runningSources } from '../project-root.js';
import type { ScannedTexts } from '../text/tokenize.js';
import {
  DONE,
  FAILED,
  type HelperData,
  RUNNING,
  type ScanResult,
  SIGNAL_LENGTH,
  SIGNAL_MICROSECONDS,
  SIGNAL_STATE,
  type Task,
  type TaskMessage,
} from './protocol.js';
import { sharedArrays } from './shared-arrays.js';

export interface HelperPoolOptions {
  /** A helper that has not finished its part by then is stuck, and the work fails. */
  timeoutMs?: number;
  /**
   * Shared buffers handed to the helper stay alive until the helper's own garbage collector runs,
   * which an idle helper hardly ever does: the helper is replaced after this much was handed over.
   */
  recycleBytes?: number;
}

/** A task handed to the helper. */
export interface Pending {
  readonly id: number;
  readonly signal: Int32Array;
}

/**
 * Starts the helper: compiled JavaScript loads worker.js itself; TypeScript (under tsx or vitest)
 * needs tsx's loader in the worker, which the worker registers first, since Node 20 ignores
 * `--import` in a worker's execArgv (the clustering's child process gets `--import tsx`).
 */
function startWorker(workerData: HelperData, transferList: MessagePort[]): Worker {
  const entry = entryModule('src/parallel/worker');
  if (!runningSources) return new Worker(entry, { workerData, transferList });
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const bootstrap = `import(${tsx}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData, transferList });
}

interface Helper {
  worker: Worker;
  /** 1 once it takes tasks. */
  ready: Int32Array;
  /** Where it posts scanned texts. */
  results: MessagePort;
}

function isReady(helper: Helper | null): helper is Helper {
  return helper !== null && Atomics.load(helper.ready, 0) === 1;
}

export class HelperPool {
  private readonly timeoutMs: number;
  private readonly recycleBytes: number;
  private helper: Helper | null = null;
  /** The helper that replaces `helper` once it is ready (after much memory was handed over). */
  private successor: Helper | null = null;
  /** No helper any more: one got stuck, or could not start. */
  private disabled = false;
  private lastId = 0;
  private bytesHandedOver = 0;
  private buffersHandedOver = new WeakSet<ArrayBufferLike>();
  /** Tasks the helper finished, for tests and benchmarks. */
  tasksDone = 0;

  constructor(options: HelperPoolOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.recycleBytes = options.recycleBytes ?? 256 * 2 ** 20;
  }

  /** Starts the helper if it is not running, without waiting for it (it boots while this thread works). */
  prepare(): void {
    if (this.helper === null && !this.disabled) this.helper = this.start();
  }

  /** Whether the helper takes tasks now: the caller never waits for one to start. */
  available(): boolean {
    this.prepare();
    if (isReady(this.successor)) {
      this.stop(this.helper);
      this.helper = this.successor;
      this.successor = null;
      this.forgetHandedOver();
    }
    return isReady(this.helper);
  }

  /** Resolves once the helper takes tasks (false when it cannot): for tests and benchmarks. */
  async whenReady(timeoutMs = this.timeoutMs): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.available()) {
      if (this.disabled || Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return true;
  }

  /** Hands `task` to the helper (which must be available()). */
  post(task: Task): Pending {
    if (!isReady(this.helper)) throw new Error('the helper thread is not ready');
    const message: TaskMessage = { id: ++this.lastId, task, signal: sharedArrays.int32(SIGNAL_LENGTH) };
    this.helper.worker.postMessage(message);
    this.countHandedOver(task);
    return message;
  }

  /**
   * Waits for the helper to finish `pending`: true when it did its part, false when the task
   * failed in it (the helper is then replaced, and the caller computes that part). Throws when the
   * helper is stuck: its part cannot be computed here, as it may still write into the buffers.
   */
  finish(pending: Pending): boolean {
    Atomics.wait(pending.signal, SIGNAL_STATE, RUNNING, this.timeoutMs);
    const state = Atomics.load(pending.signal, SIGNAL_STATE);
    if (state === RUNNING) {
      this.disabled = true;
      this.close();
      throw new Error(`the helper thread did not finish its part in ${this.timeoutMs / 1000} s`);
    }
    if (state === FAILED) {
      this.stop(this.helper);
      this.helper = null;
      this.forgetHandedOver();
      return false;
    }
    this.tasksDone++;
    // The successor boots while this helper goes on working; available() swaps them.
    if (this.bytesHandedOver > this.recycleBytes && this.successor === null) this.successor = this.start();
    return state === DONE;
  }

  /** The helper's time for a finished task, in milliseconds. */
  helperMs(pending: Pending): number {
    return Atomics.load(pending.signal, SIGNAL_MICROSECONDS) / 1000;
  }

  /**
   * The words the helper scanned for a finished scan task, skipping results nobody collected (of
   * a batch whose own part threw after the helper got its tasks); null if they are not there.
   */
  scanned(pending: Pending): ScannedTexts | null {
    for (;;) {
      const received = this.helper === null ? undefined : receiveMessageOnPort(this.helper.results);
      if (received === undefined) return null;
      const result = received.message as ScanResult;
      if (result.id === pending.id) return result.scanned;
    }
  }

  /** Stops the helper; the next task starts a new one. */
  close(): void {
    this.stop(this.helper);
    this.stop(this.successor);
    this.helper = null;
    this.successor = null;
  }

  private start(): Helper | null {
    try {
      const ready = sharedArrays.int32(1);
      const channel = new MessageChannel();
      const worker = startWorker({ results: channel.port2, ready }, [channel.port2]);
      // Never keeps the process alive; failures surface through a task's signal or its timeout.
      worker.unref();
      const helper: Helper = { worker, ready, results: channel.port1 };
      worker.on('error', () => {
        if (this.successor === helper) {
          // The working helper goes on; recycling is tried again after as much again was handed over.
          this.successor = null;
          this.forgetHandedOver();
        } else if (this.helper === helper) {
          // One that failed before it was ready (no loader, no memory) would fail again.
          if (!isReady(helper)) this.disabled = true;
          this.helper = null;
        }
        this.stop(helper);
      });
      return helper;
    } catch {
      this.disabled = true;
      return null;
    }
  }

  /** Buffers handed to a helper that is gone no longer count. */
  private forgetHandedOver(): void {
    this.bytesHandedOver = 0;
    this.buffersHandedOver = new WeakSet();
  }

  private stop(helper: Helper | null): void {
    if (helper === null) return;
    helper.results.close();
    void helper.worker.terminate();
  }

  private countHandedOver(task: Task): void {
    const visit = (value: unknown): void => {
      if (ArrayBuffer.isView(value)) {
        // Buffers reused from product to product (the SVD's workspace) count once.
        if (!this.buffersHandedOver.has(value.buffer)) {
          this.buffersHandedOver.add(value.buffer);
          this.bytesHandedOver += value.buffer.byteLength;
        }
      } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        for (const inner of Object.values(value)) visit(inner);
      }
    };
    visit(task);
  }
}
