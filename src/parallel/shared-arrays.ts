import type { ArrayAllocator } from '../numeric/arrays.js';

/** Typed arrays on shared memory, which the helper thread reads and writes without copies. */
export const sharedArrays: ArrayAllocator = {
  int32: (length) => new Int32Array(new SharedArrayBuffer(length * Int32Array.BYTES_PER_ELEMENT)),
  float32: (length) => new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT)),
  float64: (length) => new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT)),
};
