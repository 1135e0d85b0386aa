/**
 * Positions for the map of topics: classical multidimensional scaling (Torgerson) of the topics'
 * related-topic scores, computed in the browser. A score is the cosine of two topics' centres, and
 * for unit vectors the distance is sqrt(2 − 2·cos), so with every pair known the map is the 2-D
 * principal-component projection of the (normalised) centres. The API lists each topic's five most
 * related topics; a pair it does not list is less related than those, and counts as cosine 0.
 * Deterministic: a fixed start for the power iterations, and each axis's sign fixed.
 */

export interface MapInput {
  id: string;
  related: { id: string; score: number }[];
}

export interface MapPoint {
  id: string;
  x: number;
  y: number;
}

const ITERATIONS = 200;

/** The largest eigenvector and eigenvalue of the symmetric matrix `b` (n × n, row-major). */
function dominantEigen(b: Float64Array, n: number): { vector: Float64Array; value: number } {
  let vector = new Float64Array(n).map((_, i) => 1 + i / n);
  let value = 0;
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += b[i * n + j] * vector[j];
      next[i] = sum;
    }
    const norm = Math.hypot(...next);
    if (norm < 1e-12) return { vector: new Float64Array(n), value: 0 };
    for (let i = 0; i < n; i++) next[i] /= norm;
    vector = next;
    value = norm;
  }
  return { vector, value };
}

export function topicMap(topics: MapInput[]): MapPoint[] {
  const n = topics.length;
  if (n === 0) return [];
  if (n === 1) return [{ id: topics[0].id, x: 0, y: 0 }];
  const index = new Map(topics.map((topic, i) => [topic.id, i]));
  const cosine = new Float64Array(n * n);
  for (let i = 0; i < n; i++) cosine[i * n + i] = 1;
  topics.forEach((topic, i) => {
    for (const { id, score } of topic.related) {
      const j = index.get(id);
      if (j === undefined) continue;
      // Scores are symmetric; take the larger if the two lists disagree by rounding.
      const value = Math.max(cosine[i * n + j], score);
      cosine[i * n + j] = value;
      cosine[j * n + i] = value;
    }
  });
  // Squared distances 2 − 2·cos, double-centred: B = −½ J D² J.
  const squared = cosine.map((value) => 2 - 2 * value);
  const rowMean = new Float64Array(n);
  let totalMean = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) rowMean[i] += squared[i * n + j] / n;
    totalMean += rowMean[i] / n;
  }
  const b = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) b[i * n + j] = -0.5 * (squared[i * n + j] - rowMean[i] - rowMean[j] + totalMean);
  }
  const axes: Float64Array[] = [];
  for (let axis = 0; axis < 2; axis++) {
    const { vector, value } = dominantEigen(b, n);
    // Deflate, so the next power iteration finds the next axis.
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i * n + j] -= value * vector[i] * vector[j];
    let largest = 0;
    for (const component of vector) if (Math.abs(component) > Math.abs(largest)) largest = component;
    const scale = Math.sqrt(Math.max(value, 0)) * (largest < 0 ? -1 : 1);
    axes.push(vector.map((component) => component * scale));
  }
  return topics.map((topic, i) => ({ id: topic.id, x: axes[0][i], y: axes[1][i] }));
}
