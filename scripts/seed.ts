/**
 * npm run seed                      stores the seed page's articles
 * npm run seed -- --file PATH.jsonl  imports a corpus (one JSON object a line)
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { openConfiguredDatabase } from '../src/db/client.js';
import { importJsonlFile } from '../src/jobs/import.js';
import { terminalProgress } from '../src/jobs/progress.js';
import { seedPageArticles } from '../src/jobs/seed.js';

const { values } = parseArgs({
  options: { file: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  console.log('usage: npm run seed [-- --file corpus.jsonl]');
  process.exit(0);
}

const config = loadConfig();
const { db, close } = await openConfiguredDatabase(config);
const started = performance.now();
try {
  if (values.file) {
    const progress = terminalProgress('importing');
    const summary = await importJsonlFile(db, values.file, {
      onProgress: (read, total) => progress.update(read, total),
    });
    progress.finish();
    for (const { line, reason } of summary.rejected) console.error(`${values.file}:${line}: rejected: ${reason}`);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `${values.file}: ${summary.inserted} inserted, ${summary.alreadyPresent} already present, ` +
        `${summary.rejected.length} rejected (${seconds} s)`,
    );
    if (summary.rejected.length > 0) process.exitCode = 1;
  } else {
    const summary = await seedPageArticles(db);
    console.log(`seed articles: ${summary.inserted} inserted, ${summary.alreadyPresent} already present`);
  }
} catch (error) {
  console.error(`seed failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await close();
}
