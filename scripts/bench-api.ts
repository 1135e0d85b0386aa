/**
 * npm run bench:api [-- --file corpus.jsonl] [--duration 8] [--warmup 2] [--connections 1,10,50]
 *                     [--workload narrow,wide]
 *
 * Requests per second and latency of the GraphQL API for its three typical reads (a topic feed,
 * an article page, a search), next to a floor (hand-written SQL behind node:http) and a peer
 * (PostGraphile 5 on the same database). The corpus is imported and clustered (k=5) into a fresh
 * PostgreSQL database, dropped at the end; the servers run as child processes and autocannon
 * drives them from this process, over loopback only.
 *
 * Two workloads (scripts/bench/workload.ts), by default both, one after the other:
 * - narrow: the first page of each of the 5 topic feeds, 12 articles, 8 search terms; every
 *   connection walks the list from its start, as this benchmark always has. Our server
 *   coalesces identical queries in flight, so at 10 and 50 connections most requests share
 *   another's execution. Servers: ours (response cache off), floor, PostGraphile.
 * - wide: what client apps ask for. Every topic of the current run in both orders (RELEVANCE,
 *   NEWEST), in pages of 10 and of 20 walked with our cursors to the end before the load
 *   (>= 500 distinct pages), 200 articles, 200 search terms (frequent title words, each
 *   matching an article); each connection starts at its own place in the list, and a measured
 *   run carries on where its warm-up stopped (no page asked twice within the cache's lifetime
 *   just because the warm-up began where the run begins). The floor and PostGraphile get the
 *   same pages by position (`offset`, `first`); PostGraphile sorts NEWEST on a computed column
 *   the benchmark adds (scripts/bench/peer-search.ts). Servers: ours (cache off), ours+cache
 *   (the response cache at its default settings), floor, PostGraphile.
 *
 * The cache setting is explicit per server, whatever the shell holds: "ours" runs with
 * RESPONSE_CACHE_TTL_MS=0, "ours+cache" with RESPONSE_CACHE_TTL_MS and RESPONSE_CACHE_MAX_BYTES
 * empty (the defaults of src/config.ts), both without API_TOKEN so that GET /metrics is open.
 * By hand, the same as:
 *   RESPONSE_CACHE_TTL_MS=0 API_TOKEN= DATABASE_URL=... NODE_ENV=production npm start      (ours)
 *   RESPONSE_CACHE_TTL_MS= API_TOKEN= DATABASE_URL=... NODE_ENV=production npm start       (ours+cache)
 *
 * All servers' answers are compared once, for every request of a workload, before its load
 * (same titles in the same order); each run then checks a sample of requests, warms up, and is
 * measured. Around each measured run of our servers the benchmark reads GET /metrics: the
 * response cache's hits and misses over the run (its hit rate, ours+cache) and, after the run,
 * RSS and V8 heap; during the run it polls VmRSS (/proc, every 200 ms) and the heap (/metrics,
 * every second) for their peaks. Memory is reported at 50 connections (or the most given).
 *
 * Targets, for ours (cache off) on both workloads and for ours+cache on wide: each read at
 * least 1.2x PostGraphile's req/s at 1 and 10 connections; the topic feed at least 40% of the
 * floor's req/s at 10; p99 under 50 ms at 10; no error at 50. With the defaults the whole
 * benchmark takes about 12 minutes (63 runs of warm-up + measure, plus the set-up).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { DEFAULT_CORPUS } from './bench/corpus.js';
import { type LoadRequest, type LoadResult, runLoad } from './bench/load.js';
import { positiveNumber } from './bench/options.js';
import { peerSearchFunctionSql } from './bench/peer-search.js';
import { adminUrl, checkReachable, createDatabase, dropDatabase } from './bench/postgres-admin.js';
import { importAndCluster } from './bench/prepare.js';
import { fixed, machineDescription, passFail, table } from './bench/report.js';
import { type MemoryDuringRun, readMetrics, type ServerMetrics, watchMemory } from './bench/server-metrics.js';
import {
  cleanUpOnExit,
  freePort,
  PROJECT_ROOT,
  type ServerProcess,
  startServer,
  stopAllServers,
  waitUntilReady,
} from './bench/server-process.js';
import {
  type Fixtures,
  loadFixtures,
  loadWideFixtures,
  OPERATION_NAMES,
  OPERATIONS,
  type Operation,
  requestsFor,
  type ServerKind,
  titlesIn,
  WORKLOADS,
  type Workload,
} from './bench/workload.js';

/** A server under test; ours runs twice, with the response cache off and on. */
type Contender = 'ours' | 'oursCache' | 'floor' | 'peer';
const NAMES: Record<Contender, string> = { ours: 'ours', oursCache: 'ours+cache', floor: 'floor', peer: 'PostGraphile' };
/** The requests each one understands. */
const DIALECT: Record<Contender, ServerKind> = { ours: 'ours', oursCache: 'ours', floor: 'floor', peer: 'peer' };
const CONTENDERS: Record<Workload, Contender[]> = {
  narrow: ['ours', 'floor', 'peer'],
  wide: ['ours', 'oursCache', 'floor', 'peer'],
};
const OURS: Contender[] = ['ours', 'oursCache'];
const CLUSTERS = 5;
const MIN_WIDE_FEED_PAGES = 500;
/** Requests checked before each run (all of them once per workload, before the first run). */
const CHECKED_PER_RUN = 12;
const VERIFY_CONCURRENCY = 4;

