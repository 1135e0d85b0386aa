/**
 * npm run bench:lineage [-- --file bbc.jsonl] [--drivers pglite,postgres] [--seeds 3] [--planted all|tech,...]
 *
 * How topics carry on across clustering runs, on a labelled corpus, through the product's own
 * jobs and database (each scenario in a fresh database, on each driver), with and without the
 * warm start of k-means from the previous run's topics:
 *
 *   (a) the same corpus re-run with another seed: topics CONTINUED, articles that keep their topic id;
 *   (b) the same after adding 10% new articles (held back from the first run, placed by its model);
 *   (c) planted changes: four categories, then the fifth added (expect 4 CONTINUED + 1 BORN); all
 *       five with k = 4 (expect a MERGED); back to k = 5 (expect a SPLIT or a BORN).
 *
 * NMI against the categories is printed beside each, so what stability costs in quality shows;
 * the database holds the corpus without its repeated articles (BBC: 2,124 of 2,225 lines), so
 * the NMI of bench:cluster's own setting (every line, in memory, seeds 0–4) is measured too, each
 * run warm-started from the one before it. The clustering never sees `category`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { type ClusteringResult, clusterDocuments, normalizedMutualInformation } from '../src/clustering/index.js';
import { type DatabaseHandle, migrationsFolder, openDatabase } from '../src/db/client.js';
import { articles, articleTopics, topicChanges } from '../src/db/schema.js';
import { validateArticle } from '../src/jobs/article-input.js';
import { runClustering } from '../src/jobs/cluster.js';
import { storeArticles } from '../src/jobs/import.js';
import { SeededRandom } from '../src/numeric/random.js';
import { DEFAULT_CORPUS } from './bench/corpus.js';
import { positiveInteger } from './bench/options.js';
import { adminUrl, checkReachable, createDatabase, dropDatabase } from './bench/postgres-admin.js';
import { fixed, machineDescription, passFail, table } from './bench/report.js';

const { values } = parseArgs({
  options: {
    file: { type: 'string', default: DEFAULT_CORPUS },
    drivers: { type: 'string', default: 'pglite,postgres' },
    seeds: { type: 'string', default: '3' },
    planted: { type: 'string', default: 'all' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(
    'usage: npm run bench:lineage [-- --file bbc.jsonl] [--drivers pglite,postgres] [--seeds 3] [--planted all|tech,...]',
  );
  process.exit(0);
}

type Driver = 'pglite' | 'postgres';

interface Line {
  id: string;
  category: string;
  title: string;
  body: string;
}

const lines: Line[] = readFileSync(values.file, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Line);
const categoryOf = new Map(lines.map((line) => [line.id, line.category]));
const categories = [...new Set(lines.map((line) => line.category))].sort();
const drivers = values.drivers.split(',').map((driver) => driver.trim()) as Driver[];
for (const driver of drivers) {
  if (driver !== 'pglite' && driver !== 'postgres') throw new Error(`--drivers takes pglite and postgres, got "${driver}"`);
}
const seeds = positiveInteger('--seeds', values.seeds);
const planted = values.planted === 'all' ? categories : values.planted.split(',');
const K = categories.length;

// A migrated PGlite, dumped once: each scenario starts from a copy (initdb takes seconds).
let pgliteTemplate: Blob | undefined;
async function freshDatabase(driver: Driver, name: string): Promise<{ handle: DatabaseHandle; drop(): Promise<void> }> {
  if (driver === 'pglite') {
    if (!pgliteTemplate) {
      const client = await PGlite.create('memory://');
      await migrate(drizzle({ client }), { migrationsFolder });
      pgliteTemplate = await client.dumpDataDir('none');
      await client.close();
    }
    const handle = await openDatabase({ dataDir: 'memory://', pgliteTemplate });
    return { handle, drop: () => handle.close() };
  }
  const dbName = `news_bench_lineage_${process.pid}_${name}`;
  const handle = await openDatabase({ databaseUrl: await createDatabase(adminUrl(), dbName) });
  await handle.migrate();
  return {
    handle,
    drop: async () => {
      await handle.close();
      await dropDatabase(adminUrl(), dbName);
    },
  };
}

async function store(handle: DatabaseHandle, batch: Line[]): Promise<void> {
  const valid = batch.flatMap((line) => {
    const result = validateArticle({ id: line.id, title: line.title, body: line.body });
    return result.ok ? [result.article] : [];
  });
  for (let start = 0; start < valid.length; start += 500) await storeArticles(handle.db, valid.slice(start, start + 500));
}

/** Topic of each article (by external id) in the current run. */
async function membership(handle: DatabaseHandle): Promise<Map<string, number>> {
  const rows = await handle.db
    .select({ externalId: articles.externalId, topicId: articleTopics.topicId })
    .from(articleTopics)
    .innerJoin(articles, eq(articles.id, articleTopics.articleId))
    .where(sql`${articleTopics.runId} = (select id from clustering_runs where is_current)`);
  return new Map(rows.map((row) => [row.externalId ?? '', row.topicId]));
}

