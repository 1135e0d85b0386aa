/**
 * The messages between a run's process and the child process that computes it
 * (cluster-engine.ts → cluster-worker.ts): articles in batches, then one request to cluster them;
 * back come progress reports, then one result or error, after which the child exits.
 */
import type { ClusterDocument, ClusteringResult, ClusteringStage, ClusterOptions } from '../clustering/types.js';

/** Parent → child. */
export type EngineRequest =
  | { type: 'documents'; docs: ClusterDocument[] }
  | { type: 'run'; options: Omit<ClusterOptions, 'onProgress'> };

/** Child → parent. */
export type EngineReply =
  | { type: 'progress'; stage: ClusteringStage; done: number; total: number }
  | { type: 'result'; result: ClusteringResult }
  | { type: 'error'; message: string };

/** For the `default` of a switch over a message's type: it does not compile while a type is unhandled. */
export function unknownMessage(message: never): Error {
  return new Error(`unknown clustering process message: ${JSON.stringify(message)}`);
}
