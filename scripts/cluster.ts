/**
 * npm run cluster [-- --k N] [--seed S] [--window 30d]: a new clustering run over the stored articles.
 * npm run cluster -- --fail-run ID: marks a stuck run failed (its process, if alive, stops).
 */
import { parseArgs } from 'node:util';
import { loadConfig, parseDuration } from '../src/config.js';
import { openConfiguredDatabase } from '../src/db/client.js';
import { describeStartError } from '../src/db/errors.js';
import { formatRunSummary, parseIntegerOption } from '../src/jobs/cli-format.js';
import { runClustering } from '../src/jobs/cluster.js';
import { FAILED_BY_OPERATOR, failRun } from '../src/jobs/run-lock.js';
import { terminalProgress } from '../src/jobs/progress.js';

const USAGE = `usage: npm run cluster [-- --k N] [--seed S] [--window DURATION]
       npm run cluster -- --fail-run ID
  --k N            number of topics (chosen from the data when omitted)
  --seed S         seed of the run's random choices (default 42)
  --window 30d     cluster only the articles of this last period (30d, 12h, 90m); older ones keep their topic
  --fail-run ID    mark the running run ID failed, so that the next run can start; a process still
                   computing it stops at its next heartbeat (runs whose process died need no such step)`;

let values: { k?: string; seed?: string; window?: string; 'fail-run'?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      k: { type: 'string' },
      seed: { type: 'string' },
      window: { type: 'string' },
      'fail-run': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
let k: number | undefined;
let seed: number | undefined;
let windowMs: number | undefined;
let failRunId: number | undefined;
try {
  failRunId = parseIntegerOption('--fail-run', values['fail-run']);
  k = parseIntegerOption('--k', values.k);
  seed = parseIntegerOption('--seed', values.seed);
  windowMs = values.window === undefined ? undefined : parseDuration('--window', values.window);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const { db, close } = await openConfiguredDatabase(config).catch((error: unknown) => {
  console.error(`could not open the database: ${describeStartError(error)}`);
  process.exit(1);
});
const progress = terminalProgress('clustering');
try {
  if (failRunId !== undefined) {
    await failRun(db, failRunId);
    console.log(`clustering run ${failRunId} marked failed (${FAILED_BY_OPERATOR})`);
  } else {
    const summary = await runClustering(db, {
      k,
      seed,
      windowMs,
      reason: 'npm run cluster',
      onProgress: (stage, done, total) => progress.update(done, total, stage.padEnd(9)),
    });
    progress.finish();
    console.log(formatRunSummary(summary));
  }
} catch (error) {
  progress.finish();
  console.error(`${failRunId === undefined ? 'clustering failed' : `could not fail run ${failRunId}`}: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await close();
}
