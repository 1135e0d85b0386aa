/** npm run cluster [-- --k N] [--seed S]: a new clustering run over every stored article. */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { openConfiguredDatabase } from '../src/db/client.js';
import { formatRunSummary, parseIntegerOption } from '../src/jobs/cli-format.js';
import { runClustering } from '../src/jobs/cluster.js';
import { terminalProgress } from '../src/jobs/progress.js';

const { values } = parseArgs({
  options: { k: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) {
  console.log('usage: npm run cluster [-- --k N] [--seed S]');
  process.exit(0);
}

const config = loadConfig();
let k: number | undefined;
let seed: number | undefined;
try {
  k = parseIntegerOption('--k', values.k);
  seed = parseIntegerOption('--seed', values.seed);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const { db, close } = await openConfiguredDatabase(config);
const progress = terminalProgress('clustering');
try {
  const summary = await runClustering(db, {
    k,
    seed,
    onProgress: (stage, done, total) => progress.update(done, total, stage.padEnd(9)),
  });
  progress.finish();
  console.log(formatRunSummary(summary));
} catch (error) {
  progress.finish();
  console.error(`clustering failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await close();
}
