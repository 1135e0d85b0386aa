/**
 * The benchmark corpus (BBC News by default) as lines and as article inputs. The BBC lines have
 * no publisher; the benchmarks give each article the source "BBC News" so that the topic feed's
 * `source { name }` really joins a row, as it would for a real feed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_CORPUS = fileURLToPath(new URL('../../../shared/corpora/bbc.jsonl', import.meta.url));
export const BENCH_SOURCE = 'BBC News';

/** What the importArticles mutation takes (a subset of a corpus line). */
export interface ArticleInputValue {
  title: string;
  body: string;
  externalId?: string;
  source?: string;
}

interface CorpusLine {
  id?: unknown;
  title?: unknown;
  body?: unknown;
  source?: unknown;
  [field: string]: unknown;
}

export function readCorpusLines(file: string): CorpusLine[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the corpus ${file}: ${(error as Error).message} (pass --file PATH.jsonl)`);
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line) as CorpusLine;
      } catch {
        throw new Error(`${file}:${index + 1}: not JSON`);
      }
    });
}

function withSource(line: CorpusLine): CorpusLine {
  return typeof line.source === 'string' && line.source !== '' ? line : { ...line, source: BENCH_SOURCE };
}

/** The corpus lines as article inputs for the importArticles mutation. */
export function toArticleInputs(lines: CorpusLine[]): ArticleInputValue[] {
  return lines.map((raw) => {
    const line = withSource(raw);
    return {
      title: String(line.title ?? ''),
      body: String(line.body ?? ''),
      ...(typeof line.id === 'string' ? { externalId: line.id } : {}),
      source: String(line.source),
    };
  });
}

/** A temporary JSONL file holding these lines (with a source), for the project's own importer. */
export function writeTemporaryCorpus(lines: CorpusLine[]): { file: string; remove(): void } {
  const folder = mkdtempSync(path.join(tmpdir(), 'news-bench-corpus-'));
  const file = path.join(folder, 'corpus.jsonl');
  writeFileSync(file, `${lines.map((line) => JSON.stringify(withSource(line))).join('\n')}\n`);
  return { file, remove: () => rmSync(folder, { recursive: true, force: true }) };
}
