/**
 * One clustering run in its own process, for bench:scale (which samples its memory): prints the
 * run's summary as one JSON line.
 */
import { openDatabase } from '../../src/db/client.js';
import { runClustering } from '../../src/jobs/cluster.js';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is required');
const k = process.env.BENCH_K ? Number(process.env.BENCH_K) : undefined;
const handle = await openDatabase({ databaseUrl });
try {
  const summary = await runClustering(handle.db, { k });
  console.log(JSON.stringify({ summary }));
} finally {
  await handle.close();
}
