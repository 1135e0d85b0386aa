/**
 * npm run probe:memory [-- --root ../before] [--bodies 200] [--body-mb 5] [--queries 1200] [--idle 60] [--stampede 200]
 *                        [--phases bodies,cache,stampede]
 *
 * What hostile or merely numerous anonymous clients do to the server's memory and latency, on a
 * fresh PostgreSQL database holding the corpus, clustered (by `npm run seed` of the checkout under
 * test). The server runs as in production (NODE_ENV=production, default cache) with a 1 GB heap.
 *
 * 1. bodies: --bodies concurrent anonymous POSTs of --body-mb MB each, while another client sends
 *    a small query every 100 ms: the server's peak RSS, how the bodies were answered, and the
 *    small query's latency.
 * 2. cache: --queries distinct queries with large answers (100 articles with their bodies), four
 *    at a time: RSS before, at the end, and after --idle seconds without requests.
 * 3. stampede: --stampede concurrent identical queries that are not cached yet: latency, and how
 *    many times the query ran (PostgreSQL's transaction count for the database, against one run).
 *
 * --root runs another checkout's server (e.g. the last release) on the same workload. Exits
 * non-zero when a target is missed.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import path from 'node:path';
import postgres from 'postgres';
import { DEFAULT_CORPUS } from './bench/corpus.js';
import { percentile, sortedLatencies } from './bench/load.js';
import { positiveInteger, positiveNumber } from './bench/options.js';
import { adminUrl, checkReachable, createDatabase, dropDatabase } from './bench/postgres-admin.js';
import { fixed, machineDescription, passFail } from './bench/report.js';
import { residentBytes } from './bench/resident-memory.js';
import { cleanUpOnExit, freePort, PROJECT_ROOT, startServer, stopAllServers, waitUntilReady } from './bench/server-process.js';
import { commandOptions } from './command.js';

const TARGETS = { bodiesPeakRssMb: 600, smallQueryMaxMs: 200 };
const DATABASE = 'news_bench_memory';
const HEAP_MB = 1024;
const MB = 1024 * 1024;
const TICK_MS = 100;
const CACHE_CONCURRENCY = 4;
const SMALL_QUERY = '{ topics(first: 3) { nodes { label size } } }';
const LARGE_QUERY = 'query Large($length: Int!) { articles(first: 100) { nodes { id title body excerpt(length: $length) } } }';
const STAMPEDE_QUERY =
  'query Stampede($first: Int!) { topics(first: $first) { nodes { label articles(first: 20) { nodes { title excerpt source { name } } } } } }';

const USAGE = `usage: npm run probe:memory [-- --root DIR] [--file corpus.jsonl] [--bodies 200] [--body-mb 5] [--queries 1200]
       [--idle 60] [--stampede 200] [--phases bodies,cache,stampede]`;

const args = commandOptions(USAGE, {
  root: { type: 'string', default: PROJECT_ROOT },
  file: { type: 'string', default: DEFAULT_CORPUS },
  bodies: { type: 'string', default: '200' },
  'body-mb': { type: 'string', default: '5' },
  queries: { type: 'string', default: '1200' },
  idle: { type: 'string', default: '60' },
  stampede: { type: 'string', default: '200' },
  phases: { type: 'string', default: 'bodies,cache,stampede' },
});
const root = path.resolve(args.root);
const bodies = positiveInteger('--bodies', args.bodies);
const bodyBytes = Math.round(positiveNumber('--body-mb', args['body-mb']) * MB);
const queries = positiveInteger('--queries', args.queries);
const idleSeconds = positiveNumber('--idle', args.idle);
const stampede = positiveInteger('--stampede', args.stampede);
const phases = new Set(args.phases.split(',').map((phase) => phase.trim()));

/** Samples a process's RSS every 20 ms until stopped; resolves with the peak. */
function watchPeak(pid: number): { stop(): number } {
  let peak = residentBytes(pid) ?? 0;
  const timer = setInterval(() => (peak = Math.max(peak, residentBytes(pid) ?? 0)), 20);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

/** One POST with a JSON body; resolves with the status (or the error's code) and the time taken. */
function postRaw(origin: string, body: Buffer | string): Promise<{ status: string; ms: number; text: string }> {
  const started = performance.now();
  const url = new URL('/graphql', origin);
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: String(res.statusCode), ms: performance.now() - started, text }));
        res.on('error', (error: NodeJS.ErrnoException) =>
          resolve({ status: error.code ?? 'error', ms: performance.now() - started, text }),
        );
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ status: error.code ?? 'error', ms: performance.now() - started, text: '' }),
    );
    req.end(body);
  });
}

