/**
 * Clustering quality and speed on a labelled corpus, side by side with scikit-learn's pipeline.
 *
 *   npm run bench:cluster -- --file ../shared/corpora/bbc.jsonl --k 5   quality and time, fixed k
 *   npm run bench:cluster -- --file ../shared/corpora/bbc.jsonl         k chosen by the pipeline
 *   options: --seeds 5 (runs, seeds 0..n−1), --warmup 2 (untimed runs first, on both sides),
 *   --k-check (choice of k on every subset of 2–5 categories), --scale 100000 (a synthetic
 *   corpus of that many articles: time and memory)
 *
 * Times are medians over the seeds, after warm-up runs on both sides (V8 compiles hot code only
 * after it has run a while; the first run's time is printed too). The ratio the target speaks of
 * is to labelled topics (vectorise → label); relating articles and topics comes after it and is
 * shown beside it.
 *
 * The corpus is JSON lines {id, category, title, body}; the clustering never sees `category`,
 * which only scores the result (NMI, ARI, V-measure).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import {
  adjustedRandIndex,
  type ClusterDocument,
  type ClusteringResult,
  clusterCorpus,
  createCorpus,
  normalizedMutualInformation,
  vMeasure,
} from '../src/clustering/index.js';
import { SeededRandom } from '../src/numeric/random.js';
import { defaultParallel } from '../src/parallel/compute.js';
import { positiveInteger } from './bench/options.js';
import { median } from './bench/report.js';

interface LabelledArticle extends ClusterDocument {
  category: string;
}

interface Scores {
  nmi: number;
  ari: number;
  vMeasure: number;
}

interface Run extends Scores {
  seed: number;
  k: number;
  /** LSA dimensions. */
  dimensions: number;
  /** Milliseconds by stage, plus `tokenise` (building the corpus) and `total`. */
  timings: Record<string, number>;
}

interface SklearnRun {
  seed: number;
  nmi: number;
  ari: number;
  v_measure: number;
  timings: Record<string, number>;
}

function readCorpus(file: string): LabelledArticle[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      const { category, title, body } = JSON.parse(line) as LabelledArticle;
      return { category, title, body };
    });
}

function score(truth: string[], result: ClusteringResult): Scores {
  const predicted = result.memberships.map((membership) => membership.topic);
  return {
    nmi: normalizedMutualInformation(truth, predicted),
    ari: adjustedRandIndex(truth, predicted),
    vMeasure: vMeasure(truth, predicted).vMeasure,
  };
}

