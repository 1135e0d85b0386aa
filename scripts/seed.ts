/**
 * npm run seed                       stores the seed page's articles
 * npm run seed -- --file PATH.jsonl  imports a corpus (one JSON object a line)
 * npm run seed -- --feed URL_OR_FILE  imports an RSS 2.0 or Atom feed
 *
 * When the stored articles have no topics to go to (no clustering run yet, or far more new
 * articles than the current run clustered), it clusters them at once (--no-cluster: leave it to
 * the server's policy or `npm run cluster`).
 */
import type { Database } from '../src/db/client.js';
import { describeError } from '../src/db/errors.js';
import { FeedFormatError } from '../src/feeds/parse-feed.js';
import { formatRunSummary } from '../src/jobs/cli-format.js';
import { runClustering } from '../src/jobs/cluster.js';
import { FeedFetchError } from '../src/jobs/feed-fetch.js';
import { importFeedDocument, readFeed } from '../src/jobs/feed-import.js';
import { importJsonlFile } from '../src/jobs/import.js';
import { terminalProgress } from '../src/jobs/progress.js';
import { evaluateReclusterPolicy } from '../src/jobs/recluster-policy.js';
import { ClusteringRunError } from '../src/jobs/run-lock.js';
import { seedPageArticles } from '../src/jobs/seed.js';
import { commandConfig, commandOptions, openCommandDatabase } from './command.js';

const USAGE = 'usage: npm run seed [-- --file corpus.jsonl | --feed URL_OR_FILE] [--no-cluster]';

const values = commandOptions(USAGE, {
  file: { type: 'string' },
  feed: { type: 'string' },
  'no-cluster': { type: 'boolean' },
});
if (values.file !== undefined && values.feed !== undefined) {
  console.error(`--file and --feed import one thing each: give one of them\n${USAGE}`);
  process.exit(2);
}

/** Clusters at once when the articles have no topics to go to (only those rules, not the server's thresholds). */
async function clusterIfWaiting(db: Database): Promise<void> {
  const state = await evaluateReclusterPolicy(db, { newShare: null, newCount: null, intervalMs: null, windowMs: null });
  if (!state.due) return;
  console.log(`clustering now: ${state.reason}`);
  const progress = terminalProgress('clustering');
  try {
    const summary = await runClustering(db, {
      reason: `npm run seed: ${state.reason}`,
      onProgress: (stage, done, total) => progress.update(done, total, stage.padEnd(9)),
    });
    progress.finish();
    console.log(formatRunSummary(summary));
  } catch (error) {
    progress.finish();
    if (error instanceof ClusteringRunError && error.code === 'IN_PROGRESS') {
      console.log(`not clustering now: ${error.message} (that run groups the new articles)`);
      return;
    }
    throw error;
  }
}

/** Longest reason printed for a rejected line (one line each, whatever the line held). */
const MAX_REASON_LENGTH = 300;

function clip(text: string): string {
  const line = text.split('\n')[0];
  return line.length > MAX_REASON_LENGTH ? `${line.slice(0, MAX_REASON_LENGTH)}…` : line;
}

/** Imports the feed at `location` (a URL or a file): the same lines as a corpus, numbered by entry. */
async function importFeed(db: Database, location: string, timeoutMs: number, started: number): Promise<void> {
  const progress = terminalProgress('importing');
  let summary: Awaited<ReturnType<typeof importFeedDocument>>;
  try {
    const document = await readFeed(location, timeoutMs);
    summary = await importFeedDocument(db, document, { onProgress: (done, total) => progress.update(done, total) });
  } catch (error) {
    // The reading and parsing errors do not name the feed; the database's do not need to.
    if (error instanceof FeedFormatError || error instanceof FeedFetchError) throw new Error(`${location}: ${error.message}`);
    throw error;
  } finally {
    progress.finish();
  }
  for (const { number, reason } of summary.rejected) console.error(`${location}: entry ${number}: rejected: ${clip(reason)}`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (summary.entries === 0) {
    console.error(`${location}: holds no articles (the feed has no entries)`);
    process.exitCode = 1;
    return;
  }
  console.log(
    `${location}: ${summary.inserted} inserted, ${summary.alreadyPresent} already present, ` +
      `${summary.rejected.length} rejected (${seconds} s)`,
  );
  if (summary.rejected.length > 0) process.exitCode = 1;
}

const config = commandConfig();
const { db, close } = await openCommandDatabase(config);
const started = performance.now();
try {
  if (values.file) {
    const progress = terminalProgress('importing');
    const summary = await importJsonlFile(db, values.file, {
      onProgress: (read, total) => progress.update(read, total),
    }).finally(() => progress.finish());
    for (const { line, reason } of summary.rejected) console.error(`${values.file}:${line}: rejected: ${clip(reason)}`);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (summary.inserted + summary.alreadyPresent + summary.rejected.length === 0) {
      console.error(`${values.file}: holds no articles (the file is empty or has only blank lines)`);
      process.exitCode = 1;
    } else {
      console.log(
        `${values.file}: ${summary.inserted} inserted, ${summary.alreadyPresent} already present, ` +
          `${summary.rejected.length} rejected (${seconds} s)`,
      );
      if (summary.rejected.length > 0) process.exitCode = 1;
    }
  } else if (values.feed) {
    await importFeed(db, values.feed, config.feeds.timeoutMs, started);
  } else {
    const summary = await seedPageArticles(db);
    console.log(`seed articles: ${summary.inserted} inserted, ${summary.alreadyPresent} already present`);
  }
  if (!values['no-cluster']) await clusterIfWaiting(db);
} catch (error) {
  // One line: the database's own words and the statement's first ones, never its parameters.
  console.error(`seed failed: ${describeError(error)}`);
  process.exitCode = 1;
} finally {
  await close();
}
