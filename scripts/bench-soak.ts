/**
 * npm run bench:soak [-- --duration 3m] [--file corpus.jsonl] [--subset 1500] [--connections 10]
 *                       [--batch 500] [--cluster-with api|command]
 *
 * A few minutes of steady mixed reads (topic feeds, article pages, searches) against our server,
 * on a fresh PostgreSQL database holding the first articles of the corpus, clustered. Mid-way an
 * operator imports the rest through `importArticles` and starts a clustering run through
 * `startClusteringRun` (or, with --cluster-with command, `npm run cluster` beside the server). It
 * checks that no request fails, reports latency per phase and the server's memory (RSS from
 * /proc, V8 heap from a probe loaded into the server), and exits non-zero when a target is missed.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { type ArticleInputValue, DEFAULT_CORPUS, toArticleInputs } from './bench/corpus.js';
import { percentile, sortedLatencies } from './bench/load.js';
import type { MemoryReport } from './bench/memory-probe.js';
import { positiveInteger } from './bench/options.js';
import { adminUrl, checkReachable, createDatabase, dropDatabase } from './bench/postgres-admin.js';
import { importAndCluster } from './bench/prepare.js';
import { fixed, machineDescription, passFail, table } from './bench/report.js';
import { residentBytes } from './bench/resident-memory.js';
import {
  cleanUpOnExit,
  freePort,
  PROJECT_ROOT,
  type ServerProcess,
  startServer,
  stopAllServers,
  waitUntilReady,
} from './bench/server-process.js';
import { checkBody, type Fixtures, loadFixtures, OPERATION_NAMES, type Operation, requestsFor } from './bench/workload.js';

const TARGETS = { failedRequests: 0, memoryGrowthPercent: 20 };
const CLUSTERS = 5;
/** importArticles takes at most this many articles a request. */
const MAX_IMPORT_BATCH = 1_000;
/** RSS is also reported as medians over windows of this many seconds, not single samples. */
const MEMORY_WINDOW_S = 10;
/** The quiet phase after the clustering run lasts at least this long. */
const MIN_AFTER_PHASE_S = 15;
/** However long the clustering run takes, the load stops this long after the planned end. */
const OVERRUN_LIMIT_S = 120;

type Phase = 'warm-up' | 'steady' | 'import' | 'clustering' | 'after';
const PHASES: Phase[] = ['warm-up', 'steady', 'import', 'clustering', 'after'];

function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|min)?$/.exec(value.trim());
  if (!match) throw new Error(`--duration takes seconds or minutes, e.g. 180, 180s or 3m; got "${value}"`);
  const seconds = Number(match[1]) * (match[2] === 'm' || match[2] === 'min' ? 60 : 1);
  if (seconds < 60) throw new Error('--duration must be at least 60 s (warm-up, import, clustering and a quiet phase)');
  return seconds;
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      file: { type: 'string', default: DEFAULT_CORPUS },
      duration: { type: 'string', default: '3m' },
      subset: { type: 'string', default: '1500' },
      connections: { type: 'string', default: '10' },
      batch: { type: 'string', default: '500' },
      'cluster-with': { type: 'string', default: 'api' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(
      'usage: npm run bench:soak [-- --duration 3m] [--file corpus.jsonl] [--subset 1500] [--connections 10] [--batch 500] ' +
        '[--cluster-with api|command]',
    );
    process.exit(0);
  }
  const batch = positiveInteger('--batch', values.batch);
  const clusterWith = values['cluster-with'];
  if (clusterWith !== 'api' && clusterWith !== 'command') throw new Error('--cluster-with takes api or command');
  if (batch > MAX_IMPORT_BATCH) throw new Error(`--batch must be at most ${MAX_IMPORT_BATCH} (the importArticles limit)`);
  return {
    file: values.file,
    durationSeconds: parseDuration(values.duration),
    subset: positiveInteger('--subset', values.subset),
    connections: positiveInteger('--connections', values.connections),
    batch,
    /** api: startClusteringRun (the default, what the soak is for); command: `npm run cluster` beside the server. */
    clusterWith: clusterWith as 'api' | 'command',
  };
}

