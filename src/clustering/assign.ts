import { TopicPipeline } from './topic-pipeline.js';
import type { ClusterDocument, Membership, TopicModel } from './types.js';

// A model is reused for batch after batch of an import: rebuild its stages (and index its
// vocabulary) once.
const pipelines = new WeakMap<TopicModel, TopicPipeline>();

/**
 * Places new articles into an existing run's topics without re-clustering: the transform of the
 * stages the run fitted (topic-pipeline.ts). An article sharing no term with the vocabulary
 * scores 0.
 */
export function assignDocuments(model: TopicModel, docs: ClusterDocument[]): Membership[] {
  let pipeline = pipelines.get(model);
  if (pipeline === undefined) {
    pipeline = TopicPipeline.fromModel(model);
    pipelines.set(model, pipeline);
  }
  return pipeline.assign(docs);
}
