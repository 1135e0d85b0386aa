import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

import { describe, expect, it } from 'vitest';
import { chooseTopicCount } from '../src/clustering/choose-k.js';
import {
  adjustedRandIndex,
  assignDocuments,
  type ClusterDocument,
  type ClusteringResult,
  type ClusteringStage,
  clusterCorpus,
  clusterDocuments,
  createCorpus,
  LABEL_SEPARATOR,
  normalizedMutualInformation,
  vMeasure,
} from '../src/clustering/index.js';
import { kMeans } from '../src/clustering/kmeans.js';
import { randomizedTruncatedSvd } from '../src/clustering/truncated-svd.js';
import { denseMatrix } from '../src/numeric/dense-matrix.js';
import { allocateKMeansStarts, kMeansStarts } from '../src/numeric/kmeans-starts.js';
import { deriveSeed } from '../src/numeric/random.js';
import { defaultParallel, singleThread } from '../src/parallel/compute.js';
import { HelperPool } from '../src/parallel/pool.js';
import { sharedArrays } from '../src/parallel/shared-arrays.js';
import { type Corpus, createCorpus as createTextCorpus } from '../src/text/corpus.js';
import { scanTexts } from '../src/text/tokenize.js';
import { readBbcSample } from './helpers/bbc.js';

/** The four articles of the product's seed page (South China Morning Post), abridged. */
const SEED_ARTICLES: ClusterDocument[] = [
  {
    title: 'South Korea and US seek to revive talks with North Korea as Kim Jong-un rejects Trump letter',
    body: `South Korea's Ministry of Foreign Affairs said on Thursday it is working closely with the United States to revive dialogue with North Korea, amid reports that North Korean leader Kim Jong-un recently rejected a letter from US President Donald Trump.
The remarks followed a report by the US-based outlet NK News that North Korean diplomats at their mission to the United Nations in New York refused to accept the letter. Lee emphasised the ministry's ongoing efforts to reopen communication with Pyongyang to ease tensions and build trust.
Yoon's government adopted a hardline stance against Pyongyang, often responding to North Korea's escalating missile tests with stepped-up joint military drills. The White House said Trump remains open to talks with Kim Jong-un.`,
  },
  {
    title: "Is North Korea's Kim shoring up navy in strategic bid with allies China, Russia?",
    body: `North Korean leader Kim Jong-un has vowed to build a blue-water navy to counter what he described as growing threats from the United States, an ambition that observers say appears to be linked to strategic coordination with Pyongyang allies China and Russia. Kim made the announcement during a launch ceremony for a destroyer, state media reported. In his speech, Kim called for strengthening North Korea's maritime military presence, citing provocations by the US and its allies. Kim insisted the naval build-up was a justified response to joint military exercises and deterrence strategies due to North Korea's advancing nuclear programme.`,
  },
  {
    title: "Will Trump's student visa crackdown backfire and bleed US innovation?",
    body: `Jason, a Chinese geology student studying at a university in the American Midwest, was stunned when he read the news. Jason's disbelief was in response to the Trump administration's declaration that it would aggressively revoke visas for Chinese students. "We will also revise visa criteria to enhance scrutiny of all future visa applications from the People's Republic of China and Hong Kong," US Secretary of State Marco Rubio said. The policy targets Chinese students linked to the Communist Party and those studying in critical fields.`,
  },
  {
    title: 'How Hong Kong can shake off stagnant growth',
    body: `Hong Kong's economic growth and resilience over the past two decades should serve as a source of pride. Real gross domestic product has grown at close to 3 per cent year on year. Hong Kong has rebounded rapidly after each crisis it has faced. Between 2004 and 2014, GDP grew by an average of 4.5 per cent, fuelled by mainland China's economic boom. The past 10 years are more nuanced, as Hong Kong's GDP grew by an average of just 1 per cent. Much has been written about the challenges and potential solutions for Hong Kong's economy. Understanding where future growth will emerge is crucial to Hong Kong's economic transformation.`,
  },
];

