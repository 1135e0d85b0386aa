/**
 * npm run probe:outage [-- --root DIR] [--outage 20s] [--clients 10]
 *
 * What clients see while PostgreSQL goes away and comes back. A server (NODE_ENV=production, no
 * response cache, no automatic runs) reaches a fresh database through a TCP proxy; CLIENTS
 * clients send a topic feed query in a loop; the proxy is cut for OUTAGE (every connection
 * dropped, new ones refused), then restored. It prints how long requests took and what they got
 * back during the outage, and the p99 latency after the recovery, by half second, until it is
 * back to normal (at most twice the p99 before the outage, and under 100 ms more). `--root` runs
 * another checkout's server (e.g. /tmp/before) for a before/after comparison.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseDuration } from '../src/config.js';
import { startTcpProxy } from '../test/helpers/tcp-proxy.js';
import { adminUrl, checkReachable, createDatabase, dropDatabase } from './bench/postgres-admin.js';
import { cleanUpOnExit, freePort, PROJECT_ROOT, startServer, stopAllServers, waitUntilReady } from './bench/server-process.js';
import { commandOptions } from './command.js';

const USAGE = 'usage: npm run probe:outage [-- --root DIR] [--outage 20s] [--clients 10]';
const BEFORE_MS = 5_000;
const AFTER_MS = 10_000;
const BUCKET_MS = 500;
/** A request still unanswered after this long counts as hung (and is given up). */
const CLIENT_TIMEOUT_MS = 60_000;
const FEED_QUERY = `query ($slug: String!) {
  topic(slug: $slug) { label articles(first: 20) { totalCount edges { score node { title publishedAt source { name } } } } }
}`;

const values = commandOptions(USAGE, { root: { type: 'string' }, outage: { type: 'string' }, clients: { type: 'string' } });
const root = path.resolve(values.root ?? PROJECT_ROOT);
const outageMs = parseDuration('--outage', values.outage ?? '20s');
const clients = Number(values.clients ?? 10);

interface Sample {
  /** ms since the load started */
  start: number;
  latency: number;
  /** HTTP status, or 'hung' / the client's error. */
  outcome: string;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const ms = (value: number) => (Number.isNaN(value) ? '-' : `${Math.round(value)} ms`);

async function request(origin: string, slug: string, t0: number): Promise<Sample> {
  const start = performance.now();
  try {
    const response = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: FEED_QUERY, variables: { slug } }),
      signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
    });
    const body = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    const error = body.errors?.[0];
    const code = error ? (error.extensions?.code ?? `no code: ${error.message.slice(0, 40)}`) : 'ok';
    const retryAfter = response.headers.get('retry-after');
    return {
      start: start - t0,
      latency: performance.now() - start,
      outcome: `${response.status} ${code}${retryAfter ? ` (Retry-After: ${retryAfter})` : ''}`,
    };
  } catch (error) {
    const name = (error as Error).name === 'TimeoutError' ? 'hung' : (error as Error).message;
    return { start: start - t0, latency: performance.now() - start, outcome: name };
  }
}

function tally(samples: Sample[]): string {
  const counts = new Map<string, number>();
  for (const sample of samples) counts.set(sample.outcome, (counts.get(sample.outcome) ?? 0) + 1);
  return [...counts].map(([outcome, count]) => `${count} × ${outcome}`).join(', ');
}

const admin = adminUrl();
const name = `news_probe_outage_${process.pid}`;
const cleanup = cleanUpOnExit(async () => {
  await stopAllServers();
  await dropDatabase(admin, name);
});
await checkReachable(admin);
const direct = await createDatabase(admin, name);

// The corpus, through the checkout's own command (its migrations, import and first run).
await new Promise<void>((resolve, reject) => {
  const seed = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'scripts/seed.ts'), '--file', path.join(root, 'test/fixtures/bbc-200.jsonl')],
    {
      cwd: root,
      env: { ...process.env, DATABASE_URL: direct },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  seed.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seeding failed (exit ${code})`))));
});

const target = new URL(direct);
const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
const proxied = new URL(direct);
proxied.hostname = '127.0.0.1';
proxied.port = String(proxy.port);
const server = startServer({
  name: `server of ${root}`,
  nodeArgs: ['--import', 'tsx', path.join(root, 'src/server.ts')],
  env: { DATABASE_URL: proxied.toString(), NODE_ENV: 'production', RESPONSE_CACHE_TTL_MS: '0', RECLUSTER: 'off' },
  port: await freePort(),
});
await waitUntilReady(server);
const topics = (await (
  await fetch(`${server.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ topics(first: 1) { nodes { slug } } }' }),
  })
).json()) as { data: { topics: { nodes: { slug: string }[] } } };
const slug = topics.data.topics.nodes[0].slug;