/** Builds the corpus (timed as `tokenise`) and clusters it, as the clustering job does. */
function runOurs(articles: LabelledArticle[], k: number | undefined, seed: number): { run: Run; result: ClusteringResult } {
  const start = performance.now();
  const corpus = createCorpus();
  defaultParallel().addDocuments(corpus, articles);
  const tokenise = performance.now() - start;
  const result = clusterCorpus(corpus, { k, seed });
  const total = performance.now() - start;
  const timings: Record<string, number> = { tokenise, total };
  for (const [stage, ms] of Object.entries(result.timings)) timings[stage] = ms;
  const truth = articles.map((article) => article.category);
  const dimensions = Number(result.parameters.dimensions ?? 0);
  return { run: { seed, k: result.k, dimensions, timings, ...score(truth, result) }, result };
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function summary(values: number[]): string {
  return `${mean(values).toFixed(3)} (${Math.min(...values).toFixed(3)}–${Math.max(...values).toFixed(3)})`;
}

function findPythonWithSklearn(): string | null {
  for (const python of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(python, ['-c', 'import sklearn'], { encoding: 'utf8' });
    if (probe.status === 0) return python;
  }
  return null;
}

interface SklearnOutput {
  version: string;
  runs: SklearnRun[];
  /** Total milliseconds of each warm-up run, first (coldest) first. */
  warmup: number[];
}

function runSklearn(python: string, articles: LabelledArticle[], k: number, seeds: number[], warmup: number): SklearnOutput {
  const directory = mkdtempSync(join(tmpdir(), 'bench-cluster-'));
  try {
    const input = join(directory, 'job.json');
    writeFileSync(
      input,
      JSON.stringify({
        texts: articles.map(({ title, body }) => `${title}\n\n${body}`),
        labels: articles.map(({ category }) => category),
        k,
        seeds,
        warmup,
      }),
    );
    const script = fileURLToPath(new URL('./bench/sklearn_pipeline.py', import.meta.url));
    const child = spawnSync(python, [script, input], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (child.status !== 0) throw new Error(`scikit-learn pipeline failed: ${child.stderr}`);
    const output = JSON.parse(child.stdout) as { sklearn: string; runs: SklearnRun[]; warmup: number[] };
    return { version: output.sklearn, runs: output.runs, warmup: output.warmup };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function row(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
}

function mostCommon(values: number[]): number {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
}

/** The target's span: from the text to labelled topics. Relations come after it. */
function toLabels(run: Run): number {
  const { timings } = run;
  return timings.tokenise + (timings.vectorise ?? 0) + (timings.reduce ?? 0) + (timings.cluster ?? 0) + (timings.label ?? 0);
}

/** Seeds of the warm-up runs, apart from the measured ones. */
const WARMUP_SEED_BASE = 1_000;

function compare(file: string, articles: LabelledArticle[], k: number | undefined, seedCount: number, warmup: number): void {
  const loadAtStart = loadavg();
  const seeds = Array.from({ length: seedCount }, (_, seed) => seed);
  const categories = new Set(articles.map((article) => article.category)).size;
  console.log(
    `${file}: ${articles.length} articles, ${categories} categories; k ${k ?? 'chosen by the pipeline'}; seeds ${seeds.join(', ')}; ${warmup} warm-up runs first`,
  );

  const warmupRuns: Run[] = [];
  for (let run = 0; run < warmup; run++) warmupRuns.push(runOurs(articles, k, WARMUP_SEED_BASE + run).run);

  const runs: Run[] = [];
  const labels: string[][] = [];
  for (const seed of seeds) {
    const { run, result } = runOurs(articles, k, seed);
    runs.push(run);
    labels.push(result.topics.map((topic) => `${topic.label} (${topic.members.length})`));
    const tried = result.kSelection
      ? `  k-selection ${result.kSelection.method}: ${result.kSelection.tried.map((t) => `${t.k}:${t.score.toFixed(3)}`).join(' ')}`
      : '';
    console.log(
      `  ours seed ${seed}: k ${run.k}  NMI ${run.nmi.toFixed(4)}  ARI ${run.ari.toFixed(4)}  ${run.timings.total.toFixed(0)} ms${tried}`,
    );
  }
  const sklearnK = k ?? mostCommon(runs.map((run) => run.k));
  const python = findPythonWithSklearn();
  let sklearn: SklearnOutput | null = null;
  if (python === null) {
    console.log(
      '\nscikit-learn not found (tried python3 and /usr/bin/python3): install it with `apt-get install python3-sklearn` to compare.',
    );
  } else {
    if (k === undefined)
      console.log(`\nscikit-learn is given k = ${sklearnK}, the k our pipeline chose most often (it has no choice of k).`);
    sklearn = runSklearn(python, articles, sklearnK, seeds, warmup);
  }

  const widths = [32, 24, 24];
  console.log('');
  console.log(row(['', 'ours', sklearn ? `scikit-learn ${sklearn.version}` : 'scikit-learn'], widths));
  const metricRow = (name: string, ours: number[], theirs: number[] | null) =>
    console.log(row([name, summary(ours), theirs ? summary(theirs) : '—'], widths));
  metricRow(
    'NMI mean (min–max)',
    runs.map((run) => run.nmi),
    sklearn?.runs.map((run) => run.nmi) ?? null,
  );
  metricRow(
    'ARI mean (min–max)',
    runs.map((run) => run.ari),
    sklearn?.runs.map((run) => run.ari) ?? null,
  );
  metricRow(
    'V-measure mean (min–max)',
    runs.map((run) => run.vMeasure),
    sklearn?.runs.map((run) => run.v_measure) ?? null,
  );
  const spread = (values: number[]) => (Math.max(...values) - Math.min(...values)).toFixed(4);
  console.log(
    row(
      ['NMI spread (max − min)', spread(runs.map((run) => run.nmi)), sklearn ? spread(sklearn.runs.map((run) => run.nmi)) : '—'],
      widths,
    ),
  );
  console.log(row(['k per seed', runs.map((run) => run.k).join(' '), sklearn ? `${sklearnK} (given)` : '—'], widths));
  console.log(row(['median time (ms)', '', ''], widths));
  const oursMedian = (stage: string) => median(runs.map((run) => run.timings[stage] ?? 0));
  const theirsMedian = (stage: string) => (sklearn ? median(sklearn.runs.map((run) => run.timings[stage] ?? 0)) : null);
  const timeRow = (name: string, ours: number, theirs: number | null) =>
    console.log(row([name, ours.toFixed(1), theirs === null ? '—' : theirs.toFixed(1)], widths));
  timeRow(
    '  vectorise (incl. tokenise)',
    median(runs.map((run) => run.timings.tokenise + (run.timings.vectorise ?? 0))),
    theirsMedian('vectorise'),
  );
  console.log(row(['    of which tokenise', oursMedian('tokenise').toFixed(1), '—'], widths));
  timeRow('  reduce (LSA)', oursMedian('reduce'), theirsMedian('reduce'));
  timeRow('  cluster (k-means, k, scores)', oursMedian('cluster'), theirsMedian('cluster'));
  timeRow('  label', oursMedian('label'), null);
  timeRow('  relate', oursMedian('relate'), null);
  const oursToLabels = median(runs.map(toLabels));
  const theirsTotal = theirsMedian('total');
  timeRow('  to labelled topics', oursToLabels, theirsTotal);
  timeRow('  total, with relate', oursMedian('total'), theirsTotal);
  if (theirsTotal !== null) {
    console.log(row(['time ratio, to labelled topics', (oursToLabels / theirsTotal).toFixed(2), ''], widths));
    console.log(row(['time ratio, with relate', (oursMedian('total') / theirsTotal).toFixed(2), ''], widths));
  }
  if (warmup > 0) {
    console.log(
      row(
        ['first run, to labelled topics', toLabels(warmupRuns[0]).toFixed(0), sklearn ? sklearn.warmup[0].toFixed(0) : '—'],
        widths,
      ),
    );
  }
  console.log(`(LSA dimensions: ours ${runs[0].dimensions}, scikit-learn's reference TruncatedSVD(100))`);
  const [loadBefore] = loadAtStart;
  console.log(
    `(1-minute load average: ${loadBefore.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end, on ${availableParallelism()} cores)`,
  );
  console.log(`\nTopics of seed ${seeds[0]}:`);
  for (const label of labels[0]) console.log(`  ${label}`);
}

/** Chosen k on every subset of two or more categories: does the choice match the category count? */
function checkTopicCounts(articles: LabelledArticle[]): void {
  const categories = [...new Set(articles.map((article) => article.category))].sort();
  console.log(`\nChoice of k on every subset of 2–${categories.length} of the ${categories.length} categories (seed 0):`);
  let correct = 0;
  let subsets = 0;
  for (let mask = 1; mask < 1 << categories.length; mask++) {
    const chosen = categories.filter((_, i) => (mask & (1 << i)) !== 0);
    if (chosen.length < 2) continue;
    const subset = articles.filter((article) => chosen.includes(article.category));
    const { run } = runOurs(subset, undefined, 0);
    subsets++;
    if (run.k === chosen.length) correct++;
    console.log(
      `  ${chosen.join(', ').padEnd(48)} k ${run.k}${run.k === chosen.length ? '' : `  (categories: ${chosen.length})`}  NMI ${run.nmi.toFixed(3)}`,
    );
  }
  console.log(`  k equals the number of categories in ${correct} of ${subsets} subsets`);
}

/**
 * A synthetic corpus of `count` articles of about 2 KB, each made of sentences drawn from one
 * category's articles, streamed into the corpus as the clustering job streams from the database.
 */
function scaleRun(articles: LabelledArticle[], count: number): void {
  const sentencesByCategory = new Map<string, string[]>();
  for (const { category, body } of articles) {
    const sentences = body.split(/(?<=[.!?])\s+/).filter((sentence) => sentence.length > 20);
    sentencesByCategory.set(category, [...(sentencesByCategory.get(category) ?? []), ...sentences]);
  }
  const categories = [...sentencesByCategory.keys()].sort();
  const random = new SeededRandom(2025);
  let peakRss = process.memoryUsage().rss;
  const sampleMemory = () => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };

  console.log(`\nSynthetic corpus: ${count} articles of ~2 KB of shuffled ${articles.length}-article sentences by category`);
  const start = performance.now();
  const corpus = createCorpus();
  const truth: string[] = [];
  let characters = 0;
  for (let i = 0; i < count; i++) {
    const category = categories[random.nextInt(categories.length)];
    const sentences = sentencesByCategory.get(category) ?? [];
    const title = sentences[random.nextInt(sentences.length)].slice(0, 80);
    let body = '';
    while (body.length < 2000) body += `${sentences[random.nextInt(sentences.length)]} `;
    characters += title.length + body.length;
    corpus.add({ title, body });
    truth.push(category);
    if (i % 10_000 === 0) sampleMemory();
  }
  const tokenise = performance.now() - start;
  sampleMemory();
  console.log(
    `  text streamed: ${(characters / 1e6).toFixed(0)} MB; corpus built in ${(tokenise / 1000).toFixed(1)} s (generation included)`,
  );
  let lastStage = '';
  const result = clusterCorpus(corpus, {
    k: undefined,
    seed: 0,
    onProgress: (stage) => {
      sampleMemory();
      if (stage !== lastStage) {
        lastStage = stage;
        process.stdout.write(`  ${stage}…`);
      }
    },
  });
  sampleMemory();
  const total = performance.now() - start;
  console.log('');
  const timings = Object.entries(result.timings).map(([stage, ms]) => `${stage} ${(ms / 1000).toFixed(1)} s`);
  console.log(`  stages: ${timings.join(', ')}`);
  console.log(
    `  total ${(total / 1000).toFixed(1)} s; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MB; k ${result.k}; vocabulary ${result.parameters.vocabularySize}`,
  );
  console.log(`  NMI vs source category ${score(truth, result).nmi.toFixed(3)}`);
}

const { values } = parseArgs({
  options: {
    file: { type: 'string', default: '../shared/corpora/bbc.jsonl' },
    k: { type: 'string' },
    seeds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    'k-check': { type: 'boolean', default: false },
    scale: { type: 'string' },
  },
});
const file = values.file;
const articles = readCorpus(file);
if (values.scale !== undefined) {
  scaleRun(articles, Number(values.scale));
} else {
  const k = values.k === undefined ? undefined : Number(values.k);
  if (k !== undefined && (!Number.isInteger(k) || k < 1)) throw new Error(`--k must be a positive integer, got ${values.k}`);
  const warmup = Number(values.warmup);
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`--warmup must be a whole number, got ${values.warmup}`);
  compare(file, articles, k, positiveInteger('--seeds', values.seeds), warmup);
  if (values['k-check']) checkTopicCounts(articles);
}
