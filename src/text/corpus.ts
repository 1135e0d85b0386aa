import {
  applyCaseMask,
  type CaseMask,
  PHRASE_SEPARATOR,
  type ScannedTexts,
  type ScannedWords,
  scanWordsInto,
  WordBuffer,
  WordTable,
} from './tokenize.js';

/** A document as the text layer sees it. */
export interface TextDocument {
  title: string;
  body: string;
}

/**
 * Title words count this many times as often as body words: a headline states the subject that
 * the body circles around. Shared by clustering and assignment, hence a constant, not an option.
 */
export const TITLE_WEIGHT = 2;

/** The lead (first paragraph) counts this many extra times: news puts the who and what there (docs/decisions.md D1). */
export const LEAD_EXTRA_WEIGHT = 3;

// A term's weight in a document is summed in an Int32 (Corpus.termState): the weights must be
// whole numbers.
if (!Number.isInteger(TITLE_WEIGHT) || !Number.isInteger(LEAD_EXTRA_WEIGHT)) {
  throw new Error('TITLE_WEIGHT and LEAD_EXTRA_WEIGHT must be whole numbers: term weights are summed as integers');
}

/** Longest lead counted, so that a body without paragraph breaks is not weighted whole. */
const LEAD_MAX_CHARACTERS = 600;

/**
 * Where the lead of a body ends (an offset into it): the first paragraph, up to the first blank
 * line, else the first line, capped at a word boundary.
 */
export function leadEnd(body: string): number {
  const start = body.length - body.trimStart().length;
  const blankLine = /\n\s*\n/.exec(body.slice(start, start + LEAD_MAX_CHARACTERS + 2));
  let end = blankLine ? start + blankLine.index : body.indexOf('\n', start);
  if (end < 0) end = body.length;
  if (end - start <= LEAD_MAX_CHARACTERS) return end;
  // Cut at a space so that no word is split.
  const space = body.lastIndexOf(' ', start + LEAD_MAX_CHARACTERS);
  return space > start ? space : start + LEAD_MAX_CHARACTERS;
}

/** The lead of a body as text. */
export function leadOf(body: string): string {
  return body.slice(0, leadEnd(body)).trimStart();
}

/** Read-only arrays over a corpus, for the vectoriser. Valid until the next `add`. */
export interface CorpusView {
  documentCount: number;
  termCount: number;
  /** Lowercase text of a term; a phrase is two words joined by a space. */
  termText(termId: number): string;
  documentFrequency: Int32Array;
  /** documentCount + 1 offsets into entryTerms / entryWeights. */
  documentStart: Int32Array;
  entryTerms: Int32Array;
  /** Title-weighted raw count of the term in the document. */
  entryWeights: Float32Array;
}

/** Int32 values per term in Corpus.termState: case of the first word, of the second, votes, weight. */
const TERM_STATE = 4;
const CASE_FIRST = 0;
const CASE_SECOND = 1;
const CASE_VOTES = 2;
const WEIGHT = 3;

function growInt32(array: Int32Array<ArrayBuffer>, needed: number, fill = 0): Int32Array<ArrayBuffer> {
  if (needed <= array.length) return array;
  const grown = new Int32Array(Math.max(needed, Math.ceil(array.length * 1.5)));
  grown.set(array);
  if (fill !== 0) grown.fill(fill, array.length);
  return grown;
}

function growFloat32(array: Float32Array<ArrayBuffer>, needed: number): Float32Array<ArrayBuffer> {
  if (needed <= array.length) return array;
  const grown = new Float32Array(Math.max(needed, Math.ceil(array.length * 1.5)));
  grown.set(array);
  return grown;
}

/**
 * Phrase term ids keyed by the term ids of their two words (open addressing, no allocation).
 * A slot's first word, second word and id sit side by side: one memory access per probe.
 */
class PhraseTable {
  /** Per slot: first, second, id (-1 = empty), padding. */
  private slots = new Int32Array(4 * 4096).fill(-1);
  private size = 0;

  /** Stores `id` under (first, second), which must not be stored yet. */
  insert(first: number, second: number, id: number): void {
    const mask = (this.slots.length >> 2) - 1;
    let slot = phraseHash(first, second) & mask;
    while (this.slots[4 * slot + 2] >= 0) slot = (slot + 1) & mask;
    this.slots[4 * slot] = first;
    this.slots[4 * slot + 1] = second;
    this.slots[4 * slot + 2] = id;
    if (++this.size * 2 > this.slots.length >> 2) this.rehash();
  }

  find(first: number, second: number): number {
    const mask = (this.slots.length >> 2) - 1;
    let slot = phraseHash(first, second) & mask;
    for (;;) {
      const id = this.slots[4 * slot + 2];
      if (id < 0) return -1;
      if (this.slots[4 * slot] === first && this.slots[4 * slot + 1] === second) return id;
      slot = (slot + 1) & mask;
    }
  }