const query = (origin: string, text: string, variables?: Record<string, unknown>) =>
  postRaw(origin, JSON.stringify({ query: text, variables }));

function latencyLine(name: string, values: number[]): string {
  const sorted = sortedLatencies(values);
  return `${name}: ${values.length} requests, p50 ${fixed(percentile(sorted, 0.5), 0)} ms, p99 ${fixed(percentile(sorted, 0.99), 0)} ms, max ${fixed(sorted[sorted.length - 1] ?? 0, 0)} ms`;
}

function countBy(values: string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, count]) => `${count} × ${value}`).join(', ');
}

function runCommand(cwd: string, command: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, command, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command.join(' ')} exited with ${code}`))));
  });
}

const admin = adminUrl();
const cleanup = cleanUpOnExit(async () => {
  await stopAllServers();
  await dropDatabase(admin, DATABASE);
});

console.log(`probe:memory on ${machineDescription()}; server from ${root}; PostgreSQL ${await checkReachable(admin)}`);
const databaseUrl = await createDatabase(admin, DATABASE);
await runCommand(root, ['--import', 'tsx', 'scripts/seed.ts', '--file', path.resolve(args.file)], { DATABASE_URL: databaseUrl });

const server = startServer({
  name: 'server',
  nodeArgs: ['--import', 'tsx', 'src/server.ts'],
  cwd: root,
  port: await freePort(),
  env: { DATABASE_URL: databaseUrl, NODE_ENV: 'production', RECLUSTER: 'off', NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` },
});
await waitUntilReady(server);
await query(server.origin, SMALL_QUERY);
const mb = (bytes: number | null) => (bytes === null ? 'exited' : `${fixed(bytes / MB, 0)} MB`);
let ok = true;

