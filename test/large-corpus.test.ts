/**
 * The large-corpus paths of a run (the SVD fitted on a sample above 10,000 articles, k-means
 * restarts on a sample above 20,000, the sub-cluster neighbour search in topics above 1,000) on
 * 300 articles, with their thresholds lowered through ClusterOptions.thresholds.
 *
 * Three themes with disjoint vocabularies (test/helpers/themes.ts): the full pipeline separates
 * them exactly (NMI 1), which the first test checks. Each path approximates that pipeline, so a
 * path must keep NMI ≥ 0.9; one that lost the themes (vectors given to the wrong articles,
 * centroids not refined over every row) falls far below it: three random groups of 300 score
 * about 0.01.
 */
import { describe, expect, it } from 'vitest';

import {
  assignDocuments,
  type ClusteringResult,
  clusterDocuments,
  createCorpus,
  type LargeCorpusThresholds,
  normalizedMutualInformation,
} from '../src/clustering/index.js';
import { Lsa } from '../src/clustering/lsa.js';
import { TfidfVectoriser } from '../src/clustering/vectoriser.js';
import { dotRows } from '../src/numeric/dense-matrix.js';
import { selectRows } from '../src/numeric/sparse-matrix.js';
import { defaultParallel } from '../src/parallel/compute.js';
import { documentFrequencyLimitsFor } from '../src/text/tfidf.js';
import { themedArticles } from './helpers/themes.js';

const ARTICLES = [...themedArticles('football', 100, 1), ...themedArticles('rates', 100, 2), ...themedArticles('phones', 100, 3)];
const DOCS = ARTICLES.map(({ title, body }) => ({ title, body }));
const THEMES = ARTICLES.map(({ category }) => category);

const SAMPLED_SVD: Partial<LargeCorpusThresholds> = { svdSampleSize: 60 };
const SAMPLED_K_MEANS: Partial<LargeCorpusThresholds> = { kMeansSampleSize: 50 };
/** Topics of 100 articles searched in sub-clusters of about 10. */
const SUB_CLUSTER_SEARCH: Partial<LargeCorpusThresholds> = { exhaustiveNeighbourSearchUpTo: 40, neighbourPartSize: 10 };
const MIN_NMI = 0.9;

function nmi(result: ClusteringResult): number {
  return normalizedMutualInformation(
    THEMES,
    result.memberships.map((membership) => membership.topic),
  );
}

function withoutTimings(result: ClusteringResult): Omit<ClusteringResult, 'timings'> {
  const { timings: _timings, ...rest } = result;
  return rest;
}

