import type { Corpus } from '../text/corpus.js';
import { PHRASE_SEPARATOR } from '../text/tokenize.js';
import type { WeightedTerm } from './types.js';

/** Words worth counting in vectors but saying nothing as a topic name. */
const UNLABELLED_WORDS: ReadonlySet<string> = new Set(
  `said says say saying told tell mr mrs ms year years week weeks month months time times day days
  today yesterday people added like just going want way lot make makes made come came did does got
  think know ago`.split(/\s+/),
);

export const LABEL_SEPARATOR = ' · ';
const MIN_LABEL_ITEMS = 2;
/** Items a label usually has at most; one more only to tell two topics apart. */
const USUAL_LABEL_ITEMS = 3;
const MAX_LABEL_ITEMS = 4;
/** Items beyond the second join a label only if they score at least this share of the first. */
const EXTRA_ITEM_SHARE = 0.55;
/** A phrase replaces its word when it scores at least this share of the word. */
const PHRASE_PREFERENCE_SHARE = 0.5;
const CANDIDATES_PER_TOPIC = 60;
export const KEYWORDS_PER_TOPIC = 12;

export interface TopicLabel {
  label: string;
  keywords: WeightedTerm[];
}

export interface LabelOptions {
  /** Terms found in fewer documents are never labels (the vectoriser's min_df). */
  minDocumentFrequency: number;
}

interface ScoredTerm {
  termId: number;
  term: string;
  /** The words of the term, for the no-repetition rule. */
  words: string[];
  score: number;
}

/**
 * Distinctiveness of a term for a topic, from document frequencies: the share of the topic's
 * articles that use it times the log-ratio of that share to the share outside the topic
 * (a class-based tf-idf). High for "north korea" in a Korea topic; low for "government", which
 * every topic uses, and for rare terms that only a few of the topic's articles use.
 */
function distinctiveness(inTopic: number, topicSize: number, elsewhere: number, outsideSize: number): number {
  const shareIn = inTopic / topicSize;
  if (outsideSize === 0) return shareIn * Math.log(1 / Math.max(shareIn, 1e-9));
  // Half a document of smoothing outside keeps terms absent elsewhere finite and ranked by shareIn.
  const shareOut = (elsewhere + 0.5) / (outsideSize + 1);
  return shareIn * Math.log(shareIn / shareOut);
}

/** Plural endings, so that "tory" and "tories" or "game" and "games" count as one word. */
function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** Two words are one for labelling if one is the other plus a short ending: korea / korean. */
function sameStem(first: string, second: string): boolean {
  if (first === second) return true;
  const a = singular(first);
  const b = singular(second);
  if (a === b) return true;
  const shorter = Math.min(a.length, b.length);
  let common = 0;
  while (common < shorter && a.charCodeAt(common) === b.charCodeAt(common)) common++;
  return common >= Math.max(4, shorter - 2) && Math.max(a.length, b.length) - common <= 3;
}

function sharesWord(words: string[], chosen: string[]): boolean {
  return words.some((word) => chosen.some((other) => sameStem(word, other)));
}

function wordsOf(term: string): string[] {
  return term.split(PHRASE_SEPARATOR);
}

/**
 * Ranked label candidates of every topic. Counts, per topic, the documents using each term the
 * corpus saw at least `minDocumentFrequency` times, including terms the vectoriser pruned for
 * being too common (a label may be "Hong Kong" in a corpus about Hong Kong).
 */
