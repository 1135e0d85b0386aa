/**
 * npm run bench:scale [-- --sizes 10000,50000,100000] [--k 5] [--file bbc.jsonl]
 *
 * Generated corpora of growing size, each imported and clustered end to end through PostgreSQL
 * (a fresh database per size): wall time and peak memory of the import and of the clustering
 * run, and NMI of the topics against the category each article was generated from.
 *
 * An article of category C is composed of a title and 6-14 sentences drawn from BBC articles of C,
 * so topics still mean something. The category travels only in the external id (`gen-C-N`),
 * which the clustering never sees; it is read back for scoring.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { normalizedMutualInformation } from '../src/clustering/index.js';
import { openDatabase } from '../src/db/client.js';
import { inCurrentRun } from '../src/db/current-run.js';
import { SeededRandom } from '../src/numeric/random.js';
import { DEFAULT_CORPUS } from './bench/corpus.js';
import { adminUrl, checkReachable, createDatabase, dropDatabase } from './bench/postgres-admin.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,50000,100000' },
    k: { type: 'string', default: '5' },
    file: { type: 'string', default: DEFAULT_CORPUS },
    seed: { type: 'string', default: '1' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const root = path.join(import.meta.dirname, '..');

interface Source {
  titles: string[];
  sentences: string[];
}

function loadSources(file: string): Map<string, Source> {
  const byCategory = new Map<string, Source>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const { category, title, body } = JSON.parse(line) as { category: string; title: string; body: string };
    const source = byCategory.get(category) ?? { titles: [], sentences: [] };
    source.titles.push(title);
    source.sentences.push(...body.split(/(?<=[.!?])\s+/).filter((sentence) => sentence.length > 30));
    byCategory.set(category, source);
  }
  return byCategory;
}

function generateCorpus(size: number, sources: Map<string, Source>, seed: number): string {
  const random = new SeededRandom(seed);
  const categories = [...sources.keys()].sort();
  const lines: string[] = [];
  for (let i = 0; i < size; i++) {
    const category = categories[random.nextInt(categories.length)];
    const source = sources.get(category) as Source;
    const sentences = Array.from(
      { length: 6 + random.nextInt(9) },
      () => source.sentences[random.nextInt(source.sentences.length)],
    );
    lines.push(
      JSON.stringify({
        id: `gen-${category}-${i}`,
        title: source.titles[random.nextInt(source.titles.length)],
        body: sentences.join(' '),
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

interface ChildResult {
  wallMs: number;
  maxRssKb: number;
  output: string;
}

/** Runs a command in a child process; its peak memory comes from /proc while it runs. */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env: { ...process.env, ...env } });
    let output = '';
    let maxRssKb = 0;
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const sampler = setInterval(() => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const hwm = /VmHWM:\s+(\d+)/.exec(status);
        if (hwm) maxRssKb = Math.max(maxRssKb, Number(hwm[1]));
      } catch {
        // The process has just exited.
      }
    }, 200);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(sampler);
      if (code !== 0) reject(new Error(`${args.join(' ')} exited with ${code}:\n${output}`));
      else resolve({ wallMs: performance.now() - started, maxRssKb, output });
    });
  });
}

async function nmiOf(databaseUrl: string): Promise<number> {
  const handle = await openDatabase({ databaseUrl });
  try {
    const rows = await handle.db.query.articleTopics.findMany({
      columns: { topicId: true },
      with: { article: { columns: { externalId: true } } },
      where: { RAW: (table) => inCurrentRun(table) },
    });
    const truth = rows.map((row) => (row.article.externalId ?? '').split('-')[1]);
    return normalizedMutualInformation(
      truth,
      rows.map((row) => row.topicId),
    );
  } finally {
    await handle.close();
  }
}

const admin = adminUrl();
const version = await checkReachable(admin);
console.log(`bench:scale on PostgreSQL ${version}, ${cpus().length} cores, Node ${process.version}, k=${values.k}`);
const sources = loadSources(values.file);
const folder = mkdtempSync(path.join(tmpdir(), 'news-bench-scale-'));
const rows: string[][] = [];
try {
  for (const size of sizes) {
    const file = path.join(folder, `corpus-${size}.jsonl`);
    writeFileSync(file, generateCorpus(size, sources, Number(values.seed)));
    const name = `news_bench_scale_${process.pid}_${size}`;
    const url = await createDatabase(admin, name);
    try {
      const imported = await run(['scripts/seed.ts', '--file', file], { DATABASE_URL: url });
      const clustered = await run(['scripts/bench/scale-cluster-child.ts'], { DATABASE_URL: url, BENCH_K: values.k });
      const result = JSON.parse(clustered.output.trim().split('\n').at(-1) as string) as {
        summary: { k: number; timings: Record<string, number> };
      };
      const nmi = await nmiOf(url);
      const stages = Object.entries(result.summary.timings)
        .map(([stage, ms]) => `${stage} ${(ms / 1000).toFixed(1)}`)
        .join(', ');
      console.log(
        `${size} articles: import ${(imported.wallMs / 1000).toFixed(1)} s (peak ${(imported.maxRssKb / 1024).toFixed(0)} MB); ` +
          `cluster ${(clustered.wallMs / 1000).toFixed(1)} s (peak ${(clustered.maxRssKb / 1024).toFixed(0)} MB), NMI ${nmi.toFixed(3)}; stages (s): ${stages}`,
      );
      rows.push([
        String(size),
        (imported.wallMs / 1000).toFixed(1),
        (clustered.wallMs / 1000).toFixed(1),
        (clustered.wallMs / (size / 1000)).toFixed(0),
        (clustered.maxRssKb / 1024).toFixed(0),
        nmi.toFixed(3),
      ]);
    } finally {
      await dropDatabase(admin, name);
    }
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}

const header = ['articles', 'import s', 'cluster s', 'cluster ms/1k', 'cluster peak MB', 'NMI'];
const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
console.log(`\n${header.map((title, i) => title.padStart(widths[i])).join('  ')}`);
for (const row of rows) console.log(row.map((cell, i) => cell.padStart(widths[i])).join('  '));
if (rows.length > 1) {
  const first = rows[0];
  const last = rows[rows.length - 1];
  const sizeRatio = Number(last[0]) / Number(first[0]);
  const timeRatio = Number(last[2]) / Number(first[2]);
  console.log(
    `\nsize x${sizeRatio.toFixed(0)} -> cluster time x${timeRatio.toFixed(1)} (linear would be x${sizeRatio.toFixed(0)})`,
  );
  console.log(
    `targets at ${last[0]} articles: cluster < 90 s: ${Number(last[2]) < 90 ? 'PASS' : 'FAIL'}; peak < 2048 MB: ${Number(last[4]) < 2048 ? 'PASS' : 'FAIL'}; ` +
      `growth no worse than ~linear: ${timeRatio <= sizeRatio * 1.25 ? 'PASS' : 'FAIL'}`,
  );
}