interface GraphQLAnswer<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function graphql<T>(server: ServerProcess, token: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(`${server.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(120_000),
  });
  const answer = (await response.json()) as GraphQLAnswer<T>;
  if (answer.errors?.length || !answer.data) {
    throw new Error(`HTTP ${response.status}: ${answer.errors?.map((error) => error.message).join('; ') ?? 'no data'}`);
  }
  return answer.data;
}

interface RunOutcome {
  status: string;
  error: string;
}

/** What an operator does through the API: startClusteringRun, then poll the run until it ends. */
async function clusterThroughApi(server: ServerProcess, token: string, withinTime: () => boolean): Promise<RunOutcome> {
  const data = await graphql<{ startClusteringRun: { id: string; status: string } }>(
    server,
    token,
    'mutation Cluster($k: Int) { startClusteringRun(k: $k) { id status } }',
    { k: CLUSTERS },
  );
  let status = data.startClusteringRun.status;
  let error: string | null = null;
  while (status === 'RUNNING' && withinTime()) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const polled = await graphql<{ node: { status: string; error: string | null } | null }>(
      server,
      token,
      'query Run($id: ID!) { node(id: $id) { ... on ClusteringRun { status error } } }',
      { id: data.startClusteringRun.id },
    );
    status = polled.node?.status ?? 'VANISHED';
    error = polled.node?.error ?? null;
  }
  return { status, error: error ?? '' };
}

/**
 * The operator command (`npm run cluster`) in its own process against the live server's
 * database, the other way a run is made; the server then serves the new run.
 */
async function clusterThroughCommand(server: ServerProcess, databaseUrl: string): Promise<RunOutcome> {
  const command = spawn(process.execPath, ['--import', 'tsx', 'scripts/cluster.ts', '--k', String(CLUSTERS)], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  command.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const code = await new Promise<number | null>((resolve) => command.once('exit', resolve));
  if (code !== 0) return { status: 'FAILED', error: `npm run cluster exited ${code}: ${stderr.trim().slice(-500)}` };
  const response = await fetch(`${server.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ currentClusteringRun { status articleCount } }' }),
  });
  const answer = (await response.json()) as GraphQLAnswer<{ currentClusteringRun: { status: string } | null }>;
  return { status: answer.data?.currentClusteringRun?.status ?? 'NONE', error: answer.errors?.[0]?.message ?? '' };
}

interface MixedRequest {
  operation: Operation;
  body: string;
}

/** Topic feeds and article pages in turn, a search every third step: mostly cheap reads, some costly ones. */
function mixedRequests(fixtures: Fixtures): MixedRequest[] {
  const feeds = requestsFor('ours', 'topicFeed', fixtures);
  const pages = requestsFor('ours', 'articlePage', fixtures);
  const searches = requestsFor('ours', 'search', fixtures);
  const mix: MixedRequest[] = [];
  const steps = Math.max(feeds.length, pages.length, searches.length) * 3;
  for (let i = 0; i < steps; i++) {
    mix.push({ operation: 'topicFeed', body: feeds[i % feeds.length].body });
    mix.push({ operation: 'articlePage', body: pages[i % pages.length].body });
    if (i % 3 === 2) mix.push({ operation: 'search', body: searches[i % searches.length].body });
  }
  return mix;
}

interface PhaseStats {
  latencies: number[];
  byOperation: Record<Operation, number>;
  non2xx: number;
  badBodies: number;
  socketErrors: number;
  firstAt: number;
  lastAt: number;
}

interface MemorySample {
  atS: number;
  phase: Phase;
  rss: number | null;
  heapUsed: number | null;
}

/** Memory right after a full collection, which the probe runs on request. */
interface GcSample {
  phase: Phase | 'end';
  report: MemoryReport;
  /** VmRSS read right after the collection. */
  rss: number | null;
}