/** Three clearly separate subjects, four articles each, for checks that need exact answers. */
const THEMED_ARTICLES: (ClusterDocument & { theme: string })[] = [
  [
    'football',
    'Striker scores late winner',
    'The striker scored a late goal as the league leaders won the match. The manager praised the team after the league match.',
  ],
  [
    'football',
    'Manager sacked after defeat',
    'The club sacked its manager after a fifth league defeat. The team has not scored a goal in three matches and the striker is injured.',
  ],
  [
    'football',
    'Cup final tickets sold out',
    'Fans bought every ticket for the cup final. The team hopes its striker recovers before the match, the manager said after training.',
  ],
  [
    'football',
    'Goalkeeper signs new contract',
    'The goalkeeper signed a new contract with the club. The manager said the team needs him for the league title race and the cup match.',
  ],
  [
    'rates',
    'Central bank raises interest rates',
    'The central bank raised interest rates again as inflation stayed high. Economists expect further increases in interest rates this year.',
  ],
  [
    'rates',
    'Inflation eases slightly',
    'Inflation eased slightly last month, but the central bank said interest rates would stay high until prices stabilise.',
  ],
  [
    'rates',
    'Mortgage costs climb',
    'Higher interest rates pushed mortgage costs up. Borrowers blame the central bank, which is fighting inflation with higher rates.',
  ],
  [
    'rates',
    'Bond markets expect rate cut',
    'Bond markets now expect the central bank to cut interest rates next year as inflation falls and the economy slows.',
  ],
  [
    'phones',
    'New smartphone has bigger battery',
    'The new smartphone has a bigger battery and a faster chip. The phone maker says the camera app uses the chip for photos.',
  ],
  [
    'phones',
    'Phone maker unveils foldable screen',
    'The phone maker unveiled a smartphone with a foldable screen. The battery lasts two days and the chip is faster.',
  ],
  [
    'phones',
    'App store rules change',
    'Smartphone owners will be able to install any app after the phone maker changed its app store rules for the camera and battery apps.',
  ],
  [
    'phones',
    'Chip shortage hits phone sales',
    'A chip shortage cut smartphone sales. The phone maker could not get enough chips for its battery and camera modules.',
  ],
].map(([theme, title, body]) => ({ theme, title, body }));

/**
 * 39 BBC News articles (politics, sport, tech; the first paragraphs only), from D. Greene and
 * P. Cunningham, "Practical Solutions to the Problem of Diagonal Dominance in Kernel Document
 * Clustering", ICML 2006. See test/fixtures/README.md.
 */
const BBC_SUBSET: { category: string; title: string; body: string }[] = readFileSync(
  new URL('./fixtures/bbc-subset.jsonl', import.meta.url),
  'utf8',
)
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as { category: string; title: string; body: string });

function topicOf(result: ClusteringResult, doc: number): number {
  return result.memberships[doc].topic;
}

function labelItems(label: string): string[] {
  return label.replace(/ \(\d+\)$/, '').split(LABEL_SEPARATOR);
}

describe('agreement measures', () => {
  // Hand-computed: contingency [[2, 1, 0], [0, 1, 2]]; MI = (2/3)·ln 2, H(truth) = ln 2,
  // H(predicted) = ln 3; ARI = (2 − 6·3/15) / ((6 + 3)/2 − 6·3/15) = 0.8 / 3.3.
  const truth = [0, 0, 0, 1, 1, 1];
  const predicted = [0, 0, 1, 1, 2, 2];

  it('match hand-computed values (and scikit-learn)', () => {
    const mutualInformation = (2 / 3) * Math.log(2);
    expect(normalizedMutualInformation(truth, predicted)).toBeCloseTo(mutualInformation / ((Math.log(2) + Math.log(3)) / 2), 12);
    expect(adjustedRandIndex(truth, predicted)).toBeCloseTo(0.8 / 3.3, 12);
    const v = vMeasure(truth, predicted);
    expect(v.homogeneity).toBeCloseTo(2 / 3, 12);
    expect(v.completeness).toBeCloseTo(mutualInformation / Math.log(3), 12);
    expect(v.vMeasure).toBeCloseTo(0.5158037429793889, 12);
  });

  it('ignore the names of the groups and handle degenerate partitions', () => {
    expect(normalizedMutualInformation(['a', 'a', 'b', 'b'], [7, 7, 3, 3])).toBe(1);
    expect(adjustedRandIndex(['a', 'a', 'b', 'b'], [7, 7, 3, 3])).toBe(1);
    expect(normalizedMutualInformation(['a', 'a', 'b', 'b'], [1, 1, 1, 1])).toBe(0);
    expect(adjustedRandIndex(['a', 'a', 'b', 'b'], [1, 1, 1, 1])).toBe(0);
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(-0.5, 12);
  });
});

