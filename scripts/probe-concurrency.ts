/**
 * npm run probe:concurrency [-- --root DIR] [--importers 12] [--batch 25]
 *
 * Imports through the API from many clients at once, while a clustering run computes, against a
 * server of this project (or of another checkout, `--root`, to compare with an earlier release)
 * on a fresh PostgreSQL database. It reports what concurrency used to break:
 *   - failed import requests (deadlocks on new sources), by message;
 *   - how long, after the run reports SUCCEEDED, articles imported during it had no topic in it;
 *   - topic sizes against the current run's memberships once everything has settled.
 * Exits non-zero when any of them is off.
 */
import postgres from 'postgres';
import { type ArticleInputValue, DEFAULT_CORPUS, readCorpusLines, toArticleInputs } from './bench/corpus.js';
import { positiveInteger } from './bench/options.js';
import { adminUrl, checkReachable, createDatabase, dropDatabase } from './bench/postgres-admin.js';
import { cleanUpOnExit, freePort, PROJECT_ROOT, startServer, stopAllServers, waitUntilReady } from './bench/server-process.js';
import { commandOptions } from './command.js';

const USAGE = 'usage: npm run probe:concurrency [-- --root DIR] [--importers 12] [--batch 25] [--corpus corpus.jsonl]';
const values = commandOptions(USAGE, {
  root: { type: 'string' },
  importers: { type: 'string', default: '12' },
  batch: { type: 'string', default: '25' },
  corpus: { type: 'string', default: DEFAULT_CORPUS },
});
const tree = values.root ?? PROJECT_ROOT;
const importers = positiveInteger('--importers', values.importers!);
const batchSize = positiveInteger('--batch', values.batch!);
const TOKEN = 'probe-concurrency-token';
/** Source names every batch draws from, in its own order: new sources, inserted concurrently. */
const SOURCES = Array.from({ length: 12 }, (_, i) => `Wire service ${i + 1}`);

const admin = adminUrl();
await checkReachable(admin);
const name = `probe_concurrency_${process.pid}`;
const url = await createDatabase(admin, name);
const database = postgres(url, { max: 2, onnotice: () => {} });
const cleanup = cleanUpOnExit(async () => {
  await stopAllServers();
  await database.end({ timeout: 2 });
  await dropDatabase(admin, name);
});

