/**
 * What a clustering run records about itself (the JSON columns of clustering_runs): how k was
 * chosen, the quality and timings of the result, and the parameters of the pipeline. Rows stay
 * as they were written, so a field a newer run records is null on an older one.
 */
import type { KSelection as KSelectionShape } from '../../clustering/types.js';
import type { clusteringRuns } from '../../db/schema.js';
import { builder } from '../builder.js';

const KScore = builder.objectRef<KSelectionShape['tried'][number]>('KScore').implement({
  description: 'The score of one k tried.',
  fields: (t) => ({
    k: t.exposeInt('k', { description: 'Number of topics.' }),
    score: t.exposeFloat('score', { description: 'How well k fits the data by the method (higher is better).' }),
  }),
});

export const KSelection = builder.objectRef<KSelectionShape>('KSelection').implement({
  description: 'How k was chosen from the data.',
  fields: (t) => ({
    method: t.exposeString('method', {
      description: '"spectral-gap": the largest relative gap between successive singular values of the reduced matrix.',
    }),
    tried: t.field({ type: [KScore], description: 'Each k tried, with its score.', resolve: (selection) => selection.tried }),
    chosen: t.exposeInt('chosen', { description: 'The k chosen (the topics the run found, when k-means emptied none).' }),
  }),
});

export const ClusteringQuality = builder
  .objectRef<NonNullable<typeof clusteringRuns.$inferSelect.quality>>('ClusteringQuality')
  .implement({
    description: 'Quality figures of a run’s partition.',
    fields: (t) => ({
      inertia: t.exposeFloat('inertia', {
        description: 'Sum of squared distances of the articles to their topic’s centre (lower is tighter).',
      }),
      silhouette: t.exposeFloat('silhouette', {
        nullable: true,
        description:
          'Mean cosine silhouette of a sample of articles, from -1 to 1 (higher separates better); null with one topic.',
      }),
    }),
  });

type StageTimings = Partial<Record<'load' | 'vectorise' | 'reduce' | 'cluster' | 'label' | 'relate' | 'write', number>>;

export const ClusteringTimings = builder.objectRef<StageTimings>('ClusteringTimings').implement({
  description: 'Milliseconds spent in each stage of a run; null for a stage the run did not record.',
  fields: (t) => ({
    load: t.exposeFloat('load', { nullable: true, description: 'Reading the articles from the database.' }),
    vectorise: t.exposeFloat('vectorise', {
      nullable: true,
      description: 'Tokenising the texts and building the tf-idf matrix.',
    }),
    reduce: t.exposeFloat('reduce', { nullable: true, description: 'The randomized truncated SVD (LSA).' }),
    cluster: t.exposeFloat('cluster', {
      nullable: true,
      description: 'k-means (and the choice of k), the warm start and the silhouette.',
    }),
    label: t.exposeFloat('label', { nullable: true, description: 'Labels and keywords of the topics.' }),
    relate: t.exposeFloat('relate', { nullable: true, description: 'Related articles and related topics.' }),
    write: t.exposeFloat('write', {
      nullable: true,
      description: 'Writing topics, memberships and relations, and making the run current.',
    }),
  }),
});

const WarmStartOutcome = builder.enumType('WarmStartOutcome', {
  description: 'What became of the warm start (k-means started from the previous run’s topics).',
  values: {
    USED: { value: 'used', description: 'Its partition won.' },
    REJECTED: { value: 'rejected', description: 'Its inertia was more than `warmStartTolerance` above the best fresh start’s.' },
    OFF: { value: 'off', description: 'Not asked for: no previous run, or turned off.' },
    NONE: { value: 'none', description: 'No article had a topic in the previous run.' },
  },
});

/**
 * The parameters as clusterCorpus records them (cluster-corpus.ts). Optional: those a run records
 * only in some cases, or that older runs did not record yet.
 */
export interface StoredParameters {
  documents: number;
  seed: number;
  k: number;
  kChosenBy: string;
  vocabularySize: number;
  minDf: number;
  maxDf: number;
  maxFeatures: number;
  titleWeight: number;
  leadExtraWeight: number;
  sublinearTf: boolean;
  dimensions: number;
  oversamples: number;
  powerIterations: number;
  svdFittedOn?: number;
  restarts: number;
  kMeansFittedOn?: number;
  weakPercentile: number;
  weakThreshold: number;
  relatedDocumentsLimit: number;
  exhaustiveNeighbourSearchUpTo: number;
  neighbourPartSize: number;
  neighbourParts?: number;
  silhouetteSampleSize: number;
  warmStart?: 'used' | 'rejected' | 'off' | 'none';
  warmStartPreviousTopics?: number;
  warmStartInertia?: number;
  coldStartInertia?: number;
  warmStartTolerance?: number;
  lineageSurvivalThreshold?: number;
  lineageSplitThreshold?: number;
  lineageMinimumClusterShare?: number;
  lineageMinimumRecordedShare?: number;
}

const OLDER = 'Null for runs recorded before it was.';

