/** The 500-article BBC sample of test/fixtures (100 a section, drawn at random), for stories about runs. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from '../../src/db/client.js';
import { validateArticle } from '../../src/jobs/article-input.js';
import { type StoreResult, storeArticles } from '../../src/jobs/import.js';

export interface BbcLine {
  id: string;
  category: string;
  title: string;
  body: string;
  publishedAt?: string;
}

export function readBbcSample(): BbcLine[] {
  return readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'bbc-500.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as BbcLine);
}

/** Stores the lines as an import would (validation, one transaction, change notice). */
export async function storeLines(db: Database, lines: BbcLine[]): Promise<StoreResult> {
  const valid = lines.map((line) => {
    const result = validateArticle(line);
    if (!result.ok) throw new Error(`${line.id}: ${result.reason}`);
    return result.article;
  });
  return storeArticles(db, valid);
}
