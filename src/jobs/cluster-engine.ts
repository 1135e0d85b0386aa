/**
 * Where a run's computation happens: in this thread (the commands) or in a worker thread (the
 * server, whose event loop must stay free). Both feed the same pure core.
 */
import { Worker } from 'node:worker_threads';
import { clusterCorpus, createCorpus } from '../clustering/index.js';
import type { ClusterDocument, ClusterOptions, ClusteringResult } from '../clustering/types.js';

export interface ClusteringEngine {
  add(docs: ClusterDocument[]): void;
  run(options: ClusterOptions): Promise<ClusteringResult>;
}

export function inlineEngine(): ClusteringEngine {
  const corpus = createCorpus();
  return {
    add: (docs) => {
      for (const doc of docs) corpus.add(doc);
    },
    run: async (options) => clusterCorpus(corpus, options),
  };
}

type WorkerReply =
  | { progress: { stage: Parameters<NonNullable<ClusterOptions['onProgress']>>[0]; done: number; total: number } }
  | { result: ClusteringResult }
  | { error: string };

export function workerEngine(): ClusteringEngine {
  // The worker is TypeScript like the rest: tsx's loader is registered in the worker first,
  // whoever started this process (the tsx CLI, vitest, plain node).
  const script = new URL('./cluster-worker.ts', import.meta.url).href;
  const worker = new Worker(
    `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(script)}); })`,
    { eval: true },
  );
  worker.unref();
  // Listen from the start: a worker that fails while articles load must fail the run, not the
  // process (an 'error' event without a listener would be thrown).
  let failure: Error | undefined;
  let settle: ((reply: WorkerReply) => void) | undefined;
  worker.on('error', (error) => {
    failure = error;
    settle?.({ error: error.message });
  });
  return {
    add: (docs) => worker.postMessage({ docs }),
    run: ({ onProgress, ...options }) =>
      new Promise<ClusteringResult>((resolve, reject) => {
        settle = (reply) => {
          if ('progress' in reply) {
            onProgress?.(reply.progress.stage, reply.progress.done, reply.progress.total);
            return;
          }
          void worker.terminate();
          if ('result' in reply) resolve(reply.result);
          else reject(new Error(`clustering worker: ${reply.error}`));
        };
        if (failure) return settle({ error: failure.message });
        worker.on('message', settle);
        worker.postMessage({ run: options });
      }),
  };
}