// 1. Large anonymous bodies beside a small query every 100 ms.
if (phases.has('bodies')) {
  const rssBefore = residentBytes(server.pid);
  const peak = watchPeak(server.pid);
  const small: number[] = [];
  const smallStatuses: string[] = [];
  let ticking = true;
  const ticker = (async () => {
    const pending: Promise<void>[] = [];
    while (ticking) {
      pending.push(
        query(server.origin, SMALL_QUERY).then(({ status, ms }) => {
          small.push(ms);
          smallStatuses.push(status);
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
    await Promise.all(pending);
  })();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const query5 = JSON.stringify({ query: '{ __typename }', variables: { pad: '' } });
  const body = Buffer.from(
    JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(bodyBytes - query5.length) } }),
  );
  const started = performance.now();
  const answers = await Promise.all(Array.from({ length: bodies }, () => postRaw(server.origin, body)));
  const seconds = (performance.now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  ticking = false;
  await ticker;
  const peakRss = peak.stop();
  console.log(`\n1. ${bodies} concurrent anonymous ${fixed(bodyBytes / MB, 1)} MB bodies (heap limit ${HEAP_MB} MB)`);
  console.log(`   answered in ${fixed(seconds, 1)} s: ${countBy(answers.map((answer) => answer.status))}`);
  console.log(`   RSS before ${mb(rssBefore)}, peak ${mb(peakRss)}, after ${mb(residentBytes(server.pid))}`);
  console.log(`   ${latencyLine('small query every 100 ms', small)}; ${countBy(smallStatuses)}`);
  const maxSmall = Math.max(...small);
  const bodiesOk =
    peakRss < TARGETS.bodiesPeakRssMb * MB && maxSmall < TARGETS.smallQueryMaxMs && residentBytes(server.pid) !== null;
  console.log(
    `   target: peak RSS < ${TARGETS.bodiesPeakRssMb} MB and small query < ${TARGETS.smallQueryMaxMs} ms: ${passFail(bodiesOk)}`,
  );
  ok &&= bodiesOk;
}

// 2. Many distinct queries with large answers.
if (phases.has('cache') && residentBytes(server.pid) !== null) {
  const rssBefore = residentBytes(server.pid);
  const peak = watchPeak(server.pid);
  let next = 0;
  let answerBytes = 0;
  const statuses: string[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CACHE_CONCURRENCY }, async () => {
      while (next < queries) {
        // excerpt lengths go from 20 to 2000; past 1,981 queries an unused variable keeps them distinct.
        const index = next++;
        const answer = await query(server.origin, LARGE_QUERY, {
          length: 20 + (index % 1_981),
          round: Math.floor(index / 1_981),
        });
        statuses.push(answer.status);
        answerBytes += Buffer.byteLength(answer.text);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const rssEnd = residentBytes(server.pid);
  console.log(
    `\n2. ${queries} distinct queries, answers of ${fixed(answerBytes / queries / 1024, 0)} KB on average, ${CACHE_CONCURRENCY} at a time`,
  );
  console.log(`   answered in ${fixed(seconds, 1)} s: ${countBy(statuses)}`);
  await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
  console.log(
    `   RSS before ${mb(rssBefore)}, peak ${mb(peak.stop())}, at the end ${mb(rssEnd)}, after ${idleSeconds} s idle ${mb(residentBytes(server.pid))}`,
  );
}

// 3. A stampede on a query not cached yet.
if (phases.has('stampede') && residentBytes(server.pid) !== null) {
  const stats = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const transactions = async () => {
    // Statistics reach pg_stat_database when a backend has been idle for a moment.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await stats`select pg_stat_clear_snapshot()`;
    const [row] = await stats<
      { count: string }[]
    >`select xact_commit + xact_rollback as count from pg_stat_database where datname = current_database()`;
    return Number(row.count);
  };
  // One execution's transactions, from a few single cold queries; the probe's own two statements
  // a count are subtracted.
  const calibration = 5;
  const t0 = await transactions();
  for (let first = 1; first <= calibration; first++) await query(server.origin, STAMPEDE_QUERY, { first });
  const t1 = await transactions();
  const started = performance.now();
  const answers = await Promise.all(Array.from({ length: stampede }, () => query(server.origin, STAMPEDE_QUERY, { first: 10 })));
  const seconds = (performance.now() - started) / 1000;
  const t2 = await transactions();
  const perExecution = (t1 - t0 - 2) / calibration;
  const executions = (t2 - t1 - 2) / perExecution;
  console.log(`\n3. ${stampede} concurrent identical queries, not cached yet`);
  console.log(
    `   answered in ${fixed(seconds, 2)} s: ${countBy(answers.map((answer) => answer.status))}; distinct answers: ${new Set(answers.map((answer) => answer.text)).size}`,
  );
  console.log(
    `   ${latencyLine(
      'stampede',
      answers.map((answer) => answer.ms),
    )}`,
  );
  console.log(
    `   executions: ${fixed(executions, 1)} (${t2 - t1 - 2} transactions; one execution takes ${fixed(perExecution, 1)})`,
  );
  await stats.end();
}

const alive = residentBytes(server.pid) !== null;
console.log(`\nserver ${alive ? 'still running' : `exited; its last output:\n${server.output()}`}`);
await cleanup();
process.exit(ok && alive ? 0 : 1);