const MB = 2 ** 20;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const options = parseOptions();
  const admin = adminUrl();
  const started = performance.now();
  console.log(`machine: ${machineDescription()}`);
  const postgresVersion = await checkReachable(admin);
  console.log(`PostgreSQL ${postgresVersion} at ${new URL(admin).host}`);
  console.log(
    `soak: ${options.durationSeconds} s of mixed reads at ${options.connections} connections; ` +
      `first ${options.subset} articles of ${options.file} clustered before, the rest imported during the load, then ` +
      (options.clusterWith === 'api'
        ? 'a clustering run through startClusteringRun'
        : 'a clustering run through `npm run cluster`'),
  );

  const databaseName = `news_bench_soak_${process.pid}`;
  const cleanup = cleanUpOnExit(async () => {
    await stopAllServers();
    await dropDatabase(admin, databaseName);
  });
  let failed = false;
  try {
    const databaseUrl = await createDatabase(admin, databaseName);
    const prepared = await importAndCluster({
      databaseUrl,
      corpusFile: options.file,
      limit: options.subset,
      k: CLUSTERS,
      log: (line) => console.log(line),
    });
    const remaining: ArticleInputValue[] = toArticleInputs(prepared.remaining);
    if (remaining.length === 0)
      throw new Error(`the corpus has no articles beyond the first ${options.subset} to import during the load`);
    let fixtures = await loadFixtures(databaseUrl);

    const token = randomBytes(24).toString('hex');
    const server = startServer({
      name: 'ours (src/server.ts)',
      nodeArgs: ['--expose-gc', '--import', 'tsx', 'scripts/bench/probed-server.ts'],
      env: { DATABASE_URL: databaseUrl, NODE_ENV: 'production', API_TOKEN: token },
      port: await freePort(),
      ipc: true,
    });
    await waitUntilReady(server);
    console.log(`server ready (pid ${server.pid}, ${server.origin})`);

    // Updated by the IPC listener; read by the sampler.
    const heap: { latest: MemoryReport | null } = { latest: null };
    const gcSamples: GcSample[] = [];
    let gcSampleLabel: Phase | 'end' | null = null;
    server.child.on('message', (message: MemoryReport) => {
      if (message?.kind !== 'memory') return;
      if (message.afterGc && gcSampleLabel) {
        gcSamples.push({ phase: gcSampleLabel, report: message, rss: residentBytes(server.pid) });
      } else heap.latest = message;
    });
    const gcSample = async (label: Phase | 'end') => {
      if (!server.child.connected) return;
      gcSampleLabel = label;
      const before = gcSamples.length;
      server.child.send('gc-sample', (error) => {
        if (error) console.log(`memory probe unreachable: ${error.message}`);
      });
      for (let i = 0; i < 50 && gcSamples.length === before; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    };

    // Verify one of each request before loading.
    for (const operation of ['topicFeed', 'articlePage', 'search'] as const) {
      for (const request of requestsFor('ours', operation, fixtures)) {
        const response = await fetch(`${server.origin}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: request.body,
        });
        const text = await response.text();
        if (response.status !== 200 || !request.check(text)) {
          throw new Error(`${OPERATION_NAMES[operation]} answered wrongly (HTTP ${response.status}): ${text.slice(0, 1_000)}`);
        }
      }
    }

    const duration = options.durationSeconds;
    const warmupEnd = Math.min(20, duration * 0.1);
    const importAt = duration * 0.35;
    let phase: Phase = 'warm-up';
    const loadStart = performance.now();
    const elapsed = () => (performance.now() - loadStart) / 1000;
    // A server that dies mid-load is a failure to report, with what it printed, not a crash here.
    let serverExit: string | null = null;
    const onServerExit = (code: number | null, signal: NodeJS.Signals | null) => {
      serverExit = `the server exited (${code ?? signal}) at ${fixed(elapsed(), 1)} s`;
      console.log(`${fixed(elapsed(), 1).padStart(6)} s  ${serverExit}`);
    };
    server.child.once('exit', onServerExit);
    const emptyStats = (): PhaseStats => ({
      latencies: [],
      byOperation: { topicFeed: 0, articlePage: 0, search: 0 },
      non2xx: 0,
      badBodies: 0,
      socketErrors: 0,
      firstAt: Number.NaN,
      lastAt: Number.NaN,
    });
    const stats: Record<Phase, PhaseStats> = {
      'warm-up': emptyStats(),
      steady: emptyStats(),
      import: emptyStats(),
      clustering: emptyStats(),
      after: emptyStats(),
    };
    const enter = (next: Phase) => {
      phase = next;
      stats[next].firstAt = elapsed();
      console.log(`${fixed(elapsed(), 1).padStart(6)} s  phase: ${next}`);
    };
    stats['warm-up'].firstAt = 0;

    let mix = mixedRequests(fixtures);
    let nextRequest = 0;
    interface RequestContext {
      operation?: Operation;
    }
    const memory: MemorySample[] = [];
    const sampler = setInterval(() => {
      memory.push({
        atS: elapsed(),
        phase,
        rss: residentBytes(server.pid),
        heapUsed: heap.latest?.heapUsed ?? null,
      });
    }, 1_000);

    let resolveDone: (result: autocannon.Result) => void = () => {};
    let rejectDone: (error: unknown) => void = () => {};
    const loadDone = new Promise<autocannon.Result>((resolve, reject) => {
      resolveDone = resolve;
      rejectDone = reject;
    });
    const instance = autocannon(
      {
        url: `${server.origin}/graphql`,
        method: 'POST',
        connections: options.connections,
        // Stopped by the schedule below; this is only an upper bound.
        duration: duration + OVERRUN_LIMIT_S + 30,
        headers: { 'content-type': 'application/json' },
        requests: [
          {
            setupRequest: (request, context) => {
              const next = mix[nextRequest++ % mix.length];
              (context as RequestContext).operation = next.operation;
              return { ...request, body: next.body };
            },
            onResponse: (status, body, context) => {
              const operation = (context as RequestContext).operation ?? 'topicFeed';
              stats[phase].byOperation[operation]++;
              if (status >= 200 && status < 300 && !checkBody('ours', operation, body)) {
                stats[phase].badBodies++;
                if (stats[phase].badBodies <= 3) console.log(`bad ${OPERATION_NAMES[operation]} answer: ${body.slice(0, 300)}`);
              }
            },
          },
        ],
      },
      (error: unknown, result: autocannon.Result) => (error ? rejectDone(error) : resolveDone(result)),
    );
    instance.on('response', (_client, status, _bytes, responseTime) => {
      const current = stats[phase];
      current.latencies.push(responseTime);
      current.lastAt = elapsed();
      if (status < 200 || status >= 300) current.non2xx++;
    });
    instance.on('reqError', () => {
      stats[phase].socketErrors++;
    });

    /** Waits until `seconds` into the load; false (at once) when the server has died. */
    const sleepUntil = async (seconds: number): Promise<boolean> => {
      while (serverExit === null && elapsed() < seconds) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(200, (seconds - elapsed()) * 1000)));
      }
      return serverExit === null;
    };

    const importOutcome = { sent: 0, created: 0, duplicates: 0, rejected: 0, seconds: 0, error: '' };
    let clusteringOutcome = { status: 'NOT STARTED', seconds: 0, error: '' };
    const schedule = async () => {
      if (!(await sleepUntil(warmupEnd))) return;
      enter('steady');
      await gcSample('steady');
      if (!(await sleepUntil(importAt))) return;

      enter('import');
      const importStart = elapsed();
      try {
        for (let start = 0; start < remaining.length; start += options.batch) {
          const batch = remaining.slice(start, start + options.batch);
          const data = await graphql<{ importArticles: { created: number; duplicates: number; rejected: number } }>(
            server,
            token,
            'mutation Import($input: [ArticleInput!]!) { importArticles(input: $input) { created duplicates rejected } }',
            { input: batch },
          );
          importOutcome.sent += batch.length;
          importOutcome.created += data.importArticles.created;
          importOutcome.duplicates += data.importArticles.duplicates;
          importOutcome.rejected += data.importArticles.rejected;
        }
      } catch (error) {
        importOutcome.error = (error as Error).message;
      }
      importOutcome.seconds = elapsed() - importStart;
      console.log(
        `         import: ${importOutcome.created} created, ${importOutcome.duplicates} duplicates, ` +
          `${importOutcome.rejected} rejected of ${importOutcome.sent} sent in ${fixed(importOutcome.seconds, 1)} s` +
          (importOutcome.error ? ` — failed: ${importOutcome.error}` : ''),
      );

      if (serverExit !== null) return;
      enter('clustering');
      const clusterStart = elapsed();
      try {
        const outcome =
          options.clusterWith === 'api'
            ? await clusterThroughApi(server, token, () => elapsed() < duration + OVERRUN_LIMIT_S)
            : await clusterThroughCommand(server, databaseUrl);
        clusteringOutcome = { ...outcome, seconds: elapsed() - clusterStart };
      } catch (error) {
        clusteringOutcome = { status: 'ERROR', seconds: elapsed() - clusterStart, error: (error as Error).message };
      }
      console.log(
        `         clustering run: ${clusteringOutcome.status} after ${fixed(clusteringOutcome.seconds, 1)} s` +
          (clusteringOutcome.error ? ` (${clusteringOutcome.error})` : ''),
      );

      if (serverExit !== null) return;
      enter('after');
      if (clusteringOutcome.status === 'SUCCEEDED') {
        // Readers move to the new run's topics, as a client reloading its topic list would.
        fixtures = await loadFixtures(databaseUrl);
        mix = mixedRequests(fixtures);
      }
      const end = Math.min(Math.max(duration, elapsed() + MIN_AFTER_PHASE_S), duration + OVERRUN_LIMIT_S);
      if (!(await sleepUntil(end - MEMORY_WINDOW_S / 2))) return;
      await gcSample('end');
      await sleepUntil(end);
    };
    try {
      await schedule();
    } finally {
      instance.stop();
      clearInterval(sampler);
    }
    const result = await loadDone;
    const loadSeconds = elapsed();
    // From here on the server is stopped on purpose.
    server.child.off('exit', onServerExit);

    failed = printSoakReport({
      stats,
      memory,
      gcSamples,
      warmupEnd,
      loadSeconds,
      result,
      importOutcome,
      clusteringOutcome,
      remaining: remaining.length,
      serverExit,
    });
    if (serverExit !== null) console.log(`\nwhat the server printed (end):\n${server.output().trimEnd()}`);
    console.log(`\ntotal time ${((performance.now() - started) / 1000).toFixed(0)} s (load ${fixed(loadSeconds, 0)} s)`);
  } finally {
    await cleanup();
  }
  if (failed) process.exitCode = 1;
}

interface SoakReport {
  stats: Record<Phase, PhaseStats>;
  memory: MemorySample[];
  gcSamples: GcSample[];
  warmupEnd: number;
  loadSeconds: number;
  result: autocannon.Result;
  importOutcome: { sent: number; created: number; duplicates: number; rejected: number; error: string };
  clusteringOutcome: { status: string; seconds: number; error: string };
  remaining: number;
  serverExit: string | null;
}

/** Prints the figures and targets; true when a target failed. */
function printSoakReport(report: SoakReport): boolean {
  const { stats, memory } = report;
  console.log('\nLatency per phase (ms)\n');
  const rows = PHASES.filter((name) => stats[name].latencies.length > 0).map((name) => {
    const current = stats[name];
    const sorted = sortedLatencies(current.latencies);
    const seconds = current.lastAt - current.firstAt;
    const errors = current.non2xx + current.badBodies + current.socketErrors;
    return [
      name,
      fixed(seconds, 0),
      String(sorted.length),
      fixed(sorted.length / seconds, 0),
      fixed(percentile(sorted, 0.5), 2),
      fixed(percentile(sorted, 0.9), 2),
      fixed(percentile(sorted, 0.99), 2),
      fixed(sorted[sorted.length - 1], 1),
      `${current.byOperation.topicFeed}/${current.byOperation.articlePage}/${current.byOperation.search}`,
      String(errors),
    ];
  });
  console.log(table(['phase', 'secs', 'requests', 'req/s', 'p50', 'p90', 'p99', 'max', 'feed/page/search', 'failed'], rows));

  const totalRequests = PHASES.reduce((sum, name) => sum + stats[name].latencies.length, 0);
  const failedRequests = PHASES.reduce(
    (sum, name) => sum + stats[name].non2xx + stats[name].badBodies + stats[name].socketErrors,
    0,
  );
  const autocannonErrors = report.result.errors + report.result.non2xx;
  console.log(
    `\nrequests: ${totalRequests}, failed: ${failedRequests} ` +
      `(autocannon: ${report.result.non2xx} non-2xx, ${report.result.errors} socket errors incl. ${report.result.timeouts} timeouts)`,
  );

  console.log('\nServer memory (RSS from /proc/<pid>/status; heap from the preloaded probe)\n');
  const timeline = memory.filter((_sample, index) => index % 15 === 0 || index === memory.length - 1);
  console.log(
    table(
      ['t (s)', 'phase', 'RSS MB', 'heap MB'],
      timeline.map((sample) => [
        fixed(sample.atS, 0),
        sample.phase,
        sample.rss === null ? '-' : fixed(sample.rss / MB, 1),
        sample.heapUsed === null ? '-' : fixed(sample.heapUsed / MB, 1),
      ]),
      0,
    ),
  );
  const windowRss = (from: number, to: number) =>
    median(memory.filter((s) => s.atS >= from && s.atS < to && s.rss !== null).map((s) => s.rss as number));
  const rssPeak = Math.max(...memory.map((s) => s.rss ?? 0));
  console.log(
    `\nRSS, median of ${MEMORY_WINDOW_S} s windows: ${fixed(windowRss(report.warmupEnd, report.warmupEnd + MEMORY_WINDOW_S) / MB, 1)} MB ` +
      `after warm-up, ${fixed(windowRss(report.loadSeconds - MEMORY_WINDOW_S, report.loadSeconds + 1) / MB, 1)} MB at the end; ` +
      `peak ${fixed(rssPeak / MB, 1)} MB`,
  );
  // The target compares the two points right after a full collection: between collections the
  // RSS swings by tens of MB with the garbage not yet collected, which is noise, not growth.
  const afterWarmup = report.gcSamples.find((sample) => sample.phase === 'steady');
  const atEnd = report.gcSamples.find((sample) => sample.phase === 'end');
  let growth = Number.NaN;
  if (afterWarmup?.rss && atEnd?.rss) {
    growth = (100 * (atEnd.rss - afterWarmup.rss)) / afterWarmup.rss;
    const heapGrowth = (100 * (atEnd.report.heapUsed - afterWarmup.report.heapUsed)) / afterWarmup.report.heapUsed;
    console.log(
      `after a full GC: RSS ${fixed(afterWarmup.rss / MB, 1)} MB after warm-up, ${fixed(atEnd.rss / MB, 1)} MB at the end ` +
        `(${growth >= 0 ? '+' : ''}${fixed(growth, 1)}%); V8 heap used ${fixed(afterWarmup.report.heapUsed / MB, 1)} → ` +
        `${fixed(atEnd.report.heapUsed / MB, 1)} MB (${heapGrowth >= 0 ? '+' : ''}${fixed(heapGrowth, 1)}%); ` +
        `external ${fixed(afterWarmup.report.external / MB, 1)} → ${fixed(atEnd.report.external / MB, 1)} MB`,
    );
  } else {
    console.log('the memory probe did not answer: no post-GC figures');
  }

  const { importOutcome, clusteringOutcome } = report;
  const importComplete =
    !importOutcome.error &&
    importOutcome.sent === report.remaining &&
    importOutcome.rejected === 0 &&
    importOutcome.created + importOutcome.duplicates === importOutcome.sent;
  const checks: [boolean, string][] = [
    [report.serverExit === null, `the server stayed up: ${report.serverExit ?? 'yes'}`],
    [
      failedRequests === TARGETS.failedRequests && autocannonErrors === 0,
      `failed requests = 0: ${failedRequests} of ${totalRequests}`,
    ],
    [
      Number.isFinite(growth) && growth <= TARGETS.memoryGrowthPercent,
      `RSS growth from after warm-up to the end (after a full GC) <= ${TARGETS.memoryGrowthPercent}%: ` +
        (Number.isFinite(growth) ? `${fixed(growth, 1)}%` : 'not measured (the server did not last until the end)'),
    ],
    [
      importComplete,
      `importArticles stored the remaining ${report.remaining} articles: ${importOutcome.created} created, ` +
        `${importOutcome.duplicates} duplicates, ${importOutcome.rejected} rejected${importOutcome.error ? `, error: ${importOutcome.error}` : ''}`,
    ],
    [
      clusteringOutcome.status === 'SUCCEEDED',
      `clustering run during the load succeeded: ${clusteringOutcome.status} in ${fixed(clusteringOutcome.seconds, 1)} s` +
        (clusteringOutcome.error ? ` (${clusteringOutcome.error})` : ''),
    ],
  ];
  console.log('\nTargets\n');
  for (const [ok, text] of checks) console.log(`${passFail(ok)}  ${text}`);
  return checks.some(([ok]) => !ok);
}

main().catch((error: unknown) => {
  console.error(`bench:soak failed: ${(error as Error).message}`);
  process.exitCode = 1;
});
