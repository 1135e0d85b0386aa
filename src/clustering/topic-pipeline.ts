import { defaultParallel, type Parallel } from '../parallel/compute.js';
import { type Corpus, createCorpus } from '../text/corpus.js';
import { KMeansModel } from './kmeans-model.js';
import { Lsa } from './lsa.js';
import type { ClusterDocument, Membership, TopicModel } from './types.js';
import { TfidfVectoriser } from './vectoriser.js';

/**
 * A run's three fitted stages, vectoriser → LSA → k-means (clusterCorpus fits them), as one
 * model that places articles. A run stores it as a TopicModel and an import rebuilds it from
 * that, so new articles are placed by the very stages the run fitted, not by a copy of them.
 */
export class TopicPipeline {
  constructor(
    readonly vectoriser: TfidfVectoriser,
    readonly lsa: Lsa,
    readonly kMeans: KMeansModel,
  ) {}

  static fromModel(model: TopicModel): TopicPipeline {
    return new TopicPipeline(
      new TfidfVectoriser(model.vocabulary, model.idf),
      new Lsa(model.components, model.dimensions),
      new KMeansModel(model.centroids, model.k, model.dimensions, model.weakThreshold),
    );
  }

  /** The data a run stores (run-model.ts). */
  toModel(): TopicModel {
    return {
      vocabulary: this.vectoriser.vocabulary,
      idf: this.vectoriser.idf,
      components: this.lsa.components,
      dimensions: this.lsa.dimensions,
      centroids: this.kMeans.centroids,
      k: this.kMeans.k,
      weakThreshold: this.kMeans.weakThreshold,
    };
  }

  /**
   * The topic of each document of `corpus`: tf-idf with the fitted vocabulary and idf, projection
   * onto the components, then the nearest centroid by cosine. A document sharing no term with the
   * vocabulary scores 0.
   */
  transform(corpus: Corpus, parallel: Parallel = defaultParallel()): Membership[] {
    if (this.kMeans.k === 0) throw new Error('The topic model has no topics to assign documents to');
    return this.kMeans.predict(this.lsa.transform(this.vectoriser.transform(corpus, parallel.allocate), parallel));
  }

  /** `transform` for documents in memory, tokenised as a run tokenises its articles. */
  assign(docs: ClusterDocument[], parallel: Parallel = defaultParallel()): Membership[] {
    if (docs.length === 0) return [];
    const corpus = createCorpus();
    parallel.addDocuments(corpus, docs);
    return this.transform(corpus, parallel);
  }
}
