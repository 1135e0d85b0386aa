/**
 * npm run bench:api [-- --file corpus.jsonl] [--duration 8] [--warmup 2] [--connections 1,10,50]
 *
 * Requests per second and latency of the GraphQL API for its three typical reads (a topic feed,
 * an article page, a search), next to a floor (hand-written SQL behind node:http) and a peer
 * (PostGraphile 5 on the same database). The corpus is imported and clustered (k=5) into a fresh
 * PostgreSQL database, dropped at the end; the servers run as child processes and autocannon
 * drives them from this process, over loopback only.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { DEFAULT_CORPUS } from './bench/corpus.js';
import { type LoadResult, runLoad } from './bench/load.js';
import { positiveNumber } from './bench/options.js';
import { peerSearchFunctionSql } from './bench/peer-search.js';
import { adminUrl, checkReachable, createDatabase, dropDatabase } from './bench/postgres-admin.js';
import { importAndCluster } from './bench/prepare.js';
import { fixed, machineDescription, passFail, table } from './bench/report.js';
import {
  cleanUpOnExit,
  freePort,
  type ServerProcess,
  startServer,
  stopAllServers,
  waitUntilReady,
} from './bench/server-process.js';
import {
  type Fixtures,
  loadFixtures,
  OPERATION_NAMES,
  OPERATIONS,
  type Operation,
  requestsFor,
  type ServerKind,
  titlesIn,
} from './bench/workload.js';

const SERVERS: ServerKind[] = ['ours', 'floor', 'peer'];
const SERVER_NAMES: Record<ServerKind, string> = { ours: 'ours', floor: 'floor', peer: 'PostGraphile' };
const CLUSTERS = 5;

/** The product's targets, printed next to the figures. */
const TARGETS = {
  topicFeedShareOfFloor: 0.6,
  topicFeedShareOfPeer: 1,
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
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(
      'usage: npm run bench:api [-- --file corpus.jsonl] [--duration SECONDS] [--warmup SECONDS] [--connections 1,10,50]',
    );
    process.exit(0);
  }
  return {
    file: values.file,
    durationSeconds: positiveNumber('--duration', values.duration),
    warmupSeconds: positiveNumber('--warmup', values.warmup),
    connections: values.connections.split(',').map((value) => Math.round(positiveNumber('--connections', value.trim()))),
  };
}

function peerVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../node_modules/postgraphile/package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

async function post(server: ServerProcess, body: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${server.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, text: await response.text() };
}

/** Sends every request body once and checks each answer; returns the answers. */
async function verify(kind: ServerKind, server: ServerProcess, operation: Operation, fixtures: Fixtures): Promise<string[]> {
  const answers: string[] = [];
  for (const request of requestsFor(kind, operation, fixtures)) {
    const { status, text } = await post(server, request.body);
    if (status !== 200 || !request.check(text)) {
      throw new Error(
        `${SERVER_NAMES[kind]} answered ${OPERATION_NAMES[operation]} wrongly (HTTP ${status}):\n` +
          `request: ${request.body}\nresponse: ${text.slice(0, 2_000)}`,
      );
    }
    answers.push(text);
  }
  return answers;
}

/** The three servers should return the same articles; a difference is printed, not hidden. */
function compareAnswers(operation: Operation, answers: Record<ServerKind, string[]>): string[] {
  const notes: string[] = [];
  for (let i = 0; i < answers.ours.length; i++) {
    const ours = titlesIn(answers.ours[i]);
    for (const other of ['floor', 'peer'] as const) {
      const theirs = titlesIn(answers[other][i]);
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
        notes.push(
          `${OPERATION_NAMES[operation]} #${i + 1}: ours returned ${ours.length} titles, ${SERVER_NAMES[other]} ${theirs.length}` +
            (ours.length === theirs.length ? ' (same count, different titles or order)' : ''),
        );
      }
    }
  }
  return notes;
}

interface Measurement {
  server: ServerKind;
  operation: Operation;
  connections: number;
  result: LoadResult;
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
      `connections ${options.connections.join(', ')}; corpus ${options.file}`,
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
    const fixtures = await loadFixtures(databaseUrl);
    console.log(
      `rotating over ${fixtures.topicIds.length} topics, ${fixtures.articleIds.length} articles, ` +
        `${fixtures.searchTerms.length} search terms (${fixtures.searchTerms.join(', ')})`,
    );

    const environment = { DATABASE_URL: databaseUrl, NODE_ENV: 'production', GRAPHILE_ENV: 'production' };
    const servers: Record<ServerKind, ServerProcess> = {
      ours: startServer({
        name: 'ours (src/server.ts)',
        nodeArgs: ['--import', 'tsx', 'src/server.ts'],
        env: environment,
        port: await freePort(),
      }),
      floor: startServer({
        name: 'floor',
        nodeArgs: ['--import', 'tsx', 'scripts/bench/floor-server.ts'],
        env: environment,
        port: await freePort(),
      }),
      peer: startServer({
        name: 'PostGraphile',
        nodeArgs: ['--import', 'tsx', 'scripts/bench/peer-server.ts'],
        env: environment,
        port: await freePort(),
      }),
    };
    for (const kind of SERVERS) {
      const seconds = await waitUntilReady(servers[kind]);
      console.log(
        `${SERVER_NAMES[kind]} ready (pid ${servers[kind].pid}, ${servers[kind].origin}) after ${seconds.toFixed(1)} s`,
      );
    }

