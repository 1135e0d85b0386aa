/** The pure clustering core: plain documents in, topics, memberships and relations out. */

export { Corpus, createCorpus } from '../text/corpus.js';
export { assignDocuments } from './assign.js';
export { CLUSTERING_DEFAULTS, clusterCorpus, clusterDocuments } from './cluster-corpus.js';
export { adjustedRandIndex, normalizedMutualInformation, vMeasure } from './evaluate.js';
export { LABEL_SEPARATOR } from './labels.js';
export type * from './types.js';
