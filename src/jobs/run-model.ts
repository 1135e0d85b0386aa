/**
 * A clustering run's model in the database. The float arrays travel as base64 text and are
 * stored as bytea: PGlite passes a large Buffer parameter an order of magnitude slower than the
 * same bytes as base64 (docs/decisions.md D15).
 */
import { eq, type SQL, sql } from 'drizzle-orm';
import type { TopicModel } from '../clustering/types.js';
import type { Executor } from '../db/client.js';
import { runModels } from '../db/schema.js';

function toBase64(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

/** Float32 values stored as bytea and read back as base64 (`encode(column, 'base64')`). */
export function float32FromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  // Copy into a fresh, aligned buffer: a Float32Array view needs a 4-byte aligned offset.
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Float32 values as a bytea value, for an insert (sent as base64, decoded by the database). */
export function float32Bytes(values: Float32Array): SQL {
  return sql`decode(${toBase64(values)}, 'base64')`;
}

export async function saveModel(db: Executor, runId: number, model: TopicModel): Promise<void> {
  await db.insert(runModels).values({
    runId,
    vocabulary: model.vocabulary,
    dimensions: model.dimensions,
    weakThreshold: model.weakThreshold,
    idf: float32Bytes(model.idf),
    components: float32Bytes(model.components),
    centroids: float32Bytes(model.centroids),
  });
}

export async function loadModel(db: Executor, runId: number): Promise<TopicModel | undefined> {
  const [row] = await db
    .select({
      vocabulary: runModels.vocabulary,
      dimensions: runModels.dimensions,
      weakThreshold: runModels.weakThreshold,
      idf: sql<string>`encode(${runModels.idf}, 'base64')`,
      components: sql<string>`encode(${runModels.components}, 'base64')`,
      centroids: sql<string>`encode(${runModels.centroids}, 'base64')`,
    })
    .from(runModels)
    .where(eq(runModels.runId, runId));
  if (!row) return undefined;
  const centroids = float32FromBase64(row.centroids);
  return {
    vocabulary: row.vocabulary,
    idf: float32FromBase64(row.idf),
    components: float32FromBase64(row.components),
    dimensions: row.dimensions,
    centroids,
    k: centroids.length / row.dimensions,
    weakThreshold: row.weakThreshold,
  };
}
