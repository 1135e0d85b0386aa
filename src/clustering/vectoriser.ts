import { type ArrayAllocator, plainArrays } from '../numeric/arrays.js';
import type { CsrMatrix } from '../numeric/sparse-matrix.js';
import type { Corpus } from '../text/corpus.js';
import { buildTfidfMatrix, type DocumentFrequencyLimits, weighTerms } from '../text/tfidf.js';

export interface VectoriserFit {
  vectoriser: TfidfVectoriser;
  /** The corpus's tf-idf rows (documents × vocabulary, unit rows). */
  matrix: CsrMatrix;
  /** The limits applied (relaxed for a tiny corpus). */
  limits: DocumentFrequencyLimits;
}

/**
 * The first stage: a vocabulary and its idf, fitted on a corpus (scikit-learn's TfidfVectorizer
 * with sublinear tf); `transform` weighs any corpus's terms with them.
 */
export class TfidfVectoriser {
  private columnOfText: Map<string, number> | undefined;

  constructor(
    /** Term text by column. */
    readonly vocabulary: string[],
    readonly idf: Float32Array,
  ) {}

  /**
   * Fits the vocabulary and idf on `corpus` within the document-frequency limits, and returns its
   * tf-idf rows with them (fitting computes them anyway: scikit-learn's fit_transform), whose
   * arrays come from `allocate` (Parallel.allocate, for the products of the next stage).
   */
  static fit(corpus: Corpus, limits: DocumentFrequencyLimits, allocate: ArrayAllocator = plainArrays): VectoriserFit {
    const tfidf = buildTfidfMatrix(corpus.view(), limits, allocate);
    return { vectoriser: new TfidfVectoriser(tfidf.vocabulary, tfidf.idf), matrix: tfidf.matrix, limits: tfidf.limits };
  }

  /** The tf-idf rows of `corpus` over this vocabulary; terms outside it are left out. */
  transform(corpus: Corpus, allocate: ArrayAllocator = plainArrays): CsrMatrix {
    const view = corpus.view();
    // A stored model transforms batch after batch of an import: index its vocabulary once.
    this.columnOfText ??= new Map(this.vocabulary.map((term, column) => [term, column]));
    const columns = this.columnOfText;
    const columnOfTerm = Int32Array.from({ length: view.termCount }, (_, termId) => columns.get(view.termText(termId)) ?? -1);
    return weighTerms(view, columnOfTerm, this.idf, allocate);
  }
}
