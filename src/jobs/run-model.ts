/** A clustering run's model as a database row, and back. */
import type { TopicModel } from '../clustering/types.js';
import type { runModels } from '../db/schema.js';

type RunModelRow = typeof runModels.$inferSelect;

function toBytes(values: Float32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

function toFloat32(bytes: Uint8Array): Float32Array {
  // Copy: the driver's buffer may not be 4-byte aligned.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

export function modelToRow(runId: number, model: TopicModel): RunModelRow {
  return {
    runId,
    vocabulary: model.vocabulary,
    dimensions: model.dimensions,
    weakThreshold: model.weakThreshold,
    idf: toBytes(model.idf),
    components: toBytes(model.components),
    centroids: toBytes(model.centroids),
  };
}

export function modelFromRow(row: RunModelRow): TopicModel {
  const centroids = toFloat32(row.centroids);
  return {
    vocabulary: row.vocabulary,
    idf: toFloat32(row.idf),
    components: toFloat32(row.components),
    dimensions: row.dimensions,
    centroids,
    k: centroids.length / row.dimensions,
    weakThreshold: row.weakThreshold,
  };
}
