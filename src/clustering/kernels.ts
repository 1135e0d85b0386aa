/**
 * The kernels of the clustering that the helper thread shares (helper-thread.ts): the products
 * on plain typed arrays and row ranges, Gaussian sketches and k-means starts, so that the work
 * can be split between this thread and the helper. Each is self-contained on purpose (no
 * imports, no outer variables): the helper runs these very functions from their source text.
 */
import type { kmeans as mlKMeans } from 'ml-kmeans';

export type KMeansFunction = typeof mlKMeans;

/**
 * Sparse × dense, for rows [fromRow, toRow): result[row] = Σ values[e] · dense[columnIndex[e]]
 * over the row's entries (dense rows of `width`, row-major Float64).
 *
 * Each output row sums eight scaled dense rows per pass over the accumulator, about four times
 * faster in V8 than one at a time (fewer loads and stores of the accumulator); short rows (most
 * rows of a transposed document matrix: terms used by few documents) finish by four, two, one.
 */
export function multiplyRowRange(
  rowStart: Int32Array,
  columnIndex: Int32Array,
  values: Float32Array,
  dense: Float64Array,
  width: number,
  result: Float64Array,
  fromRow: number,
  toRow: number,
): void {
  const sum = new Float64Array(width);
  for (let row = fromRow; row < toRow; row++) {
    sum.fill(0);
    const end = rowStart[row + 1];
    let e = rowStart[row];
    for (; e + 7 < end; e += 8) {
      const v0 = values[e], v1 = values[e + 1], v2 = values[e + 2], v3 = values[e + 3];
      const v4 = values[e + 4], v5 = values[e + 5], v6 = values[e + 6], v7 = values[e + 7];
      const s0 = columnIndex[e] * width, s1 = columnIndex[e + 1] * width;
      const s2 = columnIndex[e + 2] * width, s3 = columnIndex[e + 3] * width;
      const s4 = columnIndex[e + 4] * width, s5 = columnIndex[e + 5] * width;
      const s6 = columnIndex[e + 6] * width, s7 = columnIndex[e + 7] * width;
      for (let c = 0; c < width; c++) {
        sum[c] +=
          v0 * dense[s0 + c] + v1 * dense[s1 + c] + v2 * dense[s2 + c] + v3 * dense[s3 + c] +
          v4 * dense[s4 + c] + v5 * dense[s5 + c] + v6 * dense[s6 + c] + v7 * dense[s7 + c];
      }
    }
    if (e + 3 < end) {
      const v0 = values[e], v1 = values[e + 1], v2 = values[e + 2], v3 = values[e + 3];
      const s0 = columnIndex[e] * width, s1 = columnIndex[e + 1] * width;
      const s2 = columnIndex[e + 2] * width, s3 = columnIndex[e + 3] * width;
      for (let c = 0; c < width; c++) {
        sum[c] += v0 * dense[s0 + c] + v1 * dense[s1 + c] + v2 * dense[s2 + c] + v3 * dense[s3 + c];
      }
      e += 4;
    }
    if (e + 1 < end) {
      const v0 = values[e], v1 = values[e + 1];
      const s0 = columnIndex[e] * width, s1 = columnIndex[e + 1] * width;
      for (let c = 0; c < width; c++) sum[c] += v0 * dense[s0 + c] + v1 * dense[s1 + c];
      e += 2;
    }
    if (e < end) {
      const v0 = values[e];
      const s0 = columnIndex[e] * width;
      for (let c = 0; c < width; c++) sum[c] += v0 * dense[s0 + c];
    }
    result.set(sum, row * width);
  }
}

/**
 * Dense × dense, A (rows × inner) · M (inner × width), for rows [fromRow, toRow) and columns
 * [fromColumn, toColumn) of the result (rows × width). Each output row sums eight scaled rows of
 * M per pass over the accumulator, as the sparse kernel does.
 */
