/**
 * npm run bench:assign [-- --file bbc.jsonl] [--k 5]
 *
 * New articles between runs: clusters 80% of the corpus (every fifth article of each category is
 * held back), then imports the held-back 20% through the importer, which places each into the
 * current run's topics with the run's model. Prints how many land in the topic whose majority
 * category (among the clustered articles) is their own. Runs on the configured database driver
 * (DATABASE_URL: a fresh database on that server; otherwise an in-memory PGlite).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/db/client.js';
import { type ValidArticle, validateArticle } from '../src/jobs/article-input.js';
import { runClustering } from '../src/jobs/cluster.js';
import { storeArticles } from '../src/jobs/import.js';
import { DEFAULT_CORPUS } from './bench/corpus.js';
import { adminUrl, createDatabase, dropDatabase } from './bench/postgres-admin.js';

const { values } = parseArgs({
  options: { file: { type: 'string', default: DEFAULT_CORPUS }, k: { type: 'string', default: '5' } },
});

interface Line {
  id: string;
  category: string;
  title: string;
  body: string;
}

const lines = readFileSync(values.file, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Line);
const seen = new Map<string, number>();
const heldBack = lines.map((line) => {
  const index = seen.get(line.category) ?? 0;
  seen.set(line.category, index + 1);
  return index % 5 === 4;
});
const categoryOf = new Map(lines.map((line) => [line.id, line.category]));
const valid = (batch: Line[]): ValidArticle[] =>
  batch.flatMap((line) => {
    const result = validateArticle({ id: line.id, title: line.title, body: line.body });
    return result.ok ? [result.article] : [];
  });

const name = `news_bench_assign_${process.pid}`;
const url = process.env.DATABASE_URL ? await createDatabase(adminUrl(), name) : undefined;
const handle = await openDatabase({ databaseUrl: url });
try {
  await handle.migrate();
  const clustered = await storeArticles(handle.db, valid(lines.filter((_, i) => !heldBack[i])));
  const run = await runClustering(handle.db, { k: Number(values.k) });
  const started = performance.now();
  const imported = await storeArticles(handle.db, valid(lines.filter((_, i) => heldBack[i])));
  const assignMs = performance.now() - started;

  const memberships = await handle.db.query.articleTopics.findMany({
    where: { runId: run.runId },
    columns: { topicId: true },
    with: { article: { columns: { id: true, externalId: true } } },
  });
  const newIds = new Set(imported.createdIds);
  const votes = new Map<number, Map<string, number>>();
  for (const { topicId, article } of memberships) {
    if (newIds.has(article.id)) continue;
    const category = categoryOf.get(article.externalId ?? '') ?? '?';
    const topicVotes = votes.get(topicId) ?? new Map<string, number>();
    topicVotes.set(category, (topicVotes.get(category) ?? 0) + 1);
    votes.set(topicId, topicVotes);
  }
  const majority = new Map([...votes].map(([topicId, counts]) => [topicId, [...counts].sort((a, b) => b[1] - a[1])[0][0]]));
  const placed = memberships.filter(({ article }) => newIds.has(article.id));
  const right = placed.filter(
    ({ topicId, article }) => majority.get(topicId) === categoryOf.get(article.externalId ?? ''),
  ).length;
  console.log(`driver: ${handle.driver}; clustered ${clustered.createdIds.length} articles into ${run.k} topics:`);
  for (const topic of run.topics) console.log(`  ${topic.label} (${topic.size})`);
  console.log(
    `imported ${imported.createdIds.length} held-back articles (${imported.outcomes.length - imported.createdIds.length} were duplicates) ` +
      `and placed them in ${(assignMs / 1000).toFixed(2)} s`,
  );
  const share = right / placed.length;
  console.log(
    `in the topic of their own category: ${right} of ${placed.length} = ${(share * 100).toFixed(1)}% (target >= 90%: ${share >= 0.9 ? 'PASS' : 'FAIL'})`,
  );
} finally {
  await handle.close();
  if (url) await dropDatabase(adminUrl(), name);
}
