/**
 * npm run cluster [-- --k N] [--seed S] [--window 30d]: a new clustering run over the stored articles.
 * npm run cluster -- --fail-run ID: marks a stuck run failed (its process, if alive, stops).
 */
import { parseDuration } from '../src/config.js';
import { formatRunSummary, parseIntegerOption } from '../src/jobs/cli-format.js';
import { runClustering } from '../src/jobs/cluster.js';
import { terminalProgress } from '../src/jobs/progress.js';
import { FAILED_BY_OPERATOR, failRun } from '../src/jobs/run-lock.js';
import { defaultParallel } from '../src/parallel/compute.js';
import { commandConfig, commandOptions, openCommandDatabase, optionValue } from './command.js';

const USAGE = `usage: npm run cluster [-- --k N] [--seed S] [--window DURATION]
       npm run cluster -- --fail-run ID
  --k N            number of topics (chosen from the data when omitted)
  --seed S         seed of the run's random choices (default 42)
  --window 30d     cluster only the articles of this last period (30d, 12h, 90m); older ones keep their topic
  --fail-run ID    mark the running run ID failed, so that the next run can start; a process still
                   computing it stops at its next heartbeat (runs whose process died need no such step)`;

const values = commandOptions(USAGE, {
  k: { type: 'string' },
  seed: { type: 'string' },
  window: { type: 'string' },
  'fail-run': { type: 'string' },
});
const config = commandConfig();
const failRunId = optionValue(() => parseIntegerOption('--fail-run', values['fail-run']));
const k = optionValue(() => parseIntegerOption('--k', values.k));
const seed = optionValue(() => parseIntegerOption('--seed', values.seed));
const windowMs = optionValue(() => (values.window === undefined ? undefined : parseDuration('--window', values.window)));
// The helper thread boots while the database opens and the articles load (it takes a while under tsx).
if (failRunId === undefined) defaultParallel().prepare();
const { db, close } = await openCommandDatabase(config);
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
  console.error(
    `${failRunId === undefined ? 'clustering failed' : `could not fail run ${failRunId}`}: ${(error as Error).message}`,
  );
  process.exitCode = 1;
} finally {
  await close();
}
