/**
 * Schema-driven fuzzing through the real HTTP server in production mode (errors masked): every
 * answer is data or an error with a code, never an internal error. Seeded: FUZZ_SEED and
 * FUZZ_COUNT override the defaults to explore further; a failure prints the first offending
 * cases so that they can be replayed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../src/graphql/index.js';
import { runClustering } from '../src/jobs/cluster.js';
import { createCorpusDatabase, driverUnderTest, type TestDatabase } from './helpers/database.js';
import { createFuzzer, type FuzzSamples, runFuzz } from './helpers/fuzz.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const TOKEN = 'fuzz-operator-token';
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_203);
const COUNT = Number(process.env.FUZZ_COUNT ?? 5_000);
/** Requests in flight at once. */
const CONCURRENCY = 4;

describe(`schema-driven fuzzing (${driverUnderTest})`, () => {
  let handle: TestDatabase;
  let server: TestServer;
  const samples: FuzzSamples = { ids: {}, cursors: [] };

  beforeAll(async () => {
    handle = await createCorpusDatabase();
    // Two runs: the second retires some of the first run's topics.
    await runClustering(handle.db, { k: 3, seed: 1 });
    await runClustering(handle.db, { k: 5, seed: 2 });
    server = await startTestServer(handle, { apiToken: TOKEN, production: true });
    type Page<Node = { id: string }> = { nodes: Node[]; edges: { cursor: string }[] };
    const found = await server.query<{
      articles: Page;
      topics: Page<{ id: string; articles: Page; history: Page }>;
      retired: Page;
      sources: Page<{ id: string; articles: Page }>;
      clusteringRuns: Page<{ id: string; topics: Page }>;
    }>(`{
      articles(first: 3) { nodes { id } edges { cursor } }
      topics(first: 2) { nodes { id articles(first: 2) { nodes { id } edges { cursor } } history(first: 2) { nodes { kind } edges { cursor } } } edges { cursor } }
      retired: topics(first: 2, status: RETIRED) { nodes { id } edges { cursor } }
      sources(first: 2) { nodes { id articles(first: 2) { nodes { id } edges { cursor } } } edges { cursor } }
      clusteringRuns(first: 2) { nodes { id topics(first: 2) { nodes { id } edges { cursor } } } edges { cursor } }
    }`);
    expect(found.errors).toBeUndefined();
    const data = found.data!;
    samples.ids = {
      Article: data.articles.nodes.map((node) => node.id),
      Topic: [...data.topics.nodes, ...data.retired.nodes].map((node) => node.id),
      Source: data.sources.nodes.map((node) => node.id),
      ClusteringRun: data.clusteringRuns.nodes.map((node) => node.id),
    };
    const pages: Page<unknown>[] = [
      data.articles,
      data.topics,
      data.retired,
      data.sources,
      data.clusteringRuns,
      ...data.topics.nodes.flatMap((topic) => [topic.articles, topic.history]),
      ...data.sources.nodes.map((source) => source.articles),
      ...data.clusteringRuns.nodes.map((run) => run.topics),
    ];
    samples.cursors = pages.flatMap((page) => page.edges.map((edge) => edge.cursor));
  });
  afterAll(async () => {
    await server?.close();
    await handle?.close();
  });

  it(`answers ${COUNT} generated requests with data or coded errors, never an internal error`, async () => {
    const fuzzer = createFuzzer(schema, samples, SEED);
    const result = await runFuzz({
      url: server.url,
      token: TOKEN,
      cases: () => fuzzer.next(),
      count: COUNT,
      concurrency: CONCURRENCY,
    });
    console.log(
      `fuzz (${driverUnderTest}, seed ${SEED}): ${result.sent} requests, ${result.errors} errors, ` +
        `${result.withoutCode} without a code, ${result.internal} internal; ms by root field: ` +
        [...result.timeByField]
          .sort((a, b) => b[1] - a[1])
          .map(([field, ms]) => `${field} ${Math.round(ms)}`)
          .join(', '),
    );
    const kinds = new Map<string, number>();
    for (const { offence } of result.offending) {
      const kind = offence
        .replace(/\$v\d+/g, '$v')
        .replace(/got invalid value .*/s, 'got invalid value …')
        .slice(0, 100);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    const summary = [...kinds]
      .sort((a, b) => b[1] - a[1])
      .map(([kind, count]) => `${String(count).padStart(6)}  ${kind}`)
      .join('\n');
    const report = result.offending
      .slice(0, 5)
      .map(
        ({ fuzzCase, response, offence }) =>
          `${offence}\n  query: ${fuzzCase.query}\n  variables: ${JSON.stringify(fuzzCase.variables).slice(0, 2_000)}\n` +
          `  operator: ${fuzzCase.operator}\n  response: ${response.status} ${response.text.slice(0, 1_000)}`,
      )
      .join('\n\n');
    expect(result.sent).toBe(COUNT);
    expect(
      result.offending.length,
      `${result.offending.length} offending responses, by kind:\n${summary}\n\nthe first ones:\n\n${report}`,
    ).toBe(0);
  }, 300_000);
});