export function multiplyDenseRange(
  a: Float64Array,
  inner: number,
  m: Float64Array,
  width: number,
  result: Float64Array,
  fromRow: number,
  toRow: number,
  fromColumn: number,
  toColumn: number,
): void {
  const span = toColumn - fromColumn;
  const sum = new Float64Array(span);
  for (let row = fromRow; row < toRow; row++) {
    sum.fill(0);
    const offset = row * inner;
    let i = 0;
    for (; i + 7 < inner; i += 8) {
      const a0 = a[offset + i], a1 = a[offset + i + 1], a2 = a[offset + i + 2], a3 = a[offset + i + 3];
      const a4 = a[offset + i + 4], a5 = a[offset + i + 5], a6 = a[offset + i + 6], a7 = a[offset + i + 7];
      const m0 = i * width + fromColumn, m1 = m0 + width, m2 = m1 + width, m3 = m2 + width;
      const m4 = m3 + width, m5 = m4 + width, m6 = m5 + width, m7 = m6 + width;
      for (let c = 0; c < span; c++) {
        sum[c] +=
          a0 * m[m0 + c] + a1 * m[m1 + c] + a2 * m[m2 + c] + a3 * m[m3 + c] +
          a4 * m[m4 + c] + a5 * m[m5 + c] + a6 * m[m6 + c] + a7 * m[m7 + c];
      }
    }
    for (; i < inner; i++) {
      const value = a[offset + i];
      const source = i * width + fromColumn;
      for (let c = 0; c < span; c++) sum[c] += value * m[source + c];
    }
    result.set(sum, row * width + fromColumn);
  }
}

/**
 * Fills target[from, to) with standard normal values from a generator seeded with `seed`:
 * mulberry32 for the bits and Marsaglia and Tsang's ziggurat (2000), which needs one integer and
 * a table lookup for about 99% of the values, several times faster than polar or Box–Muller
 * methods. The same seed always gives the same values, whichever thread runs it.
 */
export function fillStandardNormal(target: Float64Array, from: number, to: number, seed: number): void {
  // Ziggurat tables (Marsaglia and Tsang's zigset, 128 layers).
  const tail = 3.442619855899;
  const area = 9.91256303526217e-3;
  const scale = 2147483648;
  const layerBound = new Uint32Array(128);
  const layerWidth = new Float64Array(128);
  const layerHeight = new Float64Array(128);
  let edge = tail;
  let previousEdge = edge;
  const base = area / Math.exp(-0.5 * edge * edge);
  layerBound[0] = Math.floor((edge / base) * scale);
  layerBound[1] = 0;
  layerWidth[0] = base / scale;
  layerWidth[127] = edge / scale;
  layerHeight[0] = 1;
  layerHeight[127] = Math.exp(-0.5 * edge * edge);
  for (let i = 126; i >= 1; i--) {
    edge = Math.sqrt(-2 * Math.log(area / edge + Math.exp(-0.5 * edge * edge)));
    layerBound[i + 1] = Math.floor((edge / previousEdge) * scale);
    previousEdge = edge;
    layerHeight[i] = Math.exp(-0.5 * edge * edge);
    layerWidth[i] = edge / scale;
  }
  // mulberry32 (as SeededRandom).
  let state = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  const nextInt32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return t ^ (t >>> 14);
  };
  const nextUniform = (): number => (nextInt32() >>> 0) / 4294967296;
  for (let i = from; i < to; i++) {
    let value = nextInt32();
    let layer = value & 127;
    if (Math.abs(value) < layerBound[layer]) {
      target[i] = value * layerWidth[layer];
      continue;
    }
    for (;;) {
      const x = value * layerWidth[layer];
      if (layer === 0) {
        // The tail beyond the base layer, by Marsaglia's method.
        let tailX: number;
        let tailY: number;
        do {
          tailX = -Math.log(1 - nextUniform()) / tail;
          tailY = -Math.log(1 - nextUniform());
        } while (tailY + tailY < tailX * tailX);
        target[i] = value > 0 ? tail + tailX : -tail - tailX;
        break;
      }
      if (layerHeight[layer] + nextUniform() * (layerHeight[layer - 1] - layerHeight[layer]) < Math.exp(-0.5 * x * x)) {
        target[i] = x;
        break;
      }
      value = nextInt32();
      layer = value & 127;
      if (Math.abs(value) < layerBound[layer]) {
        target[i] = value * layerWidth[layer];
        break;
      }
    }
  }
}

/**
 * k-means starts through ml-kmeans (`kmeans`), one per seed: a greedy k-means++ seeding on the
 * typed rows (Arthur & Vassilvitskii 2007, with scikit-learn's and ml-kmeans's 2 + ⌊ln k⌋
 * candidates per centre), then ml-kmeans's Lloyd iterations from it. Start i writes its clusters
 * to assignments[i·rows, (i+1)·rows), its centroids to centroids[i·k·width, …) and
 * [inertia, iterations] to stats[2i, 2i+2). With `initialCentroids` (k × width, row-major) the
 * iterations start from them instead of a seeding (all rows, from a model fitted on a sample).
 *
 * ml-kmeans's own 'kmeans++' option implements the same seeding but copies a row into a new
 * array for every distance it computes: on BBC News (2,225 × 100, k = 5) its seeding took
 * 40–50 ms of a 60–85 ms start, against under a millisecond here (measured with 100 LSA
 * dimensions).
 */
