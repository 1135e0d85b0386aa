/**
 * Where the large arrays of a computation are allocated. The numeric and text code allocates
 * through an allocator it is given, so that a caller that shares the work with another thread
 * (src/parallel/) can place them on shared memory without this code knowing about threads.
 */
export interface ArrayAllocator {
  int32(length: number): Int32Array;
  float32(length: number): Float32Array;
  float64(length: number): Float64Array;
}

/** Ordinary typed arrays. */
export const plainArrays: ArrayAllocator = {
  int32: (length) => new Int32Array(length),
  float32: (length) => new Float32Array(length),
  float64: (length) => new Float64Array(length),
};
