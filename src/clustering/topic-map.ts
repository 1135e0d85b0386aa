/**
 * A 2-D map of a run's topics: the first two principal components of their centres' directions
 * (each centre normalised to length 1, as the related-topic scores compare them by cosine), so
 * topics whose articles read alike lie close together. Computed on the k × k Gram matrix of the
 * centred directions (k is small; the LSA width does not matter), by power iteration from a fixed
 * start (the second axis kept at right angles to the first), with each axis's sign fixed: the same centres always give the same map.
 */

export interface TopicMapCoordinates {
  x: Float64Array;
  y: Float64Array;
}

const ITERATIONS = 300;

/** `vector` less its projections on the unit vectors `found`. */
function orthogonalise(vector: Float64Array, found: readonly Float64Array[]): void {
  for (const other of found) {
    let dot = 0;
    for (let i = 0; i < vector.length; i++) dot += vector[i] * other[i];
    for (let i = 0; i < vector.length; i++) vector[i] -= dot * other[i];
  }
}

/**
 * The largest eigenvalue of the symmetric k × k matrix `gram` and its unit eigenvector, at right
 * angles to the eigenvectors `found` before it, so two equal eigenvalues (three topics equally far
 * apart) still give two axes.
 */
function dominantEigen(gram: Float64Array, k: number, found: readonly Float64Array[]): { vector: Float64Array; value: number } {
  // Another start for each axis: where eigenvalues are equal, the first axis is the first start's
  // own direction within their eigenspace, which the same start cannot leave.
  let vector = new Float64Array(k).map((_, i) => Math.sin((i + 1) * (found.length + 1)));
  let value = 0;
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    orthogonalise(vector, found);
    const next = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      let sum = 0;
      for (let j = 0; j < k; j++) sum += gram[i * k + j] * vector[j];
      next[i] = sum;
    }
    let norm = 0;
    for (const component of next) norm += component * component;
    norm = Math.sqrt(norm);
    // Nothing left along any axis (all centres alike, or fewer distinct ones than axes).
    if (norm < 1e-12) return { vector: new Float64Array(k), value: 0 };
    for (let i = 0; i < k; i++) next[i] /= norm;
    vector = next;
    value = norm;
  }
  return { vector, value };
}

/** Map coordinates of `k` centres of `dimensions` values each, stored row after row. */
export function topicMapCoordinates(centroids: Float32Array | Float64Array, k: number, dimensions: number): TopicMapCoordinates {
  if (centroids.length !== k * dimensions)
    throw new Error(`expected ${k} × ${dimensions} centroid values, got ${centroids.length}`);
  const directions = new Float64Array(k * dimensions);
  for (let i = 0; i < k; i++) {
    let norm = 0;
    for (let d = 0; d < dimensions; d++) norm += centroids[i * dimensions + d] ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < dimensions; d++) directions[i * dimensions + d] = centroids[i * dimensions + d] / norm;
  }
  for (let d = 0; d < dimensions; d++) {
    let mean = 0;
    for (let i = 0; i < k; i++) mean += directions[i * dimensions + d] / k;
    for (let i = 0; i < k; i++) directions[i * dimensions + d] -= mean;
  }
  const gram = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      let dot = 0;
      for (let d = 0; d < dimensions; d++) dot += directions[i * dimensions + d] * directions[j * dimensions + d];
      gram[i * k + j] = dot;
      gram[j * k + i] = dot;
    }
  }
  const axes: Float64Array[] = [];
  const found: Float64Array[] = [];
  for (let axis = 0; axis < 2; axis++) {
    const { vector, value } = dominantEigen(gram, k, found);
    if (value > 0) found.push(vector);
    // The sign of an eigenvector is arbitrary: make its largest component positive.
    let largest = 0;
    for (const component of vector) if (Math.abs(component) > Math.abs(largest)) largest = component;
    const scale = Math.sqrt(Math.max(value, 0)) * (largest < 0 ? -1 : 1);
    axes.push(vector.map((component) => component * scale));
  }
  return { x: axes[0], y: axes[1] };
}
