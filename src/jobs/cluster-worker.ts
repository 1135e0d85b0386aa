/**
 * The pure clustering core in a child process, so that a server computing a run keeps answering
 * requests and gets the run's memory back when it ends (a worker thread's heap stayed with the
 * server: RSS +33% after one run in the soak test). Messages: { docs } to add articles,
 * { run: options } to compute; it answers with { progress } messages and one { result } or
 * { error }, then exits.
 */
import { addDocuments, clusterCorpus, createCorpus } from '../clustering/index.js';
import type { ClusterDocument, ClusterOptions } from '../clustering/types.js';

export type WorkerRequest = { docs: ClusterDocument[] } | { run: Omit<ClusterOptions, 'onProgress'> };

const send = process.send?.bind(process);
if (!send) throw new Error('cluster-worker must run as a child process with an IPC channel');
const corpus = createCorpus();
process.on('message', (message: WorkerRequest) => {
  if ('docs' in message) {
    addDocuments(corpus, message.docs);
    return;
  }
  try {
    const result = clusterCorpus(corpus, {
      ...message.run,
      onProgress: (stage, done, total) => send({ progress: { stage, done, total } }),
    });
    send({ result }, () => process.exit(0));
  } catch (error) {
    send({ error: (error as Error).message }, () => process.exit(1));
  }
});
// Nothing more to do once the parent is gone.
process.on('disconnect', () => process.exit(0));
