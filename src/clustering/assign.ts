import { createCorpus } from '../text/corpus.js';
import { addDocuments } from './helper-thread.js';
import { weighTerms } from '../text/tfidf.js';
import { dotRows, normaliseRows } from './dense-matrix.js';
import { projectOntoComponents } from './truncated-svd.js';
import type { ClusterDocument, Membership, TopicModel } from './types.js';

// A model is reused for batch after batch of an import; index its vocabulary once.
const columnIndexes = new WeakMap<TopicModel, Map<string, number>>();

function columnIndexOf(model: TopicModel): Map<string, number> {
  let index = columnIndexes.get(model);
  if (index === undefined) {
    index = new Map(model.vocabulary.map((term, column) => [term, column]));
    columnIndexes.set(model, index);
  }
  return index;
}

/**
 * Places new articles into an existing run's topics without re-clustering: the same tokeniser
 * and weighting, tf-idf with the run's vocabulary and idf, projection onto its components, then
 * the nearest centroid by cosine. An article sharing no term with the vocabulary scores 0.
 */
export function assignDocuments(model: TopicModel, docs: ClusterDocument[]): Membership[] {
  if (docs.length === 0) return [];
  if (model.k === 0) throw new Error('The topic model has no topics to assign documents to');
  const corpus = createCorpus();
  addDocuments(corpus, docs);
  const view = corpus.view();
  const columns = columnIndexOf(model);
  const columnOfTerm = Int32Array.from({ length: view.termCount }, (_, termId) => columns.get(view.termText(termId)) ?? -1);
  const matrix = weighTerms(view, columnOfTerm, model.idf);
  const vectors = projectOntoComponents(matrix, model.components, model.dimensions);
  normaliseRows(vectors, model.dimensions);
  const centroids = new Float64Array(model.centroids);

  return docs.map((_, row) => {
    let topic = 0;
    let score = -Infinity;
    for (let candidate = 0; candidate < model.k; candidate++) {
      const similarity = dotRows(vectors, row, centroids, candidate, model.dimensions);
      if (similarity > score) {
        score = similarity;
        topic = candidate;
      }
    }
    return { topic, score, weak: score < model.weakThreshold };
  });
}