function nmiOf(members: Map<string, number>): number {
  const ids = [...members.keys()];
  return normalizedMutualInformation(
    ids.map((id) => categoryOf.get(id) ?? ''),
    ids.map((id) => members.get(id) ?? -1),
  );
}

interface Transition {
  /** Kinds of the topics the run found, and of those that ended in it (marked "ended"). */
  found: string[];
  ended: string[];
  /** Of the articles in both runs, the share that kept their topic id. */
  kept: number;
  nmi: number;
  warmStart: string;
}

/** One more run; what it did to the topics of the run before. */
async function rerun(handle: DatabaseHandle, options: { k: number; seed: number; warmStart: boolean }): Promise<Transition> {
  const before = await membership(handle);
  const summary = await runClustering(handle.db, { ...options, reason: 'bench:lineage' });
  const after = await membership(handle);
  const both = [...before.keys()].filter((id) => after.has(id));
  const changes = await handle.db
    .select({ kind: topicChanges.kind, found: topicChanges.found })
    .from(topicChanges)
    .where(eq(topicChanges.runId, summary.runId));
  return {
    found: changes
      .filter((change) => change.found)
      .map((change) => change.kind.toUpperCase())
      .sort(),
    ended: changes
      .filter((change) => !change.found)
      .map((change) => change.kind.toUpperCase())
      .sort(),
    kept: both.length === 0 ? 0 : both.filter((id) => before.get(id) === after.get(id)).length / both.length,
    nmi: nmiOf(after),
    warmStart: summary.warmStart,
  };
}

const count = (kinds: string[], kind: string) => kinds.filter((k) => k === kind).length;
const describeKinds = (transition: Transition) => {
  const tally = (kinds: string[]) => [...new Set(kinds)].map((kind) => `${count(kinds, kind)} ${kind}`).join(', ') || 'none';
  return transition.ended.length === 0
    ? tally(transition.found)
    : `${tally(transition.found)}; ended: ${tally(transition.ended)}`;
};

interface Figures {
  rerun: Transition[];
  growth: Transition[];
  planted: { category: string; born: Transition; merged: Transition; split: Transition }[];
}

