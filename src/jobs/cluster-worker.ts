/**
 * The pure clustering core in a child process, so that a server computing a run keeps answering
 * requests and gets the run's memory back when it ends, which a worker thread's heap did not
 * (docs/decisions.md D14). It speaks cluster-protocol.ts and exits after
 * its one result or error.
 */
import { clusterCorpus, createCorpus } from '../clustering/index.js';
import type { ClusterOptions } from '../clustering/types.js';
import { defaultParallel } from '../parallel/compute.js';
import { type EngineReply, type EngineRequest, unknownMessage } from './cluster-protocol.js';

const send = process.send?.bind(process);
if (!send) throw new Error('cluster-worker must run as a child process with an IPC channel');
/** `sent` runs once the message is handed over: exiting sooner could lose it. */
const reply = (message: EngineReply, sent: () => void = () => {}) => send(message, sent);
const corpus = createCorpus();
const parallel = defaultParallel();
// The helper thread starts while the articles load.
parallel.prepare();

function run(options: Omit<ClusterOptions, 'onProgress'>): void {
  try {
    const result = clusterCorpus(corpus, {
      ...options,
      onProgress: (stage, done, total) => reply({ type: 'progress', stage, done, total }),
    });
    reply({ type: 'result', result }, () => process.exit(0));
  } catch (error) {
    reply({ type: 'error', message: (error as Error).message }, () => process.exit(1));
  }
}

process.on('message', (message: EngineRequest) => {
  switch (message.type) {
    case 'documents':
      parallel.addDocuments(corpus, message.docs);
      return;
    case 'run':
      run(message.options);
      return;
    default:
      throw unknownMessage(message);
  }
});
// Nothing more to do once the parent is gone.
process.on('disconnect', () => process.exit(0));