describe('seed articles', () => {
  const result = clusterDocuments(SEED_ARTICLES);

  it('put both North Korea articles in one topic, without the Hong Kong one', () => {
    expect(topicOf(result, 0)).toBe(topicOf(result, 1));
    expect(topicOf(result, 3)).not.toBe(topicOf(result, 0));
    expect(result.k).toBeGreaterThanOrEqual(2);
  });

  it('name the topics after North Korea and Hong Kong', () => {
    expect(result.topics[topicOf(result, 0)].label).toMatch(/North Korea|Kim Jong-un/);
    expect(result.topics[topicOf(result, 3)].label).toMatch(/Hong Kong/);
  });

  it('choose k from the data and report the evidence', () => {
    expect(result.kSelection?.chosen).toBe(result.k);
    expect(result.kSelection?.tried.length).toBeGreaterThan(0);
  });
});

describe('clustering', () => {
  const docs = THEMED_ARTICLES.map(({ title, body }) => ({ title, body }));
  const themes = THEMED_ARTICLES.map(({ theme }) => theme);

  it('separates clearly different subjects', () => {
    const result = clusterDocuments(docs, { k: 3, seed: 1 });
    expect(
      adjustedRandIndex(
        themes,
        result.memberships.map((m) => m.topic),
      ),
    ).toBe(1);
  });

  it('is deterministic for a seed', () => {
    const first = clusterDocuments(BBC_SUBSET, { seed: 7 });
    const second = clusterDocuments(BBC_SUBSET, { seed: 7 });
    const { timings: _firstTimings, ...firstWithoutTimings } = first;
    const { timings: _secondTimings, ...secondWithoutTimings } = second;
    expect(secondWithoutTimings).toEqual(firstWithoutTimings);
    // Another seed is allowed to differ, but must still give a complete result.
    const other = clusterDocuments(BBC_SUBSET, { seed: 8 });
    expect(other.memberships).toHaveLength(BBC_SUBSET.length);
  });

  it('streams documents through a corpus with the same result', () => {
    const corpus = createCorpus();
    for (const doc of docs) corpus.add(doc);
    const streamed = clusterCorpus(corpus, { k: 3, seed: 1 });
    const direct = clusterDocuments(docs, { k: 3, seed: 1 });
    expect(streamed.memberships).toEqual(direct.memberships);
    expect(streamed.topics).toEqual(direct.topics);
  });

  it('reports progress through the stages in order, and their timings', () => {
    const stages: ClusteringStage[] = [];
    const lastReports: [number, number][] = [];
    const result = clusterDocuments(docs, {
      k: 3,
      onProgress: (stage, done, total) => {
        expect(done).toBeLessThanOrEqual(total);
        if (stages.at(-1) !== stage) stages.push(stage);
        lastReports[stages.length - 1] = [done, total];
      },
    });
    expect(stages).toEqual(['vectorise', 'reduce', 'cluster', 'label', 'relate']);
    // Each stage's last report says it is complete.
    for (const [done, total] of lastReports) expect(done).toBe(total);
    expect(Object.keys(result.timings)).toEqual(['vectorise', 'reduce', 'cluster', 'label', 'relate']);
    expect(result.parameters).toMatchObject({ k: 3, documents: 12, kChosenBy: 'option' });
    expect(result.quality.inertia).toBeGreaterThan(0);
  });

  it('lists members best first and scores them by centroid similarity', () => {
    const result = clusterDocuments(BBC_SUBSET, { k: 3 });
    for (const topic of result.topics) {
      const scores = topic.members.map((member) => result.memberships[member].score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    }
    expect(result.memberships.filter((m) => m.weak).every((m) => m.score < result.model.weakThreshold)).toBe(true);
    expect(result.memberships.some((m) => !m.weak)).toBe(true);
  });

  it('relates each document to up to five others of its topic, and topics to topics', () => {
    const result = clusterDocuments(BBC_SUBSET, { k: 3 });
    result.relatedDocuments.forEach((neighbours, doc) => {
      expect(neighbours.length).toBeLessThanOrEqual(5);
      for (const { index } of neighbours) {
        expect(index).not.toBe(doc);
        expect(topicOf(result, index)).toBe(topicOf(result, doc));
      }
      const scores = neighbours.map(({ score }) => score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    });
    expect(result.relatedTopics).toHaveLength(3);
    for (const [topic, related] of result.relatedTopics.entries()) {
      expect(related.map(({ index }) => index).sort()).toEqual([0, 1, 2].filter((other) => other !== topic));
    }
  });

  it('handles an empty corpus and a single article', () => {
    expect(clusterDocuments([]).topics).toEqual([]);
    const single = clusterDocuments([SEED_ARTICLES[0]]);
    expect(single.k).toBe(1);
    expect(single.memberships[0].topic).toBe(0);
  });
});

describe('labels', () => {
  it('follow the label rules on the BBC subset', () => {
    for (const k of [3, 6]) {
      const result = clusterDocuments(BBC_SUBSET, { k, seed: 3 });
      const labels = result.topics.map((topic) => topic.label);
      expect(new Set(labels.map((label) => label.toLowerCase())).size).toBe(labels.length);
      for (const topic of result.topics) {
        const items = labelItems(topic.label);
        expect(items.length).toBeGreaterThanOrEqual(2);
        expect(items.length).toBeLessThanOrEqual(4);
        const words = items.flatMap((item) => item.toLowerCase().split(' '));
        expect(new Set(words).size).toBe(words.length);
        expect(words).not.toContain('the');
        expect(topic.keywords.length).toBeGreaterThanOrEqual(10);
        expect(topic.keywords[0].weight).toBe(1);
      }
    }
  });

  it('prefer a phrase to its words and keep its written form', () => {
    const result = clusterDocuments(SEED_ARTICLES);
    const label = result.topics[topicOf(result, 3)].label;
    expect(label).toContain('Hong Kong');
    expect(labelItems(label)).not.toContain('Hong');
    expect(labelItems(label)).not.toContain('Kong');
  });
});

describe('assignDocuments', () => {
  it('places a held-out article into the topic of its subject', () => {
    const docs = THEMED_ARTICLES.map(({ title, body }) => ({ title, body }));
    const result = clusterDocuments(docs, { k: 3, seed: 2 });
    const [football, rates, phones] = [0, 4, 8].map((doc) => topicOf(result, doc));
    const placed = assignDocuments(result.model, [
      { title: 'Striker injured before cup match', body: 'The team will miss its striker for the cup match, the manager said.' },
      { title: 'Rates on hold', body: 'The central bank kept interest rates on hold while inflation slowed.' },
      { title: 'Battery life improves', body: 'The new smartphone chip saves battery, the phone maker said.' },
    ]);
    expect(placed.map((membership) => membership.topic)).toEqual([football, rates, phones]);
    for (const membership of placed) expect(membership.score).toBeGreaterThan(0.5);
  });

  it('gives a training article its own topic and (nearly) its score back', () => {
    const result = clusterDocuments(BBC_SUBSET, { k: 3, seed: 4 });
    const placed = assignDocuments(result.model, BBC_SUBSET.slice(0, 5));
    placed.forEach((membership, doc) => {
      expect(membership.topic).toBe(topicOf(result, doc));
      // Training vectors are the SVD's U·Σ, new ones a projection onto the components (as in
      // scikit-learn's fit_transform and transform): equal up to the sketch's approximation.
      expect(Math.abs(membership.score - result.memberships[doc].score)).toBeLessThan(0.05);
    });
  });

  it('flags an article that shares no vocabulary as weak', () => {
    const result = clusterDocuments(SEED_ARTICLES);
    const [placed] = assignDocuments(result.model, [{ title: 'Zzz', body: 'Qwerty uiop asdf.' }]);
    expect(placed.score).toBe(0);
    expect(placed.weak).toBe(true);
  });
});

/** Park and Miller's minimal standard generator, centred: values in (−0.5, 0.5). */
function minimalStandard(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647 - 0.5;
  };
}

describe('building blocks', () => {
  it('k-means (ml-kmeans, best of several starts) recovers separated groups, the same for a seed', () => {
    const rows = 90;
    const width = 3;
    const vectors = new Float64Array(rows * width);
    const truth: number[] = [];
    for (let row = 0; row < rows; row++) {
      const blob = row % 3;
      truth.push(blob);
      for (let d = 0; d < width; d++) vectors[row * width + d] = (d === blob ? 10 : 0) + Math.sin(row * 7.3 + d) * 0.5;
    }
    const best = kMeans(vectors, rows, width, { k: 3, seed: 5, restarts: 4 });
    expect(adjustedRandIndex(truth, Array.from(best.assignments))).toBe(1);
    expect(kMeans(vectors, rows, width, { k: 3, seed: 5, restarts: 4 })).toEqual(best);
    const single = kMeans(vectors, rows, width, { k: 3, seed: 5, restarts: 1 });
    expect(best.inertia).toBeLessThanOrEqual(single.inertia + 1e-9);
  });

  it('randomized SVD recovers the singular values of a small sparse matrix', () => {
    // Rows e1·3, e2·2, e3·1 (diagonal): singular values 3, 2, 1.
    const svd = randomizedTruncatedSvd(
      {
        rows: 3,
        columns: 4,
        rowStart: Int32Array.from([0, 1, 2, 3]),
        columnIndex: Int32Array.from([0, 1, 2]),
        values: Float32Array.from([3, 2, 1]),
      },
      { dimensions: 2, seed: 1 },
    );
    expect(Array.from(svd.singularValues)).toEqual([expect.closeTo(3, 9), expect.closeTo(2, 9), expect.closeTo(1, 9)]);
    expect(svd.dimensions).toBe(2);
  });

  /** The process's threads, with the helper started: every split below must really be split. */
  const twoThreads = async () => {
    const parallel = defaultParallel();
    expect(await parallel.whenReady()).toBe(availableParallelism() >= 2);
    return parallel;
  };

  it('products split between two threads equal the products on one', async () => {
    const parallel = await twoThreads();
    const helperTasks = parallel.helperTasks();
    const random = minimalStandard(1);
    const rows = 400;
    const inner = 120;
    const width = 90;
    const a = denseMatrix(rows, inner, Float64Array.from({ length: rows * inner }, random));
    const m = denseMatrix(inner, width, Float64Array.from({ length: inner * width }, random));
    const expected = singleThread.multiplyDense(a, m);
    expect(parallel.multiplyDense(a, m)).toEqual(expected);
    // Only the columns from 30 on, into a shared scratch.
    const fromThirty = parallel.multiplyDense(a, m, {
      into: denseMatrix(rows, width, sharedArrays.float64(rows * width)),
      fromColumn: 30,
    });
    for (let row = 0; row < rows; row++) {
      const columns = [row * width + 30, (row + 1) * width] as const;
      expect(fromThirty.values.subarray(...columns)).toEqual(expected.values.subarray(...columns));
    }
    // Few rows: split by columns.
    const wide = denseMatrix(inner, 6000, Float64Array.from({ length: inner * 6000 }, random));
    const fewRows = denseMatrix(4, inner, a.values.subarray(0, 4 * inner));
    expect(parallel.multiplyDense(fewRows, wide)).toEqual(singleThread.multiplyDense(fewRows, wide));

    const rowStart = Int32Array.from({ length: rows + 1 }, (_, row) => row * 60);
    const columnIndex = Int32Array.from({ length: rows * 60 }, (_, e) => (e * 7919) % inner);
    const values = Float32Array.from({ length: rows * 60 }, random);
    const sparse = { rows, columns: inner, rowStart, columnIndex, values };
    const sparseExpected = singleThread.multiplySparse(sparse, m);
    expect(parallel.multiplySparse(sparse, m)).toEqual(sparseExpected);
    // Into a reused, larger shared buffer: the leading rows × width values.
    const workspace = sharedArrays.float64(rows * width + 100).fill(7);
    parallel.multiplySparse(sparse, m, denseMatrix(rows, width, workspace));
    expect(workspace.subarray(0, rows * width)).toEqual(sparseExpected.values);

    // Normal values do not depend on which thread draws them.
    const normals = parallel.fillStandardNormal(sharedArrays.float64(1_000_000), 1_000_000, [1, 2]);
    const drawnHere = singleThread.fillStandardNormal(new Float64Array(1_000_000), 1_000_000, [1, 2]);
    expect(normals.every((value, i) => value === drawnHere[i])).toBe(true);
    const mean = normals.reduce((sum, value) => sum + value, 0) / normals.length;
    const variance = normals.reduce((sum, value) => sum + value * value, 0) / normals.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(variance).toBeCloseTo(1, 1);
    // The helper took part in each product (three dense, two sparse, the normals).
    if (availableParallelism() >= 2) expect(parallel.helperTasks() - helperTasks).toBe(6);
  });

  it('k-means starts split between two threads equal the starts run on one', async () => {
    const parallel = await twoThreads();
    const helperTasks = parallel.helperTasks();
    // Enough work (rows × width × k × starts) for the helper to take half the starts.
    const rows = 4000;
    const width = 40;
    const random = minimalStandard(3);
    const vectors = Float64Array.from(
      { length: rows * width },
      (_, i) => random() + (Math.floor(i / width) % 4 === i % 4 ? 2 : 0),
    );
    const split = kMeans(vectors, rows, width, { k: 4, seed: 9, restarts: 4, parallel });
    if (availableParallelism() >= 2) expect(parallel.helperTasks()).toBe(helperTasks + 1);
    const output = allocateKMeansStarts(rows, width, 4, 4);
    const seeds = [0, 1, 2, 3].map((restart) => deriveSeed(9, restart));
    kMeansStarts({ data: denseMatrix(rows, width, vectors), k: 4, seeds, maxIterations: 100 }, output);
    const { stats } = output;
    const best = [0, 1, 2, 3].reduce(
      (bestSoFar, start) => (stats[2 * start] < stats[2 * bestSoFar] - 1e-9 ? start : bestSoFar),
      0,
    );
    expect(split.inertia).toBe(stats[2 * best]);
    expect(Array.from(split.assignments)).toEqual(Array.from(output.assignments.subarray(best * rows, (best + 1) * rows)));
    expect(kMeans(vectors, rows, width, { k: 4, seed: 9, restarts: 4, parallel: singleThread })).toEqual(split);
  });

  it('a corpus built with the helper thread scanning equals one built document by document', async () => {
    const parallel = await twoThreads();
    const helperTasks = parallel.helperTasks();
    const documents = readBbcSample();
    const oneByOne = createTextCorpus();
    for (const document of documents) oneByOne.add(document);
    // Scanned by a second tokeniser, as the helper does, then counted.
    const scannedHere = createTextCorpus();
    scannedHere.addScanned(documents, scanTexts(documents.flatMap(({ title, body }) => [title, body])));
    const split = createTextCorpus();
    parallel.addDocuments(split, documents);
    if (availableParallelism() >= 2) expect(parallel.helperTasks()).toBeGreaterThan(helperTasks);
    const snapshot = (corpus: Corpus) => {
      const view = corpus.view();
      return {
        terms: Array.from({ length: view.termCount }, (_, termId) => view.termText(termId)),
        documentFrequency: Array.from(view.documentFrequency),
        documentStart: Array.from(view.documentStart),
        entryTerms: Array.from(view.entryTerms),
        entryWeights: Array.from(view.entryWeights),
        forms: Array.from({ length: view.termCount }, (_, termId) => corpus.surfaceForm(termId)),
      };
    };
    const expected = snapshot(oneByOne);
    expect(snapshot(scannedHere)).toEqual(expected);
    expect(snapshot(split)).toEqual(expected);
    expect(expected.forms).toContain('Tony Blair');
  });

  it('a whole run gives the same result on one thread as on two', async () => {
    const parallel = await twoThreads();
    const helperTasks = parallel.helperTasks();
    const documents = readBbcSample();
    const withoutTimings = ({ timings, ...result }: ClusteringResult) => result;
    const onTwo = clusterDocuments(documents, { k: 5, seed: 3, parallel });
    if (availableParallelism() >= 2) expect(parallel.helperTasks()).toBeGreaterThan(helperTasks);
    const onOne = clusterDocuments(documents, { k: 5, seed: 3, parallel: singleThread });
    expect(withoutTimings(onTwo)).toEqual(withoutTimings(onOne));
    expect(assignDocuments(onTwo.model, documents.slice(0, 300))).toEqual(assignDocuments(onOne.model, documents.slice(0, 300)));
  });

  it('a task that fails in the helper replaces the helper and is reported', async () => {
    const pool = new HelperPool();
    try {
      expect(await pool.whenReady()).toBe(true);
      // ml-kmeans refuses more clusters than rows: the task throws in the helper.
      const data = denseMatrix(2, 1, sharedArrays.float64(2));
      const output = allocateKMeansStarts(2, 1, 3, 1, sharedArrays);
      const failing = pool.post({ kind: 'kmeans-starts', input: { data, k: 3, seeds: [1], maxIterations: 5 }, output });
      expect(pool.finish(failing)).toBe(false);
      expect(pool.tasksDone).toBe(0);
      // A new helper takes the next tasks.
      expect(await pool.whenReady()).toBe(true);
      const target = sharedArrays.float64(8);
      expect(pool.finish(pool.post({ kind: 'standard-normal', target, from: 0, to: 8, seed: 3 }))).toBe(true);
      expect(target.every((value) => value !== 0)).toBe(true);
      expect(pool.tasksDone).toBe(1);
    } finally {
      pool.close();
    }
  });

  it('chooses k at the largest gap of the spectrum', () => {
    const selection = chooseTopicCount(Float64Array.from([9, 5, 4.8, 4.6, 2, 1.9]), 100);
    expect(selection.chosen).toBe(4);
    expect(selection.tried.map(({ k }) => k)).toEqual([2, 3, 4, 5]);
  });
});
