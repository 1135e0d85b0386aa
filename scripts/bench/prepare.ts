/**
 * Fills a benchmark database with the project's own code: migrations, the JSONL importer and a
 * clustering run, exactly as an operator would with `npm run seed` and `npm run cluster`.
 */
import { openDatabase } from '../../src/db/client.js';
import { formatRunSummary } from '../../src/jobs/cli-format.js';
import { runClustering } from '../../src/jobs/cluster.js';
import { importJsonlFile } from '../../src/jobs/import.js';
import { readCorpusLines, writeTemporaryCorpus } from './corpus.js';

export interface PreparedCorpus {
  articleCount: number;
  importSeconds: number;
  clusterSeconds: number;
  /** The lines that were not imported (for the soak test's mid-run import). */
  remaining: ReturnType<typeof readCorpusLines>;
}

export interface PrepareOptions {
  databaseUrl: string;
  corpusFile: string;
  /** Import only the first `limit` lines. */
  limit?: number;
  k: number;
  seed?: number;
  log: (line: string) => void;
}

export async function importAndCluster(options: PrepareOptions): Promise<PreparedCorpus> {
  const lines = readCorpusLines(options.corpusFile);
  const imported = options.limit === undefined ? lines : lines.slice(0, options.limit);
  const corpus = writeTemporaryCorpus(imported);
  const handle = await openDatabase({ databaseUrl: options.databaseUrl });
  try {
    await handle.migrate();
    const importStart = performance.now();
    const summary = await importJsonlFile(handle.db, corpus.file);
    const importSeconds = (performance.now() - importStart) / 1000;
    if (summary.rejected.length > 0) {
      throw new Error(
        `the importer rejected ${summary.rejected.length} lines, e.g. line ${summary.rejected[0].line}: ${summary.rejected[0].reason}`,
      );
    }
    options.log(
      `imported ${summary.inserted} articles (${summary.alreadyPresent} already present) in ${importSeconds.toFixed(1)} s`,
    );
    const clusterStart = performance.now();
    const run = await runClustering(handle.db, { k: options.k, seed: options.seed });
    const clusterSeconds = (performance.now() - clusterStart) / 1000;
    options.log(formatRunSummary(run));
    return { articleCount: summary.inserted, importSeconds, clusterSeconds, remaining: lines.slice(imported.length) };
  } finally {
    corpus.remove();
    await handle.close();
  }
}
