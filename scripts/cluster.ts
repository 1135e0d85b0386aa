/** npm run cluster [-- --k N] [--seed S] [--window 30d]: a new clustering run over the stored articles. */
import { parseArgs } from 'node:util';
import { loadConfig, parseDuration } from '../src/config.js';
import { openConfiguredDatabase } from '../src/db/client.js';
import { formatRunSummary, parseIntegerOption } from '../src/jobs/cli-format.js';
import { runClustering } from '../src/jobs/cluster.js';
import { terminalProgress } from '../src/jobs/progress.js';

const USAGE = `usage: npm run cluster [-- --k N] [--seed S] [--window DURATION]
  --k N            number of topics (chosen from the data when omitted)
  --seed S         seed of the run's random choices (default 42)
  --window 30d     cluster only the articles of this last period (30d, 12h, 90m); older ones keep their topic`;

let values: { k?: string; seed?: string; window?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: { k: { type: 'string' }, seed: { type: 'string' }, window: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  }));
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const config = loadConfig();
let k: number | undefined;
let seed: number | undefined;
let windowMs: number | undefined;
try {
  k = parseIntegerOption('--k', values.k);
  seed = parseIntegerOption('--seed', values.seed);
  windowMs = values.window === undefined ? undefined : parseDuration('--window', values.window);
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
    windowMs,
    reason: 'npm run cluster',
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