export function kMeansStarts(
  kmeans: KMeansFunction,
  vectors: Float64Array,
  rows: number,
  width: number,
  k: number,
  seeds: ArrayLike<number>,
  maxIterations: number,
  assignments: Int32Array,
  centroids: Float64Array,
  stats: Float64Array,
  initialCentroids?: Float64Array,
): void {
  const squaredDistance = (a: number, b: number): number => {
    const aOffset = a * width;
    const bOffset = b * width;
    let sum = 0;
    for (let d = 0; d < width; d++) {
      const difference = vectors[aOffset + d] - vectors[bOffset + d];
      sum += difference * difference;
    }
    return sum;
  };
  // ml-kmeans's default distance sums into one variable, a chain of dependent additions; four
  // independent sums make its iterations about 30% faster (same squared distance, summed in
  // another order).
  const squaredDistanceOfArrays = (a: number[], b: number[]): number => {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let d = 0;
    for (; d + 3 < a.length; d += 4) {
      const d0 = a[d] - b[d];
      const d1 = a[d + 1] - b[d + 1];
      const d2 = a[d + 2] - b[d + 2];
      const d3 = a[d + 3] - b[d + 3];
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; d < a.length; d++) {
      const difference = a[d] - b[d];
      s0 += difference * difference;
    }
    return s0 + s1 + (s2 + s3);
  };
  // A plain loop builds packed double arrays, faster to read than Array.from's.
  const rowArray = (row: number): number[] => {
    const values: number[] = [];
    for (let d = row * width; d < (row + 1) * width; d++) values.push(vectors[d]);
    return values;
  };
  // ml-kmeans takes rows as arrays.
  const data: number[][] = [];
  for (let row = 0; row < rows; row++) data.push(rowArray(row));
  const trials = 2 + Math.floor(Math.log(k));
  const closest = new Float64Array(rows);
  const cumulative = new Float64Array(rows);
  const candidateDistances = new Float64Array(rows);
  const bestDistances = new Float64Array(rows);

  /** The k rows a greedy k-means++ seeding picks for `seed`. */
  const seedCentres = (seed: number): number[] => {
    // mulberry32, seeded as SeededRandom.
    let state = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
    const nextUniform = (): number => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };

    const chosen = [Math.floor(nextUniform() * rows)];
    for (let row = 0; row < rows; row++) closest[row] = squaredDistance(row, chosen[0]);
    while (chosen.length < k) {
      let total = 0;
      for (let row = 0; row < rows; row++) {
        total += closest[row];
        cumulative[row] = total;
      }
      let bestCandidate = -1;
      let bestPotential = Infinity;
      for (let trial = 0; trial < trials; trial++) {
        // A candidate is drawn in proportion to its squared distance to the nearest centre; with
        // every row on a centre already (duplicates), any row will do.
        let candidate: number;
        if (total > 0) {
          const target = nextUniform() * total;
          let low = 0;
          let high = rows - 1;
          while (low < high) {
            const middle = (low + high) >> 1;
            if (cumulative[middle] > target) high = middle;
            else low = middle + 1;
          }
          candidate = low;
        } else {
          candidate = Math.floor(nextUniform() * rows);
        }
        let potential = 0;
        for (let row = 0; row < rows; row++) {
          const distance = Math.min(closest[row], squaredDistance(row, candidate));
          candidateDistances[row] = distance;
          potential += distance;
        }
        if (potential < bestPotential) {
          bestPotential = potential;
          bestCandidate = candidate;
          bestDistances.set(candidateDistances);
        }
      }
      chosen.push(bestCandidate);
      closest.set(bestDistances);
    }
    return chosen;
  };

  for (let start = 0; start < seeds.length; start++) {
    const initialization =
      initialCentroids === undefined
        ? seedCentres(seeds[start]).map(rowArray)
        : Array.from({ length: k }, (_, c) => Array.from(initialCentroids.subarray(c * width, (c + 1) * width)));
    const fitted = kmeans(data, k, { initialization, maxIterations, distanceFunction: squaredDistanceOfArrays });
    let inertia = 0;
    for (let row = 0; row < rows; row++) {
      const cluster = fitted.clusters[row];
      const centroid = fitted.centroids[cluster];
      const offset = row * width;
      for (let d = 0; d < width; d++) {
        const difference = vectors[offset + d] - centroid[d];
        inertia += difference * difference;
      }
      assignments[start * rows + row] = cluster;
    }
    for (let c = 0; c < k; c++) centroids.set(fitted.centroids[c], (start * k + c) * width);
    stats[2 * start] = inertia;
    stats[2 * start + 1] = fitted.iterations;
  }
}