async function measure(driver: Driver, warmStart: boolean): Promise<Figures> {
  const tag = warmStart ? 'warm' : 'cold';
  const figures: Figures = { rerun: [], growth: [], planted: [] };

  // (a) one corpus, runs with seed after seed.
  const a = await freshDatabase(driver, `a_${tag}`);
  try {
    await store(a.handle, lines);
    await runClustering(a.handle.db, { k: K, seed: 1000, warmStart, reason: 'bench:lineage' });
    for (let seed = 1; seed <= seeds; seed++) figures.rerun.push(await rerun(a.handle, { k: K, seed, warmStart }));
  } finally {
    await a.drop();
  }

  // (b) a tenth of the corpus held back, then added.
  for (let seed = 1; seed <= seeds; seed++) {
    const b = await freshDatabase(driver, `b_${tag}_${seed}`);
    try {
      const held = new Set(new SeededRandom(seed).sampleIndexes(lines.length, Math.round(lines.length / 11)));
      await store(
        b.handle,
        lines.filter((_, i) => !held.has(i)),
      );
      await runClustering(b.handle.db, { k: K, seed, warmStart, reason: 'bench:lineage' });
      await store(
        b.handle,
        lines.filter((_, i) => held.has(i)),
      );
      figures.growth.push(await rerun(b.handle, { k: K, seed: seed + 100, warmStart }));
    } finally {
      await b.drop();
    }
  }

  // (c) planted changes.
  for (const category of planted) {
    const c = await freshDatabase(driver, `c_${tag}_${category}`);
    try {
      await store(
        c.handle,
        lines.filter((line) => line.category !== category),
      );
      await runClustering(c.handle.db, { k: K - 1, seed: 1, warmStart, reason: 'bench:lineage' });
      await store(
        c.handle,
        lines.filter((line) => line.category === category),
      );
      const born = await rerun(c.handle, { k: K, seed: 2, warmStart });
      const merged = await rerun(c.handle, { k: K - 1, seed: 3, warmStart });
      const split = await rerun(c.handle, { k: K, seed: 4, warmStart });
      figures.planted.push({ category, born, merged, split });
    } finally {
      await c.drop();
    }
  }
  return figures;
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
const min = (values: number[]) => Math.min(...values);
const continuedShare = (transitions: Transition[]) => mean(transitions.map((t) => count(t.found, 'CONTINUED') / K));
const allContinued = (transitions: Transition[]) =>
  transitions.every((t) => count(t.found, 'CONTINUED') === K && t.ended.length === 0);

function expectedBorn(t: Transition): boolean {
  return count(t.found, 'CONTINUED') === K - 1 && count(t.found, 'BORN') === 1 && t.ended.length === 0;
}
function expectedMerge(t: Transition): boolean {
  return count(t.found, 'MERGED') === 1 && count(t.found, 'CONTINUED') === K - 2 && t.ended.join() === 'MERGED';
}
function expectedSplit(t: Transition): boolean {
  return (
    t.found.length === K &&
    t.found.every((kind) => ['CONTINUED', 'SPLIT', 'BORN'].includes(kind)) &&
    t.found.some((kind) => kind === 'SPLIT' || kind === 'BORN') &&
    t.ended.every((kind) => kind === 'RETIRED')
  );
}

/** bench:cluster's setting: every line in memory, k = K, seeds 0–4; warm: each from the run before. */
function benchClusterNmi(): { cold: number[]; warm: number[] } {
  const truth = lines.map((line) => line.category);
  const nmi = (result: ClusteringResult) =>
    normalizedMutualInformation(
      truth,
      result.memberships.map((m) => m.topic),
    );
  const cold: number[] = [];
  const warm: number[] = [];
  let previous = clusterDocuments(lines, { k: K, seed: 1000 });
  for (let seed = 0; seed < 5; seed++) {
    cold.push(nmi(clusterDocuments(lines, { k: K, seed })));
    const topicOf = Int32Array.from(previous.memberships, (membership) => membership.topic);
    previous = clusterDocuments(lines, { k: K, seed, previous: { topicOf, topicCount: previous.k } });
    warm.push(nmi(previous));
  }
  return { cold, warm };
}

console.log(`bench:lineage on ${values.file} (${lines.length} lines, ${K} categories), ${machineDescription()}`);
console.log(`(a) ${seeds} re-runs of one corpus, (b) ${seeds} corpora grown by 10%, (c) planted on: ${planted.join(', ')}\n`);
if (drivers.includes('postgres')) console.log(`PostgreSQL ${await checkReachable(adminUrl())} at ${new URL(adminUrl()).host}\n`);

let allPass = true;
const corpusNmi = benchClusterNmi();
const warmCorpusNmi = mean(corpusNmi.warm);
console.log(
  `NMI in bench:cluster's setting (${lines.length} lines, k = ${K}, seeds 0-4): without warm starts ${corpusNmi.cold.map((n) => fixed(n, 3)).join(' ')} ` +
    `(mean ${fixed(mean(corpusNmi.cold), 3)}); each warm-started from the run before ${corpusNmi.warm.map((n) => fixed(n, 3)).join(' ')} ` +
    `(mean ${fixed(warmCorpusNmi, 3)})`,
);
console.log(`  ${passFail(warmCorpusNmi >= 0.9)}  BBC mean NMI with warm starts at least 0.90\n`);
allPass &&= warmCorpusNmi >= 0.9;

for (const driver of drivers) {
  const started = performance.now();
  const warm = await measure(driver, true);
  const cold = await measure(driver, false);
  const rows = (label: string, pick: (figures: Figures) => Transition[]) => [
    label,
    ...[warm, cold].flatMap((figures) => {
      const transitions = pick(figures);
      return [
        `${fixed(continuedShare(transitions) * K, 1)} of ${K}`,
        `${fixed(min(transitions.map((t) => t.kept)) * 100, 1)}%`,
        `${fixed(mean(transitions.map((t) => t.kept)) * 100, 1)}%`,
        fixed(mean(transitions.map((t) => t.nmi)), 3),
      ];
    }),
  ];
  console.log(`== ${driver} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  console.log(
    table(
      ['scenario', 'warm: continued', 'kept (min)', 'kept (mean)', 'NMI', 'cold: continued', 'kept (min)', 'kept (mean)', 'NMI'],
      [rows('(a) same corpus, other seed', (f) => f.rerun), rows('(b) + 10% new articles', (f) => f.growth)],
    ),
  );
  console.log(`warm start outcome per run (a, b): ${[...warm.rerun, ...warm.growth].map((t) => t.warmStart).join(' ')}`);
  console.log('\n(c) planted changes (warm | cold):');
  console.log(
    table(
      [
        'fifth category',
        'add it (expect 4 CONTINUED + 1 BORN)',
        'k = 4 (expect a MERGED)',
        'k = 5 again (expect a SPLIT or BORN)',
        'NMI after',
      ],
      warm.planted.map((p, i) => {
        const c = cold.planted[i];
        const cell = (w: Transition, x: Transition, ok: (t: Transition) => boolean) =>
          `${describeKinds(w)}${ok(w) ? '' : ' ✗'} | ${describeKinds(x)}${ok(x) ? '' : ' ✗'}`;
        return [
          p.category,
          cell(p.born, c.born, expectedBorn),
          cell(p.merged, c.merged, expectedMerge),
          cell(p.split, c.split, expectedSplit),
          `${fixed(p.split.nmi, 3)} | ${fixed(c.split.nmi, 3)}`,
        ];
      }),
    ),
  );
  const warmNmi = mean([...warm.rerun, ...warm.growth].map((t) => t.nmi));
  const coldNmi = mean([...cold.rerun, ...cold.growth].map((t) => t.nmi));
  const targets: [string, boolean][] = [
    [`(a) ${K} of ${K} topics continued on every re-run`, allContinued(warm.rerun)],
    [
      `(a) at least 98% of articles keep their topic (lowest ${fixed(min(warm.rerun.map((t) => t.kept)) * 100, 1)}%)`,
      min(warm.rerun.map((t) => t.kept)) >= 0.98,
    ],
    [`(b) ${K} of ${K} topics continued after adding 10%`, allContinued(warm.growth)],
    [
      '(c) exactly the expected kinds on every planted change',
      warm.planted.every((p) => expectedBorn(p.born) && expectedMerge(p.merged) && expectedSplit(p.split)),
    ],
    [
      `mean NMI of (a) and (b) no lower with warm starts than without (${fixed(warmNmi, 3)} against ${fixed(coldNmi, 3)}, within 0.005)`,
      warmNmi >= coldNmi - 0.005,
    ],
  ];
  console.log('\ntargets (warm starts, the product’s default):');
  for (const [label, ok] of targets) {
    console.log(`  ${passFail(ok)}  ${label}`);
    allPass &&= ok;
  }
  console.log();
}
process.exitCode = allPass ? 0 : 1;