async function graphql<T>(
  origin: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<{ data?: T; errors?: { message: string }[] }> {
  const response = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  return response.json() as Promise<{ data?: T; errors?: { message: string }[] }>;
}

const IMPORT = 'mutation ($input: [ArticleInput!]!) { importArticles(input: $input) { created } }';

/** Each article gets a source; batches name them in different orders (rotated, and reversed every other batch). */
function withSources(articles: ArticleInputValue[], seed: number): ArticleInputValue[] {
  const shift = seed % SOURCES.length;
  const order = [...SOURCES.slice(shift), ...SOURCES.slice(0, shift)];
  if (seed % 2 === 1) order.reverse();
  return articles.map((article, i) => ({ ...article, source: order[i % order.length] }));
}

try {
  const port = await freePort();
  const server = startServer({
    name: 'server',
    nodeArgs: ['--import', 'tsx', 'src/server.ts'],
    cwd: tree,
    env: { DATABASE_URL: url, API_TOKEN: TOKEN, RECLUSTER: 'off', RESPONSE_CACHE_TTL_MS: '0' },
    port,
  });
  await waitUntilReady(server, 120_000);
  const inputs = toArticleInputs(readCorpusLines(values.corpus!));
  const first = inputs.slice(0, Math.floor(inputs.length / 2));
  const rest = inputs.slice(first.length);

  // A first run over half the corpus, so that the rest is placed into its topics as it arrives.
  for (let i = 0; i < first.length; i += 500) {
    const result = await graphql(server.origin, IMPORT, { input: first.slice(i, i + 500) });
    if (result.errors) throw new Error(`import failed: ${result.errors[0].message}`);
  }
  const started = await graphql<{ startClusteringRun: { id: string } }>(
    server.origin,
    'mutation { startClusteringRun(k: 5) { id } }',
  );
  if (!started.data) throw new Error(`could not start a run: ${started.errors?.[0].message}`);
  const runStatus = async (id: string) =>
    (
      await graphql<{ node: { status: string } }>(
        server.origin,
        'query ($id: ID!) { node(id: $id) { ... on ClusteringRun { status } } }',
        { id },
      )
    ).data?.node.status;
  while ((await runStatus(started.data.startClusteringRun.id)) === 'RUNNING')
    await new Promise((resolve) => setTimeout(resolve, 100));

  // The rest from many importers at once; a second run starts once a third of it is in.
  const batches: ArticleInputValue[][] = [];
  for (let i = 0; i < rest.length; i += batchSize) batches.push(withSources(rest.slice(i, i + batchSize), i / batchSize));
  const failures = new Map<string, number>();
  let requests = 0;
  let next = 0;
  let secondRun: Promise<{ id: string; lagMs: number; unplacedAtSuccess: number }> | undefined;
  const watchRun = async (id: string) => {
    // From the moment the run reads SUCCEEDED: how long articles imported before that lacked a topic in it.
    while ((await runStatus(id)) === 'RUNNING') await new Promise((resolve) => setTimeout(resolve, 5));
    const seenAt = performance.now();
    let unplacedAtSuccess = -1;
    for (;;) {
      const [{ unplaced }] = await database<{ unplaced: number }[]>`
        select count(*)::int as unplaced from articles a
        where a.created_at < (select finished_at from clustering_runs where is_current)
          and not exists (select 1 from article_topics m where m.article_id = a.id and m.run_id = (select id from clustering_runs where is_current))`;
      if (unplacedAtSuccess < 0) unplacedAtSuccess = unplaced;
      if (unplaced === 0 || performance.now() - seenAt > 30_000)
        return { id, lagMs: unplaced === 0 && unplacedAtSuccess === 0 ? 0 : performance.now() - seenAt, unplacedAtSuccess };
    }
  };
  await Promise.all(
    Array.from({ length: importers }, async () => {
      while (next < batches.length) {
        const batch = batches[next++];
        if (!secondRun && next > batches.length / 3) {
          const run = await graphql<{ startClusteringRun: { id: string } }>(
            server.origin,
            'mutation { startClusteringRun(k: 5, seed: 7) { id } }',
          );
          if (run.data) secondRun = watchRun(run.data.startClusteringRun.id);
        }
        requests++;
        const result = await graphql(server.origin, IMPORT, { input: batch }).catch((error: Error) => ({
          errors: [{ message: error.message }],
        }));
        for (const error of result.errors ?? []) {
          // Messages that differ only in their parameters count together.
          const kind = error.message.slice(0, 120);
          failures.set(kind, (failures.get(kind) ?? 0) + 1);
        }
      }
    }),
  );
  const watched = await secondRun;
  // Let the run's aftermath and the last placements settle.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const [sizes] = await database<{ stored: number; members: number; off: number }[]>`
    select coalesce(sum(t.size), 0)::int as stored, coalesce(sum(m.members), 0)::int as members,
           count(*) filter (where t.size <> coalesce(m.members, 0))::int as off
    from topics t
    left join (select topic_id, count(*) as members from article_topics where run_id = (select id from clustering_runs where is_current) group by topic_id) m
      on m.topic_id = t.id
    where t.latest_run_id = (select id from clustering_runs where is_current)`;
  const failed = [...failures.values()].reduce((sum, count) => sum + count, 0);
  console.log(`tree: ${tree}`);
  console.log(`first run over ${first.length} articles, then ${rest.length} imported while a second run computes`);
  console.log(`imports: ${requests} requests of ${batchSize} articles from ${importers} clients at once; ${failed} failed`);
  for (const [message, count] of failures) console.log(`  ${count} × ${message}`);
  console.log(
    watched
      ? `run ${watched.id}: ${watched.unplacedAtSuccess} articles imported during it had no topic when it read SUCCEEDED; all placed ${watched.lagMs.toFixed(0)} ms later`
      : 'the second run did not start',
  );
  console.log(`topic sizes: ${sizes.stored} stored against ${sizes.members} memberships; ${sizes.off} topics off`);
  if (failed > 0 || !watched || watched.unplacedAtSuccess > 0 || sizes.off > 0) process.exitCode = 1;
} finally {
  await cleanup();
}