/** The product's targets (issue 12), printed next to the figures. */
const TARGETS = {
  /** Each read's req/s at least this multiple of PostGraphile's ... */
  peerMultiple: 1.2,
  /** ... at these connections. */
  peerConnections: [1, 10],
  topicFeedShareOfFloor: 0.4,
  targetConnections: 10,
  p99Ms: 50,
  zeroErrorConnections: 50,
};

function parseOptions() {
  const { values } = parseArgs({
    options: {
      file: { type: 'string', default: DEFAULT_CORPUS },
      duration: { type: 'string', default: '8' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '1,10,50' },
      workload: { type: 'string', default: WORKLOADS.join(',') },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(
      'usage: npm run bench:api [-- --file corpus.jsonl] [--duration SECONDS] [--warmup SECONDS] [--connections 1,10,50] ' +
        '[--workload narrow,wide]',
    );
    process.exit(0);
  }
  const workloads = values.workload.split(',').map((value) => value.trim());
  for (const workload of workloads) {
    if (!WORKLOADS.includes(workload as Workload)) {
      throw new Error(`--workload takes ${WORKLOADS.join(', ')} (comma-separated), got "${workload}"`);
    }
  }
  return {
    file: values.file,
    durationSeconds: positiveNumber('--duration', values.duration),
    warmupSeconds: positiveNumber('--warmup', values.warmup),
    connections: values.connections.split(',').map((value) => Math.round(positiveNumber('--connections', value.trim()))),
    workloads: WORKLOADS.filter((workload) => workloads.includes(workload)),
  };
}

/** What `npm start` passes to node (package.json's start script: flags, then the build's entry). */
const startArgs = (() => {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    scripts: { start: string };
  };
  const [command, ...args] = manifest.scripts.start.split(/\s+/);
  if (command !== 'node')
    throw new Error(`the start script runs ${command}, not node: the benchmark cannot start it as npm does`);
  return args;
})();

function peerVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../node_modules/postgraphile/package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/**
 * One POST to /graphql. A failure to connect is tried once more: an idle keep-alive connection
 * the server closes just as the request goes out fails without the server being at fault.
 */
async function post(server: ServerProcess, body: string): Promise<{ status: number; text: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(`${server.origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      return { status: response.status, text: await response.text() };
    } catch (error) {
      const exited = server.child.exitCode !== null || server.child.signalCode !== null;
      if (attempt < 2 && !exited) continue;
      const output = exited ? `; it exited, printing:\n${server.output()}` : '';
      throw new Error(`${server.name} did not answer (${(error as Error).message}${output})`, { cause: error });
    }
  }
}

/** At most `count` of the requests, spread evenly over the list. */
function sampleOf(requests: LoadRequest[], count: number): LoadRequest[] {
  if (requests.length <= count) return requests;
  return Array.from({ length: count }, (_, i) => requests[Math.floor((i * requests.length) / count)]);
}

/** Sends each request body once (a few at a time) and checks each answer; returns the answers in order. */
async function verify(
  contender: Contender,
  server: ServerProcess,
  operation: Operation,
  requests: LoadRequest[],
): Promise<string[]> {
  const answers: string[] = new Array(requests.length);
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const index = next++;
      const request = requests[index];
      const { status, text } = await post(server, request.body);
      if (status !== 200 || !request.check(text)) {
        throw new Error(
          `${NAMES[contender]} answered ${OPERATION_NAMES[operation]} wrongly (HTTP ${status}):\n` +
            `request: ${request.body}\nresponse: ${text.slice(0, 2_000)}`,
        );
      }
      answers[index] = text;
    }
  };
  await Promise.all(Array.from({ length: VERIFY_CONCURRENCY }, worker));
  return answers;
}

/** All servers should return the same articles as ours; a difference is printed, not hidden. */
function compareAnswers(operation: Operation, answers: Partial<Record<Contender, string[]>>): string[] {
  const notes: string[] = [];
  const ours = (answers.ours ?? []).map(titlesIn);
  for (const other of ['oursCache', 'floor', 'peer'] as const) {
    const theirAnswers = answers[other];
    if (!theirAnswers) continue;
    const differing: string[] = [];
    for (let i = 0; i < ours.length; i++) {
      const theirs = titlesIn(theirAnswers[i]);
      if (JSON.stringify(ours[i]) !== JSON.stringify(theirs)) {
        differing.push(
          `#${i + 1}: ours returned ${ours[i].length} titles, ${NAMES[other]} ${theirs.length}` +
            (ours[i].length === theirs.length ? ' (same count, different titles or order)' : ''),
        );
      }
    }
    if (differing.length > 0) {
      notes.push(
        `${OPERATION_NAMES[operation]}: ${NAMES[other]} differs from ours in ${differing.length} of ${ours.length} requests: ` +
          differing.slice(0, 3).join('; ') +
          (differing.length > 3 ? '; ...' : ''),
      );
    }
  }
  return notes;
}

