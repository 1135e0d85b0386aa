/**
 * The pure clustering core in a worker thread, so that a server computing a run keeps answering
 * requests. Messages: { docs } to add articles, { run: options } to compute; it answers with
 * { progress } messages and one { result } or { error }.
 */
import { parentPort } from 'node:worker_threads';
import { clusterCorpus, createCorpus } from '../clustering/index.js';
import type { ClusterDocument, ClusterOptions } from '../clustering/types.js';

export type WorkerRequest = { docs: ClusterDocument[] } | { run: Omit<ClusterOptions, 'onProgress'> };

const port = parentPort;
if (!port) throw new Error('cluster-worker must run in a worker thread');
const corpus = createCorpus();
port.on('message', (message: WorkerRequest) => {
  if ('docs' in message) {
    for (const doc of message.docs) corpus.add(doc);
    return;
  }
  try {
    const result = clusterCorpus(corpus, {
      ...message.run,
      onProgress: (stage, done, total) => port.postMessage({ progress: { stage, done, total } }),
    });
    port.postMessage({ result });
  } catch (error) {
    port.postMessage({ error: (error as Error).message });
  }
});
