/**
 * Where a run's computation happens: in this process (the commands) or in a child process (the
 * server, whose event loop must stay free). Both feed the same pure core.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClusterDocument, ClusteringResult, ClusterOptions } from '../clustering/types.js';
import { entryModule, runningSources } from '../project-root.js';
import { type EngineReply, type EngineRequest, unknownMessage } from './cluster-protocol.js';

export interface ClusteringEngine {
  add(docs: ClusterDocument[]): void;
  run(options: ClusterOptions): Promise<ClusteringResult>;
  /** Gives up: a run that failed before or while computing must not leave a process behind. */
  close(): void;
}

/**
 * The clustering core and the helper thread, loaded by the first run that computes in this
 * process: the server computes in a child process, and its own start need not load them (ml-kmeans
 * alone brings ~250 modules).
 */
async function loadCore() {
  const [clustering, compute] = await Promise.all([import('../clustering/index.js'), import('../parallel/compute.js')]);
  const parallel = compute.defaultParallel();
  // The helper thread starts while the articles load.
  parallel.prepare();
  return { corpus: clustering.createCorpus(), parallel, clusterCorpus: clustering.clusterCorpus };
}

export function inlineEngine(): ClusteringEngine {
  const loading = loadCore();
  let core: Awaited<typeof loading> | undefined;
  /** Articles that came before the core had loaded, in their order. */
  const waiting: ClusterDocument[][] = [];
  const flush = (loaded: Awaited<typeof loading>) => {
    core = loaded;
    for (const docs of waiting.splice(0)) core.parallel.addDocuments(core.corpus, docs);
  };
  // A failure to load fails the run in run(); until then nothing waits on it.
  loading.then(flush, () => {});
  return {
    add: (docs) => {
      if (core) core.parallel.addDocuments(core.corpus, docs);
      else waiting.push(docs);
    },
    run: async (options) => {
      const loaded = await loading;
      if (!core) flush(loaded);
      return loaded.clusterCorpus(loaded.corpus, options);
    },
    close: () => {},
  };
}

/** Why a run ends when its server stops. */
export const STOPPED_BY_SHUTDOWN = 'stopped: the server is shutting down';

/** Why an aborted run stopped: the reason given to abort() when it is a text, else a shutdown. */
export function stopReason(signal: AbortSignal): string {
  return typeof signal.reason === 'string' ? signal.reason : STOPPED_BY_SHUTDOWN;
}

/** The child process's module: the TypeScript under tsx (the sources), else the build's JavaScript. */
const workerModule = entryModule('src/jobs/cluster-worker');

/** `signal`: aborting it stops the child process and fails the run (a server shutting down, an operator). */
export function childProcessEngine(signal?: AbortSignal): ClusteringEngine {
  // A child process rather than a worker thread: its memory goes back to the system when it
  // exits. Advanced serialization carries the result's typed arrays as they are.
  const child = fork(fileURLToPath(workerModule), [], {
    execArgv: runningSources ? ['--import', 'tsx'] : [],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const request = (message: EngineRequest) => child.send(message);
  // Listen from the start: a child that fails while articles load must fail the run, not the
  // process (an 'error' event without a listener would be thrown).
  let failure: string | undefined;
  let settle: ((reply: EngineReply) => void) | undefined;
  const fail = (reason: string) => {
    failure ??= reason;
    settle?.({ type: 'error', message: reason });
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
      if (child.connected) request({ type: 'documents', docs });
    },
    run: ({ onProgress, ...options }) =>
      new Promise<ClusteringResult>((resolve, reject) => {
        let settled = false;
        /** The first result or error settles the run; the child has nothing more to say. */
        const end = () => {
          if (settled) return false;
          settled = true;
          if (child.connected) child.disconnect();
          return true;
        };
        settle = (reply) => {
          switch (reply.type) {
            case 'progress':
              onProgress?.(reply.stage, reply.done, reply.total);
              return;
            case 'result':
              if (end()) resolve(reply.result);
              return;
            case 'error':
              if (end()) reject(new Error(`clustering process: ${reply.message}`));
              return;
            default:
              // Fails the run rather than throw in the event handler, which would end this process.
              if (end()) reject(unknownMessage(reply));
          }
        };
        if (failure) return settle({ type: 'error', message: failure });
        child.on('message', (reply: EngineReply) => settle?.(reply));
        request({ type: 'run', options });
      }),
    close: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}
