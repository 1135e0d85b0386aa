/**
 * Where a run's computation happens: in this process (the commands) or in a child process (the
 * server, whose event loop must stay free). Both feed the same pure core.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { addDocuments, clusterCorpus, createCorpus } from '../clustering/index.js';
import type { ClusterDocument, ClusterOptions, ClusteringResult } from '../clustering/types.js';

export interface ClusteringEngine {
  add(docs: ClusterDocument[]): void;
  run(options: ClusterOptions): Promise<ClusteringResult>;
  /** Gives up: a run that failed before or while computing must not leave a process behind. */
  close(): void;
}

export function inlineEngine(): ClusteringEngine {
  const corpus = createCorpus();
  return {
    add: (docs) => addDocuments(corpus, docs),
    run: async (options) => clusterCorpus(corpus, options),
    close: () => {},
  };
}

type WorkerReply =
  | { progress: { stage: Parameters<NonNullable<ClusterOptions['onProgress']>>[0]; done: number; total: number } }
  | { result: ClusteringResult }
  | { error: string };

/** Why a run ends when its server stops. */
export const STOPPED_BY_SHUTDOWN = 'stopped: the server is shutting down';

/** Why an aborted run stopped: the reason given to abort() when it is a text, else a shutdown. */
export function stopReason(signal: AbortSignal): string {
  return typeof signal.reason === 'string' ? signal.reason : STOPPED_BY_SHUTDOWN;
}

/** `signal`: aborting it stops the child process and fails the run (a server shutting down, an operator). */
export function childProcessEngine(signal?: AbortSignal): ClusteringEngine {
  // A child process rather than a worker thread: its memory goes back to the system when it
  // exits. Advanced serialization carries the result's typed arrays as they are.
  const child = fork(fileURLToPath(new URL('./cluster-worker.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // Listen from the start: a child that fails while articles load must fail the run, not the
  // process (an 'error' event without a listener would be thrown).
  let failure: string | undefined;
  let settle: ((reply: WorkerReply) => void) | undefined;
  const fail = (reason: string) => {
    failure ??= reason;
    settle?.({ error: reason });
  };
  const stop = () => {
    fail(stopReason(signal!));
    child.kill();
  };
  if (signal?.aborted) stop();
  else signal?.addEventListener('abort', stop, { once: true });
  child.on('error', (error) => fail(error.message));
  child.on('exit', (code, exitSignal) => {
    signal?.removeEventListener('abort', stop);
    fail(`the clustering process exited (${exitSignal ?? `code ${code}`})`);
  });
  return {
    add: (docs) => {
      if (child.connected) child.send({ docs });
    },
    run: ({ onProgress, ...options }) =>
      new Promise<ClusteringResult>((resolve, reject) => {
        let settled = false;
        settle = (reply) => {
          if ('progress' in reply) {
            onProgress?.(reply.progress.stage, reply.progress.done, reply.progress.total);
            return;
          }
          if (settled) return;
          settled = true;
          if (child.connected) child.disconnect();
          if ('result' in reply) resolve(reply.result);
          else reject(new Error(`clustering process: ${reply.error}`));
        };
        if (failure) return settle({ error: failure });
        child.on('message', (reply: WorkerReply) => settle?.(reply));
        child.send({ run: options });
      }),
    close: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}
