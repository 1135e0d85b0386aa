import { describe, expect, it } from 'vitest';

import { createCorpus, LEAD_EXTRA_WEIGHT, leadOf, TITLE_WEIGHT } from '../src/text/corpus.js';
import { buildTfidfMatrix, documentFrequencyLimitsFor, smoothedIdf } from '../src/text/tfidf.js';
import { extractTerms, tokenize } from '../src/text/tokenize.js';

describe('tokenize', () => {
  it('lowercases, drops punctuation, stop words, numbers and single letters', () => {
    const { words } = tokenize('In 2019, the Bank of England raised rates by 0.25% to 5,000 (a record)!');
    expect(words).toEqual(['bank', 'england', 'raised', 'rates', 'record']);
  });

  it('strips possessives, with straight and curly apostrophes', () => {
    expect(tokenize("North Korea's leader and Trump’s letter").words).toEqual(['north', 'korea', 'leader', 'trump', 'letter']);
  });

  it('keeps hyphenated words and inner apostrophes as one token', () => {
    expect(tokenize('Kim Jong-un met O’Neill in a state‑of‑the‑art hall').words).toEqual([
      'kim',
      'jong-un',
      'met',
      "o'neill",
      'state-of-the-art',
      'hall',
    ]);
  });

  it('drops contractions but keeps acronyms whose lowercase is a stop word', () => {
    expect(tokenize("We don't know why the US and the UN can't agree").words).toEqual(['know', 'us', 'un', 'agree']);
  });

  it('keeps the written form of every word', () => {
    expect(tokenize('Kim Jong-un visited Hong Kong').surfaces).toEqual(['Kim', 'Jong-un', 'visited', 'Hong', 'Kong']);
  });
});

describe('phrases', () => {
  it('joins adjacent words into bigrams', () => {
    const terms = extractTerms('North Korean leader Kim Jong-un');
    expect(terms).toContain('north korean');
    expect(terms).toContain('kim jong-un');
    expect(terms).toContain('leader kim');
  });

  it('never spans a stop word, punctuation, a number or a possessive', () => {
    const terms = extractTerms("Bank of England. Growth, China; in 2019 Trump visited. Korea's Kim");
    expect(terms).not.toContain('bank england');
    expect(terms).not.toContain('england growth');
    expect(terms).not.toContain('growth china');
    expect(terms).not.toContain('china trump');
    expect(terms).not.toContain('korea kim');
  });
});

describe('corpus', () => {
  it('restores the most common written form of words and phrases', () => {
    const corpus = createCorpus();
    corpus.add({ title: 'North Korea rejects letter', body: 'North Korea said growth was slow. Growth matters.' });
    corpus.add({ title: 'Talks with North Korea', body: 'Officials in North Korea discussed growth in the north.' });
    expect(corpus.surfaceForm(corpus.termId('north korea'))).toBe('North Korea');
    expect(corpus.surfaceForm(corpus.termId('growth'))).toBe('growth');
    expect(corpus.termId('no such term')).toBe(-1);
  });

  it('keeps counts, not text, and counts title and lead words more', () => {
    const corpus = createCorpus();
    corpus.add({ title: 'Rates', body: 'Rates rose.\n\nLater paragraph about rates.' });
    const view = corpus.view();
    expect(view.documentCount).toBe(1);
    const rates = corpus.termId('rates');
    const entry = Array.from(view.entryTerms).indexOf(rates);
    // Title, lead (once plus the extra weight) and the later paragraph.
    expect(view.entryWeights[entry]).toBe(TITLE_WEIGHT + 1 + LEAD_EXTRA_WEIGHT + 1);
  });

  it('takes the first paragraph as the lead, capped for bodies without breaks', () => {
    expect(leadOf('First paragraph.\n\nSecond.')).toBe('First paragraph.');
    expect(leadOf('Line one.\nLine two.')).toBe('Line one.');
    const long = leadOf('word '.repeat(500));
    expect(long.length).toBeLessThanOrEqual(600);
    expect(long.endsWith('word')).toBe(true);
  });
});

describe('tf-idf', () => {
  const docs = [
    { title: 'Football', body: 'The striker scored a goal in the league match. The goal was late.' },
    { title: 'Football again', body: 'The league match ended after a late goal by the striker.' },
    { title: 'Rates', body: 'The central bank raised interest rates as inflation rose.' },
    { title: 'Inflation', body: 'Inflation and interest rates worry the central bank.' },
    { title: 'Phones', body: 'The new phone has a faster chip and a bigger battery.' },
  ];

  function build(documents: typeof docs) {
    const corpus = createCorpus();
    for (const doc of documents) corpus.add(doc);
    return { corpus, tfidf: buildTfidfMatrix(corpus.view(), documentFrequencyLimitsFor(documents.length)) };
  }

  it('normalises every row to unit length', () => {
    const { tfidf } = build(docs);
    const { rowStart, values } = tfidf.matrix;
    for (let row = 0; row < tfidf.matrix.rows; row++) {
      let squared = 0;
      for (let e = rowStart[row]; e < rowStart[row + 1]; e++) squared += values[e] ** 2;
      expect(Math.sqrt(squared)).toBeCloseTo(1, 5);
    }
  });

  it('uses smoothed idf and sublinear tf', () => {
    expect(smoothedIdf(4, 1)).toBeCloseTo(Math.log(5 / 2) + 1, 12);
    const { tfidf } = build(docs);
    const goal = tfidf.vocabulary.indexOf('goal');
    const striker = tfidf.vocabulary.indexOf('striker');
    const { rowStart, columnIndex, values } = tfidf.matrix;
    const weightOf = (column: number) => {
      for (let e = rowStart[0]; e < rowStart[1]; e++) if (columnIndex[e] === column) return values[e];
      return 0;
    };
    // The first body is one paragraph, all lead: "goal" appears twice, "striker" once, each
    // counted 1 + LEAD_EXTRA_WEIGHT times. Both have df 2, so only the sublinear tf differs.
    const lead = 1 + LEAD_EXTRA_WEIGHT;
    expect(weightOf(goal) / weightOf(striker)).toBeCloseTo((1 + Math.log(2 * lead)) / (1 + Math.log(lead)), 5);
  });

  it('keeps every term of a four-article corpus that is in at most half of them', () => {
    const { tfidf } = build(docs.slice(0, 4));
    expect(tfidf.limits.minDf).toBe(1);
    expect(tfidf.vocabulary).toContain('striker');
    expect(tfidf.vocabulary).toContain('central bank');
    // "late" is in both football articles (half of four): kept.
    expect(tfidf.vocabulary).toContain('late');
  });

  it('prunes rare and ubiquitous terms on a larger corpus', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({
      title: `Report ${i % 3 === 0 ? 'football' : 'economy'}`,
      body: `Everyone reads the daily report. Unique${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))} appears once.`,
    }));
    const { tfidf } = build(many);
    expect(tfidf.limits.minDf).toBe(2);
    expect(tfidf.vocabulary).not.toContain('report'); // in every article
    expect(tfidf.vocabulary).toContain('football'); // in a third
    expect(tfidf.vocabulary.some((term) => term.startsWith('unique'))).toBe(false); // each in one
  });

  it('relaxes limits that would leave nothing', () => {
    const { tfidf } = build([
      { title: 'Same', body: 'identical words here' },
      { title: 'Same', body: 'identical words here' },
    ]);
    expect(tfidf.vocabulary.length).toBeGreaterThan(0);
  });
});
