import type { KSelection } from './types.js';

/**
 * The range of k tried when the caller gives none: 2 to about √n, at most 20, and never more
 * than n − 1 topics (with two documents or fewer, one topic).
 */
export function candidateTopicCounts(documents: number): { min: number; max: number } {
  if (documents <= 2) return { min: 1, max: 1 };
  const max = Math.max(2, Math.min(20, Math.floor(Math.sqrt(documents)), documents - 1));
  return { min: 2, max };
}

/**
 * Chooses k at the largest relative gap in the LSA spectrum, σ_k / σ_(k+1) (the eigengap
 * heuristic, here on the uncentred tf-idf matrix, whose first direction is the corpus mean and
 * whose next k − 1 separate k groups). Free, since the SVD already computed the spectrum.
 *
 * Not the silhouette, which keeps rising with k on news (docs/decisions.md D10).
 */
export function chooseTopicCount(singularValues: Float64Array, documents: number): KSelection {
  const range = candidateTopicCounts(documents);
  const { min } = range;
  // σ_(k+1) must be known for k to be judged.
  const max = Math.max(min, Math.min(range.max, singularValues.length - 1));
  const tried: { k: number; score: number }[] = [];
  for (let k = min; k <= max; k++) {
    const gap = k >= 1 && k < singularValues.length && singularValues[k] > 0 ? singularValues[k - 1] / singularValues[k] : 0;
    tried.push({ k, score: gap });
  }
  let chosen = min;
  let best = -Infinity;
  for (const { k, score } of tried) {
    if (score > best + 1e-12) {
      best = score;
      chosen = k;
    }
  }
  return { method: 'spectral-gap', tried, chosen };
}