    const mismatches: string[] = [];
    for (const operation of OPERATIONS) {
      const answers = {} as Record<ServerKind, string[]>;
      for (const kind of SERVERS) answers[kind] = await verify(kind, servers[kind], operation, fixtures);
      mismatches.push(...compareAnswers(operation, answers));
    }
    console.log(mismatches.length === 0 ? 'the three servers return the same articles for every request' : 'answers differ:');
    for (const note of mismatches) console.log(`  ${note}`);

    console.log('');
    const measurements: Measurement[] = [];
    for (const operation of OPERATIONS) {
      for (const connections of options.connections) {
        for (const kind of SERVERS) {
          const server = servers[kind];
          await verify(kind, server, operation, fixtures);
          const requests = requestsFor(kind, operation, fixtures);
          const url = `${server.origin}/graphql`;
          await runLoad({ url, requests, connections, durationSeconds: options.warmupSeconds });
          const result = await runLoad({ url, requests, connections, durationSeconds: options.durationSeconds });
          measurements.push({ server: kind, operation, connections, result });
          console.log(
            `${OPERATION_NAMES[operation].padEnd(12)} ${SERVER_NAMES[kind].padEnd(12)} ${String(connections).padStart(3)} conn: ` +
              `${fixed(result.requestsPerSecond, 0).padStart(6)} req/s  p50 ${fixed(result.p50Ms, 2)} ms  ` +
              `p99 ${fixed(result.p99Ms, 2)} ms  errors ${result.errors}`,
          );
        }
      }
    }

    printReport(measurements, options.connections);
    console.log(`\ntotal time ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await cleanup();
  }
}

function find(
  measurements: Measurement[],
  server: ServerKind,
  operation: Operation,
  connections: number,
): LoadResult | undefined {
  return measurements.find((m) => m.server === server && m.operation === operation && m.connections === connections)?.result;
}

function printReport(measurements: Measurement[], connectionLevels: number[]): void {
  console.log(
    '\nResults (requests/s over the measured window; latency per request, ms; errors = non-2xx + socket errors + bad bodies)\n',
  );
  console.log(
    table(
      ['operation', 'server', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'requests', 'errors'],
      measurements.map((m) => [
        OPERATION_NAMES[m.operation],
        SERVER_NAMES[m.server],
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

  console.log('\nRatios of requests/s\n');
  const ratioRows: string[][] = [];
  for (const operation of OPERATIONS) {
    for (const connections of connectionLevels) {
      const ours = find(measurements, 'ours', operation, connections);
      const floor = find(measurements, 'floor', operation, connections);
      const peer = find(measurements, 'peer', operation, connections);
      if (!ours || !floor || !peer) continue;
      ratioRows.push([
        OPERATION_NAMES[operation],
        String(connections),
        `${fixed((100 * ours.requestsPerSecond) / floor.requestsPerSecond, 0)}%`,
        `${fixed(ours.requestsPerSecond / peer.requestsPerSecond, 2)}x`,
      ]);
    }
  }
  console.log(table(['operation', 'conns', 'ours/floor', 'ours/PostGraphile'], ratioRows, 2));

  console.log('\nTargets (ours)\n');
  const at = TARGETS.targetConnections;
  const feedOurs = find(measurements, 'ours', 'topicFeed', at);
  const feedFloor = find(measurements, 'floor', 'topicFeed', at);
  const feedPeer = find(measurements, 'peer', 'topicFeed', at);
  if (feedOurs && feedFloor && feedPeer) {
    const share = feedOurs.requestsPerSecond / feedFloor.requestsPerSecond;
    console.log(
      `${passFail(share >= TARGETS.topicFeedShareOfFloor)}  topic feed at ${at} connections >= ${TARGETS.topicFeedShareOfFloor * 100}% of the floor's req/s: ` +
        `${fixed(share * 100, 0)}% (${fixed(feedOurs.requestsPerSecond, 0)} vs ${fixed(feedFloor.requestsPerSecond, 0)})`,
    );
    const versusPeer = feedOurs.requestsPerSecond / feedPeer.requestsPerSecond;
    console.log(
      `${passFail(versusPeer >= TARGETS.topicFeedShareOfPeer)}  topic feed at ${at} connections >= PostGraphile's req/s: ` +
        `${fixed(versusPeer, 2)}x (${fixed(feedOurs.requestsPerSecond, 0)} vs ${fixed(feedPeer.requestsPerSecond, 0)})`,
    );
  } else {
    console.log(`(no run at ${at} connections: the req/s targets were not measured)`);
  }
  for (const operation of OPERATIONS) {
    const result = find(measurements, 'ours', operation, at);
    if (!result) continue;
    console.log(
      `${passFail(result.p99Ms < TARGETS.p99Ms)}  ${OPERATION_NAMES[operation]} p99 < ${TARGETS.p99Ms} ms at ${at} connections: ${fixed(result.p99Ms, 2)} ms`,
    );
  }
  const heavy = TARGETS.zeroErrorConnections;
  const heavyRuns = measurements.filter((m) => m.server === 'ours' && m.connections === heavy);
  if (heavyRuns.length > 0) {
    const errors = heavyRuns.reduce((sum, m) => sum + m.result.errors, 0);
    const requests = heavyRuns.reduce((sum, m) => sum + m.result.responses, 0);
    console.log(`${passFail(errors === 0)}  zero errors at ${heavy} connections: ${errors} errors in ${requests} requests`);
  }
  const otherErrors = measurements.filter((m) => m.result.errors > 0 && !(m.server === 'ours' && m.connections === heavy));
  for (const m of otherErrors) {
    console.log(
      `note: ${SERVER_NAMES[m.server]} ${OPERATION_NAMES[m.operation]} at ${m.connections} connections had ${m.result.errors} errors`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(`bench:api failed: ${(error as Error).message}`);
  process.exitCode = 1;
});