console.log(`${root}: ${clients} clients, topic feed "${slug}", outage of ${outageMs / 1000} s after ${BEFORE_MS / 1000} s`);
const samples: Sample[] = [];
const t0 = performance.now();
const end = BEFORE_MS + outageMs + AFTER_MS;
const loops = Array.from({ length: clients }, async () => {
  while (performance.now() - t0 < end) samples.push(await request(server.origin, slug, t0));
});
await new Promise((resolve) => setTimeout(resolve, BEFORE_MS));
await proxy.cut();
const cutAt = performance.now() - t0;
await new Promise((resolve) => setTimeout(resolve, outageMs));
await proxy.restore();
const restoredAt = performance.now() - t0;
await Promise.all(loops);
await proxy.close();

const before = samples.filter((sample) => sample.start + sample.latency < cutAt);
const during = samples.filter((sample) => sample.start >= cutAt && sample.start < restoredAt);
const across = samples.filter((sample) => sample.start < restoredAt && sample.start + sample.latency >= restoredAt);
const normalP99 = percentile(
  before.map((sample) => sample.latency),
  99,
);
const normalLimit = Math.min(2 * normalP99, normalP99 + 100);
console.log(
  `before:  ${before.length} requests, p50 ${ms(
    percentile(
      before.map((s) => s.latency),
      50,
    ),
  )}, p99 ${ms(normalP99)}: ${tally(before)}`,
);
console.log(
  `outage:  ${during.length} requests started, max latency ${ms(Math.max(0, ...during.map((s) => s.latency)))}, ` +
    `p50 ${ms(
      percentile(
        during.map((s) => s.latency),
        50,
      ),
    )}: ${tally(during)}`,
);
console.log(
  `across the recovery: ${across.length} requests answered after it, the longest after ${ms(Math.max(0, ...across.map((s) => s.latency)))}: ${tally(across)}`,
);
// By the time a request ends: what a client waiting since the recovery sees.
const finishedAfter = samples.filter((sample) => sample.start + sample.latency >= restoredAt);
const firstOk = finishedAfter
  .filter((sample) => sample.outcome.startsWith('200 ok'))
  .map((s) => s.start + s.latency - restoredAt);
console.log(`first successful answer ${ms(Math.min(...firstOk))} after the recovery`);
let normalSince: number | undefined;
const lines: string[] = [];
for (let from = 0; from < AFTER_MS; from += BUCKET_MS) {
  const bucket = finishedAfter.filter(
    (s) => s.start + s.latency - restoredAt >= from && s.start + s.latency - restoredAt < from + BUCKET_MS,
  );
  const p99 = percentile(
    bucket.map((s) => s.latency),
    99,
  );
  const normal = bucket.length > 0 && p99 <= normalLimit && bucket.every((s) => s.outcome.startsWith('200 ok'));
  if (normal) normalSince ??= from;
  else normalSince = undefined;
  if (from < 4_000)
    lines.push(
      `  +${(from / 1000).toFixed(1)} s: ${bucket.length} answers, p99 ${ms(p99)}${normal ? '' : ` (${tally(bucket)})`}`,
    );
}
const firstTwo = finishedAfter.filter((s) => s.start + s.latency - restoredAt < 2_000);
console.log(
  `after:   p99 of the answers in the 2 s after the recovery ${ms(
    percentile(
      firstTwo.map((s) => s.latency),
      99,
    ),
  )}; by half second:`,
);
console.log(lines.join('\n'));
console.log(
  normalSince === undefined
    ? `p99 not back to normal (≤ ${ms(normalLimit)}, all answers ok) within ${AFTER_MS / 1000} s`
    : `p99 back to normal (≤ ${ms(normalLimit)}, all answers ok) ${(normalSince / 1000).toFixed(1)} s after the recovery`,
);
const logLines = server
  .output()
  .split('\n')
  .filter((line) => /unavailable|Failed query|ECONNREFUSED|CONNECTION|error/i.test(line));
const distinct = [...new Set(logLines.map((line) => line.replace(/ \(and \d+ more like it\)$/, '').slice(0, 160)))];
console.log(`server log (its last 8 KB): ${logLines.length} lines about it, ${distinct.length} distinct:`);
for (const line of distinct.slice(0, 4)) console.log(`  ${line}`);
await stopAllServers();
await cleanup();
