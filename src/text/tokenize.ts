import { ENGLISH_STOP_WORDS } from './stop-words.js';

/**
 * The tokeniser. A word is a run of letters and digits, joined across inner hyphens and
 * apostrophes ("jong-un", "o'neill"), folded to lowercase, with a possessive 's stripped. Words
 * that start with a digit, single characters and stop words are dropped. A phrase (bigram) is two
 * kept words with nothing but whitespace between them: stop words, numbers, possessives and
 * punctuation all break phrases ("Korea's Kim" is not one).
 *
 * It runs over character codes and looks words up in a hash table without slicing the text, so
 * that vectorising 100,000 articles allocates a string only for each new word, not each token.
 */

/** Bigrams are stored as their two words joined by a single space: "north korea". */
export const PHRASE_SEPARATOR = ' ';

/** Upper-case letters among the first 31 characters of a word, as bits (bit i = character i). */
export type CaseMask = number;

/** Kept words of scanned text, as parallel arrays (a WordBuffer, or several texts' worth). */
export interface ScannedWords {
  wordIds: Int32Array;
  caseMasks: Int32Array;
  /** 1 when the word directly follows the previous kept word (they form a phrase). */
  continuesPhrase: Uint8Array;
  /** Offset of each word in its text. */
  starts: Int32Array;
}

/** The kept words of several texts, scanned with one word table: text t's are [textStart[t], textStart[t + 1]). */
export interface ScannedTexts extends ScannedWords {
  /** The word table's words, by word id. */
  words: string[];
  textStart: Int32Array;
}

const stopWords = ENGLISH_STOP_WORDS;
/** Contractions ("don't", "we're", "they'll") are stop words whatever their stem. */
const CONTRACTION_SUFFIX = /(?:n't|'re|'ve|'ll|'d|'m)$/;
const isStopWord = (word: string): boolean => stopWords.has(word) || CONTRACTION_SUFFIX.test(word);

const APOSTROPHE = 39;
const RIGHT_SINGLE_QUOTE = 0x2019;
const HYPHEN = 45;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 16777619;

// Per-code classification, filled lazily for the Basic Multilingual Plane.
const CLASS_UNKNOWN = 0;
const CLASS_LETTER = 1;
const CLASS_DIGIT = 2;
const CLASS_OTHER = 3;
const charClass = new Uint8Array(65536);
const UNICODE_LETTER = /[\p{L}\p{M}]/u;
const UNICODE_DIGIT = /\p{N}/u;

function classify(code: number): number {
  let cls = charClass[code];
  if (cls === CLASS_UNKNOWN) {
    if ((code >= 97 && code <= 122) || (code >= 65 && code <= 90)) cls = CLASS_LETTER;
    else if (code >= 48 && code <= 57) cls = CLASS_DIGIT;
    else if (code < 128) cls = CLASS_OTHER;
    else {
      const char = String.fromCharCode(code);
      cls = UNICODE_LETTER.test(char) ? CLASS_LETTER : UNICODE_DIGIT.test(char) ? CLASS_DIGIT : CLASS_OTHER;
    }
    charClass[code] = cls;
  }
  return cls;
}

function isWordChar(code: number): boolean {
  return classify(code) !== CLASS_OTHER;
}