  private rehash(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2).fill(-1);
    this.size = 0;
    for (let slot = 0; slot < old.length; slot += 4) {
      if (old[slot + 2] >= 0) this.insert(old[slot], old[slot + 1], old[slot + 2]);
    }
  }
}

function phraseHash(first: number, second: number): number {
  return Math.imul(first, 0x9e3779b1) ^ Math.imul(second, 0x85ebca77);
}

/**
 * A growing bag-of-terms corpus (words and two-word phrases). `add` tokenises a document at once
 * and keeps only its term ids and counts, so a job can stream articles from the database without
 * holding their text: about 8 bytes per distinct term per document.
 */
export class Corpus {
  private readonly words = new WordTable();
  private readonly buffer = new WordBuffer();
  /** Term id of each word id, -1 until the word is first kept. */
  private termOfWord = new Int32Array(1024).fill(-1);
  private readonly phrases = new PhraseTable();
  /**
   * Term text by term id. A phrase's text is made the first time it is asked for ('' until
   * then): most phrases occur once and never make the vocabulary.
   */
  private readonly terms: string[] = [];
  /** The word terms of each phrase, at [2·id, 2·id + 1]; -1 for words. */
  private phraseWords = new Int32Array(2 * 1024);
  private documentFrequency = new Int32Array(1024);

  // Per term, side by side (one memory access for all that a token updates): the case vote and
  // the term's weight in the document being added. The vote finds the most common way the term
  // is written by a running majority vote (Boyer–Moore) over case masks: constant memory per
  // term, and exact whenever one form is written most of the time, as "North Korea" or "growth"
  // are. Phrases vote with both words' masks. Weights are sums of small integers.
  private termState = new Int32Array(TERM_STATE * 1024);

  private documentStart = new Int32Array(1024);
  private entryTerms = new Int32Array(65536);
  private entryWeights = new Float32Array(65536);
  private documents = 0;
  private entries = 0;

  private touchedTerms = new Int32Array(1024);
  private touchedCount = 0;

  get documentCount(): number {
    return this.documents;
  }

  get termCount(): number {
    return this.terms.length;
  }

  add(document: TextDocument): void {
    this.addText(document.title, TITLE_WEIGHT, 0);
    this.addText(document.body, 1, leadEnd(document.body));
    this.closeDocument();
  }

  view(): CorpusView {
    return {
      documentCount: this.documents,
      termCount: this.terms.length,
      termText: (termId) => this.termText(termId),
      documentFrequency: this.documentFrequency.subarray(0, this.terms.length),
      documentStart: this.documentStart.subarray(0, this.documents + 1),
      entryTerms: this.entryTerms.subarray(0, this.entries),
      entryWeights: this.entryWeights.subarray(0, this.entries),
    };
  }

  /** The id of a lowercase term ("korea", "north korea"), or -1 when the corpus never kept it. */
  termId(term: string): number {
    const separator = term.indexOf(PHRASE_SEPARATOR);
    if (separator < 0) return this.termOfKnownWord(term);
    const first = this.termOfKnownWord(term.slice(0, separator));
    const second = this.termOfKnownWord(term.slice(separator + 1));
    if (first < 0 || second < 0) return -1;
    return this.phrases.find(first, second);
  }

  /** Lowercase text of a term: "korea", "north korea". */
  termText(termId: number): string {
    const first = this.phraseWords[2 * termId];
    if (first < 0 || this.terms[termId] !== '') return this.terms[termId];
    const text = this.terms[first] + PHRASE_SEPARATOR + this.terms[this.phraseWords[2 * termId + 1]];
    this.terms[termId] = text;
    return text;
  }

  /** The way the term was most often written: "North Korea", "Kim Jong-un", "growth". */
  surfaceForm(termId: number): string {
    const term = this.termText(termId);
    const separator = term.indexOf(PHRASE_SEPARATOR);
    if (separator < 0) return applyCaseMask(term, this.termState[TERM_STATE * termId + CASE_FIRST]);
    return (
      applyCaseMask(term.slice(0, separator), this.termState[TERM_STATE * termId + CASE_FIRST]) +
      PHRASE_SEPARATOR +
      applyCaseMask(term.slice(separator + 1), this.termState[TERM_STATE * termId + CASE_SECOND])
    );
  }

  private termOfKnownWord(word: string): number {
    const wordId = this.words.find(word);
    return wordId < 0 || wordId >= this.termOfWord.length ? -1 : this.termOfWord[wordId];
  }

