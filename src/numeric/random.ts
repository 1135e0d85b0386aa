/**
 * Seeded randomness (mulberry32): every random choice in a run derives from the run's seed, so the
 * same input, options and seed give the same topics, on whichever thread a part of it runs.
 */

/** A mulberry32 stream of 32-bit integers; the seed is mixed so that neighbouring seeds start far apart. */
export function mulberry32(seed: number): () => number {
  let state = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return t ^ (t >>> 14);
  };
}

/** Uniform values in [0, 1) from a mulberry32 stream. */
export function uniformStream(seed: number): () => number {
  const nextInt32 = mulberry32(seed);
  return () => (nextInt32() >>> 0) / 4294967296;
}

export class SeededRandom {
  /** Uniform in [0, 1). */
  readonly next: () => number;

  constructor(seed: number) {
    this.next = uniformStream(seed);
  }

  /** Integer in [0, bound). */
  nextInt(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  /** `count` distinct indexes of [0, population), in increasing order. */
  sampleIndexes(population: number, count: number): Int32Array {
    if (count >= population) return Int32Array.from({ length: population }, (_, index) => index);
    // Partial Fisher–Yates over a sparse map: O(count) memory even for a large population.
    const swapped = new Map<number, number>();
    const chosen = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const j = i + this.nextInt(population - i);
      const atJ = swapped.get(j) ?? j;
      const atI = swapped.get(i) ?? i;
      chosen[i] = atJ;
      swapped.set(j, atI);
    }
    return chosen.sort();
  }
}

/** Derives an independent seed for a sub-task ("restart 3", "sub-cluster of topic 2"). */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let hash = seed | 0;
  for (const part of parts) {
    hash = Math.imul(hash ^ (part + 0x7f4a7c15), 0x27d4eb2d);
    hash ^= hash >>> 15;
  }
  return hash >>> 0;
}