function rankCandidates(corpus: Corpus, assignments: Int32Array, k: number, options: LabelOptions): ScoredTerm[][] {
  const view = corpus.view();
  const columnOfTerm = new Int32Array(view.termCount).fill(-1);
  const candidateTerms: number[] = [];
  for (let termId = 0; termId < view.termCount; termId++) {
    if (view.documentFrequency[termId] < options.minDocumentFrequency) continue;
    if (wordsOf(view.termText(termId)).some((word) => UNLABELLED_WORDS.has(word))) continue;
    columnOfTerm[termId] = candidateTerms.length;
    candidateTerms.push(termId);
  }
  const width = candidateTerms.length;
  const inTopic = new Int32Array(k * width);
  const topicSizes = new Int32Array(k);
  for (let doc = 0; doc < view.documentCount; doc++) {
    const topic = assignments[doc];
    topicSizes[topic]++;
    const offset = topic * width;
    for (let entry = view.documentStart[doc]; entry < view.documentStart[doc + 1]; entry++) {
      const column = columnOfTerm[view.entryTerms[entry]];
      if (column >= 0) inTopic[offset + column]++;
    }
  }

  const ranked: ScoredTerm[][] = [];
  for (let topic = 0; topic < k; topic++) {
    const topicSize = topicSizes[topic];
    const outsideSize = view.documentCount - topicSize;
    const scores = new Float64Array(width);
    if (topicSize > 0) {
      for (let column = 0; column < width; column++) {
        const count = inTopic[topic * width + column];
        if (count === 0) continue;
        const elsewhere = view.documentFrequency[candidateTerms[column]] - count;
        scores[column] = distinctiveness(count, topicSize, elsewhere, outsideSize);
      }
    }
    // Only the best few are ranked: a numeric sort finds the score they must reach.
    const sortedScores = scores.slice().sort();
    const threshold = Math.max(Number.MIN_VALUE, sortedScores[Math.max(0, width - CANDIDATES_PER_TOPIC)] ?? 0);
    const scored: { column: number; score: number }[] = [];
    for (let column = 0; column < width; column++) {
      if (scores[column] >= threshold) scored.push({ column, score: scores[column] });
    }
    // Ties (common in tiny corpora) go to phrases, then to the term seen first.
    scored.sort(
      (a, b) =>
        b.score - a.score ||
        Number(view.termText(candidateTerms[b.column]).includes(PHRASE_SEPARATOR)) -
          Number(view.termText(candidateTerms[a.column]).includes(PHRASE_SEPARATOR)) ||
        a.column - b.column,
    );
    ranked.push(
      scored.slice(0, CANDIDATES_PER_TOPIC).map(({ column, score }) => {
        const termId = candidateTerms[column];
        return { termId, term: view.termText(termId), words: wordsOf(view.termText(termId)), score };
      }),
    );
  }
  return ranked;
}

/**
 * Picks label items from ranked candidates: best first, a phrase in place of its word when the
 * phrase scores nearly as well ("north korea" over "korea"), never a word twice ("kim" after
 * "kim jong-un"), `minItems` to `maxItems` items.
 */
function pickItems(candidates: ScoredTerm[], minItems: number, maxItems: number): ScoredTerm[] {
  const chosen: ScoredTerm[] = [];
  const chosenWords: string[] = [];
  const topScore = candidates[0]?.score ?? 0;
  for (const candidate of candidates) {
    if (chosen.length >= maxItems) break;
    if (chosen.length >= minItems && candidate.score < topScore * EXTRA_ITEM_SHARE) break;
    let item = candidate;
    if (item.words.length === 1) {
      const phrase = candidates.find(
        (other) =>
          other.words.length > 1 &&
          other.words.includes(item.words[0]) &&
          other.score >= item.score * PHRASE_PREFERENCE_SHARE &&
          !sharesWord(other.words, chosenWords),
      );
      if (phrase !== undefined) item = phrase;
    }
    if (chosen.includes(item) || sharesWord(item.words, chosenWords)) continue;
    chosen.push(item);
    chosenWords.push(...item.words);
  }
  return chosen;
}

/**
 * A label and keywords for every topic. Labels are unique: a topic whose label repeats another's
 * gets further items until it differs, and a number as the last resort.
 */
export function labelTopics(corpus: Corpus, assignments: Int32Array, k: number, options: LabelOptions): TopicLabel[] {
  const ranked = rankCandidates(corpus, assignments, k, options);
  const surface = (item: ScoredTerm) => corpus.surfaceForm(item.termId);
  const build = (topic: number, minItems: number) => {
    const items = pickItems(ranked[topic], minItems, Math.max(minItems, USUAL_LABEL_ITEMS));
    return items.length > 0 ? items.map(surface).join(LABEL_SEPARATOR) : `Topic ${topic + 1}`;
  };

  const sizes = new Int32Array(k);
  for (const topic of assignments) sizes[topic]++;
  // Larger topics keep their short labels; smaller ones are extended when they collide.
  const order = Array.from({ length: k }, (_, topic) => topic).sort((a, b) => sizes[b] - sizes[a] || a - b);
  const labels = new Array<string>(k);
  const taken = new Set<string>();
  for (const topic of order) {
    let label = build(topic, MIN_LABEL_ITEMS);
    for (let minItems = MIN_LABEL_ITEMS + 1; taken.has(label.toLowerCase()) && minItems <= MAX_LABEL_ITEMS; minItems++) {
      label = build(topic, minItems);
    }
    for (let suffix = 2; taken.has(label.toLowerCase()); suffix++) label = `${build(topic, MIN_LABEL_ITEMS)} (${suffix})`;
    taken.add(label.toLowerCase());
    labels[topic] = label;
  }

  return labels.map((label, topic) => {
    const top = ranked[topic][0]?.score ?? 1;
    const keywords = ranked[topic].slice(0, KEYWORDS_PER_TOPIC).map((item) => ({
      term: surface(item),
      weight: Math.round((item.score / top) * 1000) / 1000,
    }));
    return { label, keywords };
  });
}