  /**
   * Adds documents whose texts were scanned elsewhere (scanTexts, on another thread for instance),
   * as `add` would have added them: the same words, in the same order, counted here. `scanned`
   * holds each document's title then body, and is used up (its word ids become this corpus's).
   */
  addScanned(documents: readonly TextDocument[], scanned: ScannedTexts): void {
    if (scanned.textStart.length !== 2 * documents.length + 1) {
      throw new Error(`scanned texts of ${(scanned.textStart.length - 1) / 2} documents given for ${documents.length}`);
    }
    // That tokeniser's word ids become this corpus's.
    const wordIdOf = Int32Array.from(scanned.words, (word) => this.words.internWord(word));
    const { wordIds } = scanned;
    for (let i = 0; i < wordIds.length; i++) wordIds[i] = wordIdOf[wordIds[i]];
    for (let d = 0; d < documents.length; d++) {
      const { textStart } = scanned;
      this.countWords(scanned, textStart[2 * d], textStart[2 * d + 1], TITLE_WEIGHT, 0);
      this.countWords(scanned, textStart[2 * d + 1], textStart[2 * d + 2], 1, leadEnd(documents[d].body));
      this.closeDocument();
    }
  }

  /** Counts the words and phrases of `text`; words starting before `leadEnd` count extra. */
  private addText(text: string, weight: number, leadEnd: number): void {
    scanWordsInto(text, this.words, this.buffer);
    this.countWords(this.buffer, 0, this.buffer.length, weight, leadEnd);
  }

  /** Counts the scanned words [from, to) of one text and the phrases they form. */
  private countWords(words: ScannedWords, from: number, to: number, weight: number, leadEnd: number): void {
    // Local arrays: the loop then reads the same kind of object whoever scanned the words.
    const { wordIds, caseMasks, continuesPhrase, starts } = words;
    let previousTerm = -1;
    let previousMask: CaseMask = 0;
    for (let i = from; i < to; i++) {
      const caseMask = caseMasks[i];
      const wordWeight = starts[i] < leadEnd ? weight + LEAD_EXTRA_WEIGHT : weight;
      const term = this.wordTerm(wordIds[i]);
      this.count(term, wordWeight);
      this.voteCase(term, caseMask, 0);
      if (continuesPhrase[i] === 1 && previousTerm >= 0) {
        let phrase = this.phrases.find(previousTerm, term);
        if (phrase < 0) {
          phrase = this.newTerm('');
          this.phraseWords[2 * phrase] = previousTerm;
          this.phraseWords[2 * phrase + 1] = term;
          this.phrases.insert(previousTerm, term, phrase);
        }
        // A phrase weighs as its second word (a phrase that ends after the lead is not in it).
        this.count(phrase, wordWeight);
        this.voteCase(phrase, previousMask, caseMask);
      }
      previousTerm = term;
      previousMask = caseMask;
    }
  }

  private wordTerm(wordId: number): number {
    if (wordId >= this.termOfWord.length) this.termOfWord = growInt32(this.termOfWord, wordId + 1, -1);
    let term = this.termOfWord[wordId];
    if (term < 0) {
      term = this.newTerm(this.words.words[wordId]);
      this.termOfWord[wordId] = term;
    }
    return term;
  }

  private newTerm(text: string): number {
    const id = this.terms.length;
    this.terms.push(text);
    this.phraseWords = growInt32(this.phraseWords, 2 * (id + 1), -1);
    this.phraseWords[2 * id] = -1;
    const needed = id + 1;
    this.documentFrequency = growInt32(this.documentFrequency, needed);
    this.termState = growInt32(this.termState, TERM_STATE * needed);
    return id;
  }

  private count(term: number, weight: number): void {
    const at = TERM_STATE * term + WEIGHT;
    if (this.termState[at] === 0) {
      this.touchedTerms = growInt32(this.touchedTerms, this.touchedCount + 1);
      this.touchedTerms[this.touchedCount++] = term;
    }
    this.termState[at] += weight;
  }

  private voteCase(term: number, first: CaseMask, second: CaseMask): void {
    const state = this.termState;
    const at = TERM_STATE * term;
    if (state[at + CASE_FIRST] === first && state[at + CASE_SECOND] === second) {
      state[at + CASE_VOTES]++;
    } else if (state[at + CASE_VOTES] === 0) {
      state[at + CASE_FIRST] = first;
      state[at + CASE_SECOND] = second;
      state[at + CASE_VOTES] = 1;
    } else {
      state[at + CASE_VOTES]--;
    }
  }

  private closeDocument(): void {
    const start = this.entries;
    this.entryTerms = growInt32(this.entryTerms, start + this.touchedCount);
    this.entryWeights = growFloat32(this.entryWeights, start + this.touchedCount);
    for (let i = 0; i < this.touchedCount; i++) {
      const term = this.touchedTerms[i];
      this.entryTerms[start + i] = term;
      this.entryWeights[start + i] = this.termState[TERM_STATE * term + WEIGHT];
      this.termState[TERM_STATE * term + WEIGHT] = 0;
      this.documentFrequency[term]++;
    }
    this.entries = start + this.touchedCount;
    this.touchedCount = 0;
    this.documents++;
    this.documentStart = growInt32(this.documentStart, this.documents + 1);
    this.documentStart[this.documents] = this.entries;
  }
}

export function createCorpus(): Corpus {
  return new Corpus();
}