export const ClusteringRunParameters = builder.objectRef<StoredParameters>('ClusteringRunParameters').implement({
  description:
    'The parameters of a run’s pipeline, as the run recorded them: given, chosen by default, or derived from the corpus.',
  fields: (t) => ({
    documents: t.exposeInt('documents', { description: 'Articles clustered.' }),
    seed: t.exposeInt('seed', { description: 'Seed of every random choice.' }),
    k: t.exposeInt('k', { description: 'Topics found.' }),
    kChosenBy: t.exposeString('kChosenBy', {
      description: '"option" when k was given, else the method that chose it (see `kSelection`).',
    }),
    vocabularySize: t.exposeInt('vocabularySize', { description: 'Terms and phrases kept as features.' }),
    minDf: t.exposeInt('minDf', { description: 'Fewest articles a term must occur in to be kept.' }),
    maxDf: t.exposeFloat('maxDf', { description: 'Largest share of the articles a term may occur in to be kept.' }),
    maxFeatures: t.exposeInt('maxFeatures', { description: 'Most terms kept (the most widespread ones).' }),
    titleWeight: t.exposeInt('titleWeight', { description: 'How many times as much as a body’s words a title’s words count.' }),
    leadExtraWeight: t.exposeInt('leadExtraWeight', {
      description: 'How many extra times the words of the lead (first paragraph) count.',
    }),
    sublinearTf: t.exposeBoolean('sublinearTf', { description: 'True when term counts are damped as 1 + ln(count).' }),
    dimensions: t.exposeInt('dimensions', { description: 'LSA dimensions (truncated SVD components).' }),
    oversamples: t.exposeInt('oversamples', { description: 'Extra sketch columns of the randomized SVD.' }),
    powerIterations: t.exposeInt('powerIterations', { description: 'Power iterations of the randomized SVD.' }),
    svdFittedOn: t.exposeInt('svdFittedOn', {
      nullable: true,
      description: `Articles the SVD was fitted on (a sample of a large corpus). ${OLDER}`,
    }),
    restarts: t.exposeInt('restarts', { description: 'k-means++ restarts; the lowest inertia wins.' }),
    kMeansFittedOn: t.exposeInt('kMeansFittedOn', {
      nullable: true,
      description: `Articles the k-means restarts ran on (a sample of a large corpus, then refined on all). ${OLDER}`,
    }),
    weakPercentile: t.exposeFloat('weakPercentile', {
      description: 'Share of the articles (those that fit their topic worst) flagged weak.',
    }),
    weakThreshold: t.exposeFloat('weakThreshold', {
      description: 'Centre similarity below which a membership is weak (articles placed later too).',
    }),
    relatedDocumentsLimit: t.exposeInt('relatedDocumentsLimit', { description: 'Most similar articles kept per article.' }),
    exhaustiveNeighbourSearchUpTo: t.exposeInt('exhaustiveNeighbourSearchUpTo', {
      description: 'Topics up to this size compare every pair of their articles; larger ones search by sub-clusters.',
    }),
    neighbourPartSize: t.exposeInt('neighbourPartSize', { description: 'Articles per sub-cluster of the neighbour search.' }),
    neighbourParts: t.exposeInt('neighbourParts', {
      nullable: true,
      description: `Nearest sub-clusters searched per article. ${OLDER}`,
    }),
    silhouetteSampleSize: t.exposeInt('silhouetteSampleSize', { description: 'Articles the silhouette was computed on.' }),
    warmStart: t.expose('warmStart', {
      type: WarmStartOutcome,
      nullable: true,
      description: `What became of the warm start. ${OLDER}`,
    }),
    warmStartPreviousTopics: t.exposeInt('warmStartPreviousTopics', {
      nullable: true,
      description: 'Previous topics the warm start began from; null without a warm start.',
    }),
    warmStartInertia: t.exposeFloat('warmStartInertia', {
      nullable: true,
      description: 'Inertia of the warm start; null without one.',
    }),
    coldStartInertia: t.exposeFloat('coldStartInertia', {
      nullable: true,
      description: 'Inertia of the best fresh start, beside which the warm start was judged; null without a warm start.',
    }),
    warmStartTolerance: t.exposeFloat('warmStartTolerance', {
      nullable: true,
      description: `How much (relative) the warm start’s inertia may exceed the best fresh start’s and still win. ${OLDER}`,
    }),
    lineageSurvivalThreshold: t.exposeFloat('lineageSurvivalThreshold', {
      nullable: true,
      description:
        'Share of a previous topic’s articles a cluster must receive for the topic to carry on in it; null without a previous run.',
    }),
    lineageSplitThreshold: t.exposeFloat('lineageSplitThreshold', {
      nullable: true,
      description: 'Smallest share of a previous topic’s articles that counts as a part of a split; null without a previous run.',
    }),
    lineageMinimumClusterShare: t.exposeFloat('lineageMinimumClusterShare', {
      nullable: true,
      description:
        'Share of a cluster a previous topic’s articles must make up for the cluster to carry it on; null without a previous run.',
    }),
    lineageMinimumRecordedShare: t.exposeFloat('lineageMinimumRecordedShare', {
      nullable: true,
      description:
        'Overlaps below this share of the previous topic are not recorded (the largest always is); null without a previous run.',
    }),
    raw: t.field({
      type: 'JSON',
      description:
        'Every parameter as stored, under the names above: also those of older runs that no field names any more ' +
        '(such as `svdSampleSize`, `kMeansSampleSize`, `singularValueExponent`).',
      resolve: (parameters) => parameters,
    }),
  }),
});
