// TEMPORARY while the stages are rewritten: use defaultParallel() from ../parallel/compute.js.
import type { Corpus, TextDocument } from '../text/corpus.js';
import { defaultParallel } from '../parallel/compute.js';

export function addDocuments(corpus: Corpus, documents: readonly TextDocument[]): void {
  defaultParallel().addDocuments(corpus, documents);
}