interface Measurement {
  workload: Workload;
  server: Contender;
  operation: Operation;
  connections: number;
  result: LoadResult;
  /** Our servers: /metrics before and after the measured window. */
  metricsBefore?: ServerMetrics;
  metricsAfter?: ServerMetrics;
  /** Our servers: peaks during the measured window. */
  memory?: MemoryDuringRun;
}

const mib = (bytes: number | null | undefined) => (bytes === null || bytes === undefined ? '-' : fixed(bytes / 2 ** 20, 0));

function cacheCounts(m: Measurement): { hits: number; misses: number } | undefined {
  if (!m.metricsBefore || !m.metricsAfter) return undefined;
  return {
    hits: m.metricsAfter.cacheHits - m.metricsBefore.cacheHits,
    misses: m.metricsAfter.cacheMisses - m.metricsBefore.cacheMisses,
  };
}

function hitRate(counts: { hits: number; misses: number }): string {
  const total = counts.hits + counts.misses;
  return total === 0 ? '-' : `${fixed((100 * counts.hits) / total, 1)}%`;
}

async function main(): Promise<void> {
  const options = parseOptions();
  const admin = adminUrl();
  const started = performance.now();
  console.log(`machine: ${machineDescription()}`);
  const postgresVersion = await checkReachable(admin);
  console.log(`PostgreSQL ${postgresVersion} at ${new URL(admin).host}`);
  console.log(
    `peer: PostGraphile ${peerVersion()} (Amber preset; it declares Node >= 22 and runs here with a Promise.withResolvers stand-in)`,
  );
  console.log(
    `each run: ${options.warmupSeconds} s warm-up, then ${options.durationSeconds} s measured; ` +
      `connections ${options.connections.join(', ')}; workloads ${options.workloads.join(', ')}; corpus ${options.file}`,
  );

  const databaseName = `news_bench_${process.pid}`;
  const cleanup = cleanUpOnExit(async () => {
    await stopAllServers();
    await dropDatabase(admin, databaseName);
  });
  try {
    const databaseUrl = await createDatabase(admin, databaseName);
    console.log(`\ndatabase ${databaseName}: importing and clustering (k=${CLUSTERS}) with the project's jobs`);
    const prepared = await importAndCluster({
      databaseUrl,
      corpusFile: options.file,
      k: CLUSTERS,
      log: (line) => console.log(line),
    });
    console.log(`clustering took ${prepared.clusterSeconds.toFixed(1)} s`);
    const setup = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    await setup.unsafe(peerSearchFunctionSql);
    await setup.unsafe('analyze');
    await setup.end();

    // The build under dist/ from this tree's sources, so that what is measured is what is here.
    console.log('npm run build');
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
    const environment = { DATABASE_URL: databaseUrl, NODE_ENV: 'production', GRAPHILE_ENV: 'production' };
    // Explicit, whatever the shell holds: off for "ours", the defaults for "ours+cache"; no token, so /metrics is open.
    const ourEnvironment = (cache: boolean) => ({
      ...environment,
      RESPONSE_CACHE_TTL_MS: cache ? '' : '0',
      RESPONSE_CACHE_MAX_BYTES: '',
      API_TOKEN: '',
    });
    const used = new Set(options.workloads.flatMap((workload) => CONTENDERS[workload]));
    const servers: Partial<Record<Contender, ServerProcess>> = {};
    for (const contender of ['ours', 'oursCache', 'floor', 'peer'] as const) {
      if (!used.has(contender)) continue;
      servers[contender] = startServer({
        name: {
          ours: `ours (${startArgs.join(' ')}, RESPONSE_CACHE_TTL_MS=0)`,
          oursCache: `ours+cache (${startArgs.join(' ')}, response cache at its defaults)`,
          floor: 'floor',
          peer: 'PostGraphile',
        }[contender],
        // Ours as `npm start` runs it: the build's JavaScript (rebuilt above), with its flags.
        nodeArgs: OURS.includes(contender)
          ? startArgs
          : ['--import', 'tsx', contender === 'floor' ? 'scripts/bench/floor-server.ts' : 'scripts/bench/peer-server.ts'],
        env: OURS.includes(contender) ? ourEnvironment(contender === 'oursCache') : environment,
        port: await freePort(),
      });
    }
    const serverOf = (contender: Contender) => servers[contender] as ServerProcess;
    for (const contender of used) {
      const seconds = await waitUntilReady(serverOf(contender));
      console.log(
        `${NAMES[contender]} ready (pid ${serverOf(contender).pid}, ${serverOf(contender).origin}) after ${seconds.toFixed(1)} s`,
      );
    }
    for (const contender of OURS.filter((kind) => used.has(kind))) await readMetrics(serverOf(contender).origin);

    const measurements: Measurement[] = [];
    for (const workload of options.workloads) {
      const contenders = CONTENDERS[workload];
      const fixtures: Fixtures =
        workload === 'narrow'
          ? await loadFixtures(databaseUrl)
          : await loadWideFixtures(databaseUrl, `${serverOf('ours').origin}/graphql`);
      console.log(`\n== workload ${workload} ==`);
      if (workload === 'narrow') {
        console.log(
          `rotating over ${fixtures.topicIds.length} topic feeds (first 20), ${fixtures.articleIds.length} articles, ` +
            `${fixtures.searchTerms.length} search terms (${fixtures.searchTerms.join(', ')})`,
        );
      } else {
        const orders = ['RELEVANCE', 'NEWEST'].map(
          (order) => `${fixtures.feedPages.filter((page) => page.orderBy === order).length} ${order}`,
        );
        console.log(
          `${fixtures.feedPages.length} distinct feed pages (${fixtures.topicIds.length} topics; ${orders.join(', ')}; ` +
            `pages of 10 and 20), ${fixtures.articleIds.length} articles, ${fixtures.searchTerms.length} search terms ` +
            `(${fixtures.searchTerms.slice(0, 12).join(', ')}, ...); each connection starts at its own place in the lists`,
        );
        if (fixtures.datedArticles === 0) {
          console.log('note: no article of the corpus has a publication date: NEWEST is by article id, newest first');
        }
        if (fixtures.feedPages.length < MIN_WIDE_FEED_PAGES) {
          console.log(
            `note: fewer than ${MIN_WIDE_FEED_PAGES} feed pages: the corpus is too small for the issue's wide workload`,
          );
        }
      }

      const verifyStarted = performance.now();
      const mismatches: string[] = [];
      for (const operation of OPERATIONS) {
        const answers: Partial<Record<Contender, string[]>> = {};
        for (const contender of contenders) {
          answers[contender] = await verify(
            contender,
            serverOf(contender),
            operation,
            requestsFor(DIALECT[contender], operation, fixtures),
          );
        }
        mismatches.push(...compareAnswers(operation, answers));
      }
      const checked = OPERATIONS.reduce((sum, operation) => sum + requestsFor('ours', operation, fixtures).length, 0);
      console.log(
        mismatches.length === 0
          ? `the ${contenders.length} servers return the same articles for every one of the ${checked} requests ` +
              `(checked in ${((performance.now() - verifyStarted) / 1000).toFixed(1)} s)`
          : 'answers differ:',
      );
      for (const note of mismatches) console.log(`  ${note}`);

      console.log('');
      for (const operation of OPERATIONS) {
        for (const connections of options.connections) {
          for (const contender of contenders) {
            const server = serverOf(contender);
            const requests = requestsFor(DIALECT[contender], operation, fixtures);
            await verify(contender, server, operation, sampleOf(requests, CHECKED_PER_RUN));
            const load = {
              url: `${server.origin}/graphql`,
              requests,
              connections,
              stagger: workload === 'wide',
            };
            const warm = await runLoad({ ...load, durationSeconds: options.warmupSeconds });
            // Wide: the measured run carries on where the warm-up stopped, rather than asking again,
            // within the cache's lifetime, for what the warm-up has just asked.
            const carryOn = workload === 'wide' ? Math.round(warm.responses / connections) % requests.length : 0;
            const measured = [...requests.slice(carryOn), ...requests.slice(0, carryOn)];
            const ours = OURS.includes(contender);
            const metricsBefore = ours ? await readMetrics(server.origin) : undefined;
            const watch = ours ? watchMemory(server.pid, server.origin) : undefined;
            const result = await runLoad({ ...load, requests: measured, durationSeconds: options.durationSeconds });
            const memory = await watch?.stop();
            const metricsAfter = ours ? await readMetrics(server.origin) : undefined;
            const measurement: Measurement = {
              workload,
              server: contender,
              operation,
              connections,
              result,
              metricsBefore,
              metricsAfter,
              memory,
            };
            measurements.push(measurement);
            const counts = cacheCounts(measurement);
            console.log(
              `${workload.padEnd(6)} ${OPERATION_NAMES[operation].padEnd(12)} ${NAMES[contender].padEnd(12)} ${String(connections).padStart(3)} conn: ` +
                `${fixed(result.requestsPerSecond, 0).padStart(6)} req/s  p50 ${fixed(result.p50Ms, 2)} ms  ` +
                `p99 ${fixed(result.p99Ms, 2)} ms  errors ${result.errors}` +
                (contender === 'oursCache' && counts ? `  cache hits ${hitRate(counts)}` : '') +
                (metricsAfter ? `  RSS ${mib(metricsAfter.rssBytes)} MiB (peak ${mib(memory?.peakRssBytes)})` : ''),
            );
          }
        }
      }
    }

    printReport(measurements, options.connections, options.workloads);
    console.log(`\ntotal time ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await cleanup();
  }
}

function find(
  measurements: Measurement[],
  workload: Workload,
  server: Contender,
  operation: Operation,
  connections: number,
): LoadResult | undefined {
  return measurements.find(
    (m) => m.workload === workload && m.server === server && m.operation === operation && m.connections === connections,
  )?.result;
}

const WORKLOAD_TITLES: Record<Workload, string> = {
  narrow: 'narrow workload (5 feeds, 12 articles, 8 search terms)',
  wide: 'wide workload (every feed page in both orders, 200 articles, 200 search terms)',
};

function printReport(measurements: Measurement[], connectionLevels: number[], workloads: Workload[]): void {
  const memoryConnections = connectionLevels.includes(TARGETS.zeroErrorConnections)
    ? TARGETS.zeroErrorConnections
    : Math.max(...connectionLevels);
  const summary: string[] = [];
  for (const workload of workloads) {
    const runs = measurements.filter((m) => m.workload === workload);
    console.log(`\n===== Results: ${WORKLOAD_TITLES[workload]} =====`);
    console.log(
      '\nrequests/s over the measured window; latency per request, ms; errors = non-2xx + socket errors + bad bodies\n',
    );
    console.log(
      table(
        ['operation', 'server', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'requests', 'errors'],
        runs.map((m) => [
          OPERATION_NAMES[m.operation],
          NAMES[m.server],
          String(m.connections),
          fixed(m.result.requestsPerSecond, 0),
          fixed(m.result.p50Ms, 2),
          fixed(m.result.p99Ms, 2),
          fixed(m.result.maxMs, 1),
          String(m.result.responses),
          m.result.errors === 0
            ? '0'
            : `${m.result.errors} (${m.result.non2xx} non-2xx, ${m.result.socketErrors} socket, ${m.result.badBodies} body)`,
        ]),
        2,
      ),
    );

    const withCache = CONTENDERS[workload].includes('oursCache');
    console.log('\nRatios of requests/s\n');
    const ratioRows: string[][] = [];
    const ratio = (a: LoadResult | undefined, b: LoadResult | undefined, percent: boolean) =>
      !a || !b
        ? '-'
        : percent
          ? `${fixed((100 * a.requestsPerSecond) / b.requestsPerSecond, 0)}%`
          : `${fixed(a.requestsPerSecond / b.requestsPerSecond, 2)}x`;
    for (const operation of OPERATIONS) {
      for (const connections of connectionLevels) {
        const get = (server: Contender) => find(measurements, workload, server, operation, connections);
        const row = [
          OPERATION_NAMES[operation],
          String(connections),
          ratio(get('ours'), get('floor'), true),
          ratio(get('ours'), get('peer'), false),
        ];
        if (withCache) row.push(ratio(get('oursCache'), get('floor'), true), ratio(get('oursCache'), get('peer'), false));
        ratioRows.push(row);
      }
    }
    const ratioHeader = ['operation', 'conns', 'ours/floor', 'ours/PostGraphile'];
    if (withCache) ratioHeader.push('ours+cache/floor', 'ours+cache/PostGraphile');
    console.log(table(ratioHeader, ratioRows, 2));

    if (withCache) {
      console.log('\nResponse cache of ours+cache over each measured run (GET /metrics before and after)\n');
      const cacheRows = runs
        .filter((m) => m.server === 'oursCache')
        .map((m) => {
          const counts = cacheCounts(m);
          return [
            OPERATION_NAMES[m.operation],
            String(m.connections),
            counts ? String(counts.hits) : '-',
            counts ? String(counts.misses) : '-',
            counts ? hitRate(counts) : '-',
            String(m.result.responses),
          ];
        });
      console.log(table(['operation', 'conns', 'hits', 'misses', 'hit rate', 'requests'], cacheRows, 2));
    }
    const leaks = runs.filter((m) => m.server === 'ours' && (cacheCounts(m)?.hits ?? 0) > 0);
    for (const m of leaks) {
      console.log(
        `note: ours (cache off) counted ${cacheCounts(m)?.hits} cache hits on ${OPERATION_NAMES[m.operation]} at ${m.connections} connections`,
      );
    }

    console.log(
      `\nMemory of our servers at ${memoryConnections} connections (MiB; after: GET /metrics right after the run; ` +
        'peak RSS: /proc every 200 ms; peak heap: /metrics every second)\n',
    );
    const memoryRows = runs
      .filter((m) => OURS.includes(m.server) && m.connections === memoryConnections)
      .map((m) => [
        OPERATION_NAMES[m.operation],
        NAMES[m.server],
        mib(m.metricsAfter?.rssBytes),
        mib(m.memory?.peakRssBytes),
        mib(m.metricsAfter?.heapUsedBytes),
        mib(m.memory?.peakHeapUsedBytes),
        mib(m.metricsAfter?.heapTotalBytes),
      ]);
    console.log(
      table(
        ['operation', 'server', 'RSS after', 'RSS peak', 'heap used after', 'heap used peak', 'heap total after'],
        memoryRows,
        2,
      ),
    );

    for (const contender of OURS.filter((kind) => CONTENDERS[workload].includes(kind))) {
      console.log(`\nTargets (${NAMES[contender]}, ${workload} workload)\n`);
      const outcomes = printTargets(measurements, workload, contender);
      const passed = outcomes.filter(Boolean).length;
      summary.push(`${workload.padEnd(6)} ${NAMES[contender].padEnd(10)} ${passed} of ${outcomes.length} targets pass`);
    }
    const otherErrors = runs.filter(
      (m) => m.result.errors > 0 && !(OURS.includes(m.server) && m.connections === TARGETS.zeroErrorConnections),
    );
    for (const m of otherErrors) {
      console.log(
        `note: ${NAMES[m.server]} ${OPERATION_NAMES[m.operation]} at ${m.connections} connections had ${m.result.errors} errors`,
      );
    }
  }
  if (summary.length > 0) console.log(`\nTargets in all\n\n${summary.join('\n')}`);
}

/** Prints the targets' PASS/FAIL lines for one of our servers on one workload; returns each outcome. */
function printTargets(measurements: Measurement[], workload: Workload, contender: Contender): boolean[] {
  const outcomes: boolean[] = [];
  const line = (ok: boolean, text: string) => {
    outcomes.push(ok);
    console.log(`${passFail(ok)}  ${text}`);
  };
  const get = (server: Contender, operation: Operation, connections: number) =>
    find(measurements, workload, server, operation, connections);
  for (const operation of OPERATIONS) {
    for (const connections of TARGETS.peerConnections) {
      const ours = get(contender, operation, connections);
      const peer = get('peer', operation, connections);
      if (!ours || !peer) {
        console.log(`(no run at ${connections} connections: ${OPERATION_NAMES[operation]} vs PostGraphile not measured)`);
        continue;
      }
      const multiple = ours.requestsPerSecond / peer.requestsPerSecond;
      line(
        multiple >= TARGETS.peerMultiple,
        `${OPERATION_NAMES[operation]} at ${connections} connections >= ${TARGETS.peerMultiple}x PostGraphile's req/s: ` +
          `${fixed(multiple, 2)}x (${fixed(ours.requestsPerSecond, 0)} vs ${fixed(peer.requestsPerSecond, 0)})`,
      );
    }
  }
  const at = TARGETS.targetConnections;
  const feed = get(contender, 'topicFeed', at);
  const floor = get('floor', 'topicFeed', at);
  if (feed && floor) {
    const share = feed.requestsPerSecond / floor.requestsPerSecond;
    line(
      share >= TARGETS.topicFeedShareOfFloor,
      `topic feed at ${at} connections >= ${TARGETS.topicFeedShareOfFloor * 100}% of the floor's req/s: ` +
        `${fixed(share * 100, 0)}% (${fixed(feed.requestsPerSecond, 0)} vs ${fixed(floor.requestsPerSecond, 0)})`,
    );
  } else {
    console.log(`(no run at ${at} connections: the share of the floor was not measured)`);
  }
  for (const operation of OPERATIONS) {
    const result = get(contender, operation, at);
    if (!result) continue;
    line(
      result.p99Ms < TARGETS.p99Ms,
      `${OPERATION_NAMES[operation]} p99 < ${TARGETS.p99Ms} ms at ${at} connections: ${fixed(result.p99Ms, 2)} ms`,
    );
  }
  const heavy = TARGETS.zeroErrorConnections;
  const heavyRuns = measurements.filter((m) => m.workload === workload && m.server === contender && m.connections === heavy);
  if (heavyRuns.length > 0) {
    const errors = heavyRuns.reduce((sum, m) => sum + m.result.errors, 0);
    const requests = heavyRuns.reduce((sum, m) => sum + m.result.responses, 0);
    line(errors === 0, `zero errors at ${heavy} connections: ${errors} errors in ${requests} requests`);
  } else {
    console.log(`(no run at ${heavy} connections: the zero-error target was not measured)`);
  }
  return outcomes;
}

main().catch((error: unknown) => {
  const cause = (error as Error).cause as Error | undefined;
  console.error(`bench:api failed: ${(error as Error).message}${cause ? ` (${cause.message})` : ''}`);
  process.exitCode = 1;
});