function isWhitespace(code: number): boolean {
  return (
    code === 32 ||
    (code >= 9 && code <= 13) ||
    code === 160 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

function isJoiner(code: number): boolean {
  return code === APOSTROPHE || code === RIGHT_SINGLE_QUOTE || code === HYPHEN || code === 0x2010 || code === 0x2011;
}

// Lowercase of each code when it is a single code unit (0 = not yet computed). Folding code by
// code keeps a word's length, so words can be compared against the text in place.
const foldedCode = new Uint16Array(65536);

/** Lowercase, with typographic apostrophes and hyphens folded to ASCII. */
function foldCode(code: number): number {
  if (code < 128) return code >= 65 && code <= 90 ? code + 32 : code;
  let folded = foldedCode[code];
  if (folded === 0) {
    if (code === RIGHT_SINGLE_QUOTE) folded = APOSTROPHE;
    else if (code === 0x2010 || code === 0x2011) folded = HYPHEN;
    else {
      const lower = String.fromCharCode(code).toLowerCase();
      folded = lower.length === 1 ? lower.charCodeAt(0) : code;
    }
    foldedCode[code] = folded;
  }
  return folded;
}

/** Applies a case mask to a lowercase word: the word as it was written. */
export function applyCaseMask(word: string, caseMask: CaseMask): string {
  if (caseMask === 0) return word;
  let result = '';
  for (let i = 0; i < word.length; i++) {
    const char = word[i];
    result += i < 31 && (caseMask & (1 << i)) !== 0 ? char.toUpperCase() : char;
  }
  return result;
}

/**
 * Lowercase words by id, in an open-addressing hash table keyed by the folded characters.
 * Stop words are flagged on insertion.
 */
export class WordTable {
  readonly words: string[] = [];
  private hashes = new Int32Array(1024);
  private stop = new Uint8Array(1024);
  private slots = new Int32Array(2048).fill(-1);

  get size(): number {
    return this.words.length;
  }

  isStopWord(wordId: number): boolean {
    return this.stop[wordId] === 1;
  }

  /** The id of the folded text[start, end), inserting it when new. */
  intern(text: string, start: number, end: number, hash: number): number {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (;;) {
      const id = this.slots[slot];
      if (id < 0) break;
      if (this.hashes[id] === hash && this.matches(this.words[id], text, start, end)) return id;
      slot = (slot + 1) & mask;
    }
    let word = '';
    for (let i = start; i < end; i++) word += String.fromCharCode(foldCode(text.charCodeAt(i)));
    return this.insert(word, hash, slot);
  }

  /** The id of an already folded word (as `words` holds them), inserting it when new. */
  internWord(word: string): number {
    const hash = hashFolded(word, 0, word.length);
    const slot = this.slotOf(word, hash);
    const id = this.slots[slot];
    return id >= 0 ? id : this.insert(word, hash, slot);
  }

  private insert(word: string, hash: number, slot: number): number {
    const id = this.words.length;
    this.words.push(word);
    if (id >= this.hashes.length) {
      const hashes = new Int32Array(this.hashes.length * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
      const stop = new Uint8Array(this.stop.length * 2);
      stop.set(this.stop);
      this.stop = stop;
    }
    this.hashes[id] = hash;
    this.stop[id] = isStopWord(word) ? 1 : 0;
    this.slots[slot] = id;
    if (this.words.length * 2 > this.slots.length) this.rehash();
    return id;
  }

  /** The id of an already folded word, or -1. */
  find(word: string): number {
    return this.slots[this.slotOf(word, hashFolded(word, 0, word.length))];
  }

  /** The slot holding an already folded word, or the empty slot where it would go. */
  private slotOf(word: string, hash: number): number {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (;;) {
      const id = this.slots[slot];
      if (id < 0 || (this.hashes[id] === hash && this.words[id] === word)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private matches(word: string, text: string, start: number, end: number): boolean {
    if (word.length !== end - start) return false;
    for (let i = 0; i < word.length; i++) {
      if (word.charCodeAt(i) !== foldCode(text.charCodeAt(start + i))) return false;
    }
    return true;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let id = 0; id < this.words.length; id++) {
      let slot = this.hashes[id] & mask;
      while (slots[slot] >= 0) slot = (slot + 1) & mask;
      slots[slot] = id;
    }
    this.slots = slots;
  }
}

/** FNV-1a over folded codes, as a signed 32-bit integer (the form Int32Array stores). */
function hashFolded(text: string, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ foldCode(text.charCodeAt(i)), FNV_PRIME);
  return hash;
}

/** Kept words of one text, in order, as parallel arrays (reused from text to text). */
export class WordBuffer {
  wordIds = new Int32Array(1024);
  caseMasks = new Int32Array(1024);
  /** 1 when the word directly follows the previous kept word (they form a phrase). */
  continuesPhrase = new Uint8Array(1024);
  /** Offset of each word in the text. */
  starts = new Int32Array(1024);
  length = 0;

  push(wordId: number, caseMask: CaseMask, continuesPhrase: boolean, start: number): void {
    if (this.length === this.wordIds.length) {
      const capacity = this.length * 2;
      const wordIds = new Int32Array(capacity);
      wordIds.set(this.wordIds);
      this.wordIds = wordIds;
      const caseMasks = new Int32Array(capacity);
      caseMasks.set(this.caseMasks);
      this.caseMasks = caseMasks;
      const continues = new Uint8Array(capacity);
      continues.set(this.continuesPhrase);
      this.continuesPhrase = continues;
      const starts = new Int32Array(capacity);
      starts.set(this.starts);
      this.starts = starts;
    }
    this.wordIds[this.length] = wordId;
    this.caseMasks[this.length] = caseMask;
    this.continuesPhrase[this.length] = continuesPhrase ? 1 : 0;
    this.starts[this.length] = start;
    this.length++;
  }
}

/**
 * Scans `text`, interning words in `table`, into `buffer` (emptied first). Filling a buffer and
 * looping over it afterwards is faster than a callback per word.
 */
export function scanWordsInto(text: string, table: WordTable, buffer: WordBuffer): void {
  buffer.length = 0;
  const length = text.length;
  let position = 0;
  let phraseOpen = false;
  while (position < length) {
    let sawPunctuation = false;
    while (position < length) {
      const code = text.charCodeAt(position);
      if (isWordChar(code)) break;
      if (!isWhitespace(code)) sawPunctuation = true;
      position++;
    }
    if (position >= length) break;
    if (sawPunctuation) phraseOpen = false;

    // One pass over the word: its extent, folded hash and case mask. The state before the last
    // apostrophe is kept so that a possessive 's can be dropped without a second pass.
    const start = position;
    let hash = FNV_OFFSET;
    let caseMask = 0;
    let hasLowercase = false;
    let apostropheAt = -1;
    let hashBeforeApostrophe = 0;
    let maskBeforeApostrophe = 0;
    let lowercaseBeforeApostrophe = false;
    while (position < length) {
      const code = text.charCodeAt(position);
      const cls = classify(code);
      if (cls !== CLASS_OTHER) {
        const folded = foldCode(code);
        if (folded !== code) {
          if (position - start < 31) caseMask |= 1 << (position - start);
        } else if (cls === CLASS_LETTER) {
          hasLowercase = true;
        }
        hash = Math.imul(hash ^ folded, FNV_PRIME);
        position++;
      } else if (isJoiner(code) && position + 1 < length && isWordChar(text.charCodeAt(position + 1))) {
        if (code === APOSTROPHE || code === RIGHT_SINGLE_QUOTE) {
          apostropheAt = position;
          hashBeforeApostrophe = hash;
          maskBeforeApostrophe = caseMask;
          lowercaseBeforeApostrophe = hasLowercase;
        }
        hash = Math.imul(hash ^ foldCode(code), FNV_PRIME);
        position++;
      } else {
        break;
      }
    }

    let end = position;
    let possessive = false;
    if (apostropheAt === end - 2 && end - start >= 3 && (text.charCodeAt(end - 1) | 32) === 115) {
      end = apostropheAt;
      hash = hashBeforeApostrophe;
      caseMask = maskBeforeApostrophe;
      hasLowercase = lowercaseBeforeApostrophe;
      possessive = true;
    }
    if (end - start < 2 || classify(text.charCodeAt(start)) === CLASS_DIGIT) {
      phraseOpen = false;
      continue;
    }
    const wordId = table.intern(text, start, end, hash);
    // "US", "UN", "IT", "WHO" are names although their lowercase forms are stop words.
    const isAcronym = caseMask !== 0 && !hasLowercase && end - start <= 4;
    if (table.isStopWord(wordId) && !isAcronym) {
      phraseOpen = false;
      continue;
    }
    buffer.push(wordId, caseMask, phraseOpen, start);
    phraseOpen = !possessive;
  }
}

/** Scans several texts with a new word table, for a corpus that counts them later (Corpus.addScanned). */
export function scanTexts(texts: readonly string[]): ScannedTexts {
  const table = new WordTable();
  const buffer = new WordBuffer();
  const textStart = new Int32Array(texts.length + 1);
  let scanned: ScannedWords = {
    wordIds: new Int32Array(65536),
    caseMasks: new Int32Array(65536),
    continuesPhrase: new Uint8Array(65536),
    starts: new Int32Array(65536),
  };
  let length = 0;
  for (let text = 0; text < texts.length; text++) {
    scanWordsInto(texts[text], table, buffer);
    if (length + buffer.length > scanned.wordIds.length) {
      const capacity = Math.max(length + buffer.length, 2 * scanned.wordIds.length);
      const grow = <T extends Int32Array | Uint8Array>(array: T, allocate: (size: number) => T): T => {
        const grown = allocate(capacity);
        grown.set(array);
        return grown;
      };
      scanned = {
        wordIds: grow(scanned.wordIds, (size) => new Int32Array(size)),
        caseMasks: grow(scanned.caseMasks, (size) => new Int32Array(size)),
        continuesPhrase: grow(scanned.continuesPhrase, (size) => new Uint8Array(size)),
        starts: grow(scanned.starts, (size) => new Int32Array(size)),
      };
    }
    scanned.wordIds.set(buffer.wordIds.subarray(0, buffer.length), length);
    scanned.caseMasks.set(buffer.caseMasks.subarray(0, buffer.length), length);
    scanned.continuesPhrase.set(buffer.continuesPhrase.subarray(0, buffer.length), length);
    scanned.starts.set(buffer.starts.subarray(0, buffer.length), length);
    length += buffer.length;
    textStart[text + 1] = length;
  }
  return {
    words: table.words,
    textStart,
    wordIds: scanned.wordIds.slice(0, length),
    caseMasks: scanned.caseMasks.slice(0, length),
    continuesPhrase: scanned.continuesPhrase.slice(0, length),
    starts: scanned.starts.slice(0, length),
  };
}

export interface TokenSequence {
  /** Lowercase words. */
  words: string[];
  /** The words as written. */
  surfaces: string[];
  continuesPhrase: boolean[];
}

/** The kept words of `text` as strings (for tests and inspection; the corpus keeps ids). */
export function tokenize(text: string): TokenSequence {
  const table = new WordTable();
  const buffer = new WordBuffer();
  scanWordsInto(text, table, buffer);
  const words = Array.from(buffer.wordIds.subarray(0, buffer.length), (wordId) => table.words[wordId]);
  return {
    words,
    surfaces: words.map((word, i) => applyCaseMask(word, buffer.caseMasks[i])),
    continuesPhrase: Array.from(buffer.continuesPhrase.subarray(0, buffer.length), (flag) => flag === 1),
  };
}

/** The terms the vectoriser counts for `text`: every word, then every phrase (bigram), in order. */
export function extractTerms(text: string): string[] {
  const { words, continuesPhrase } = tokenize(text);
  const terms = [...words];
  for (let index = 1; index < words.length; index++) {
    if (continuesPhrase[index]) terms.push(words[index - 1] + PHRASE_SEPARATOR + words[index]);
  }
  return terms;
}