describe('large-corpus paths on a small corpus', () => {
  const reference = clusterDocuments(DOCS, { k: 3, seed: 5 });

  it('are not taken with the default thresholds, where the themes come out exactly', () => {
    expect(reference.parameters).toMatchObject({
      svdFittedOn: 300,
      kMeansFittedOn: 300,
      restarts: 4,
      exhaustiveNeighbourSearchUpTo: 1000,
    });
    expect(nmi(reference)).toBe(1);
  });

  it('fit the SVD on a sample above svdSampleSize, and still separate the themes', () => {
    const result = clusterDocuments(DOCS, { k: 3, seed: 5, thresholds: SAMPLED_SVD });
    expect(result.parameters).toMatchObject({ svdFittedOn: 60, kMeansFittedOn: 300 });
    expect(nmi(result)).toBeGreaterThanOrEqual(MIN_NMI);
    // Every article of such a run is projected onto the components, as a placed article is: placing
    // the run's own articles gives them their topics and scores back (centroids are stored as Float32).
    const placed = assignDocuments(result.model, DOCS);
    expect(placed.map(({ topic }) => topic)).toEqual(result.memberships.map(({ topic }) => topic));
    placed.forEach(({ score }, doc) => expect(score).toBeCloseTo(result.memberships[doc].score, 5));
  });

  it('project the rows of the SVD sample where the SVD itself puts them (U·Σ)', () => {
    const corpus = createCorpus();
    defaultParallel().addDocuments(corpus, DOCS);
    const { matrix } = TfidfVectoriser.fit(corpus, documentFrequencyLimitsFor(DOCS.length));
    // Eight dimensions for the corpus and for the sample alone, so that both fits ask the same of the SVD.
    const options = { maxDimensions: 8, documentsPerDimension: 4, oversamples: 10, powerIterations: 3, seed: 5, sampleSize: 60 };
    const sampled = Lsa.fit(matrix, options);
    const rows = sampled.fittedRows ?? new Int32Array(0);
    expect(rows).toHaveLength(60);
    const onSample = Lsa.fit(selectRows(matrix, rows), options);
    expect(onSample.fittedRows).toBeNull();
    expect(sampled.lsa.components).toEqual(onSample.lsa.components);
    const { dimensions } = sampled.lsa;
    rows.forEach((row, i) => {
      expect(dotRows(sampled.vectors, row, sampled.vectors, row, dimensions)).toBeCloseTo(1, 9);
      expect(dotRows(sampled.vectors, row, onSample.vectors, i, dimensions)).toBeGreaterThan(0.999);
    });
  });

  it('run the k-means restarts on a sample above kMeansSampleSize, then refine them over every article', () => {
    const result = clusterDocuments(DOCS, { k: 3, seed: 5, thresholds: SAMPLED_K_MEANS });
    expect(result.parameters).toMatchObject({ svdFittedOn: 300, kMeansFittedOn: 50, restarts: 3 });
    expect(nmi(result)).toBeGreaterThanOrEqual(MIN_NMI);
    // From the reference's topics, the sampled path's warm start finds them again.
    const previous = { topicOf: Int32Array.from(reference.memberships, ({ topic }) => topic), topicCount: reference.k };
    const warm = clusterDocuments(DOCS, { k: 3, seed: 6, thresholds: SAMPLED_K_MEANS, previous });
    expect(warm.parameters).toMatchObject({ kMeansFittedOn: 50, warmStart: 'used' });
    expect(warm.memberships.map(({ topic }) => topic)).toEqual(reference.memberships.map(({ topic }) => topic));
  });

  it('search related articles by sub-cluster above exhaustiveNeighbourSearchUpTo', () => {
    const result = clusterDocuments(DOCS, { k: 3, seed: 5, thresholds: SUB_CLUSTER_SEARCH });
    expect(result.parameters).toMatchObject({ exhaustiveNeighbourSearchUpTo: 40, neighbourPartSize: 10 });
    expect(result.memberships).toEqual(reference.memberships);
    let found = 0;
    let exact = 0;
    result.relatedDocuments.forEach((neighbours, doc) => {
      expect(neighbours).toHaveLength(5);
      for (const { index } of neighbours) expect(result.memberships[index].topic).toBe(result.memberships[doc].topic);
      const scores = neighbours.map(({ score }) => score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      const searched = new Set(neighbours.map(({ index }) => index));
      found += reference.relatedDocuments[doc].filter(({ index }) => searched.has(index)).length;
      exact += reference.relatedDocuments[doc].length;
    });
    // The exhaustive search of the reference finds the exact neighbours; the sub-cluster search
    // misses some of them (which shows it ran) but finds most.
    expect(found / exact).toBeLessThan(1);
    expect(found / exact).toBeGreaterThan(0.7);
  });

  it('give the same result for a seed with every path taken at once', () => {
    const thresholds = { ...SAMPLED_SVD, ...SAMPLED_K_MEANS, ...SUB_CLUSTER_SEARCH };
    const first = clusterDocuments(DOCS, { seed: 7, thresholds });
    const second = clusterDocuments(DOCS, { seed: 7, thresholds });
    expect(first.parameters).toMatchObject({ svdFittedOn: 60, kMeansFittedOn: 50, exhaustiveNeighbourSearchUpTo: 40 });
    expect(first.k).toBe(3);
    expect(nmi(first)).toBeGreaterThanOrEqual(MIN_NMI);
    expect(withoutTimings(second)).toEqual(withoutTimings(first));
  });

  it('are refused below one', () => {
    expect(() => clusterDocuments(DOCS, { thresholds: { svdSampleSize: 0 } })).toThrow(RangeError);
    expect(() => clusterDocuments(DOCS, { thresholds: { neighbourPartSize: 2.5 } })).toThrow(RangeError);
  });
});
