/**
 * Stores validated articles: sources first, then articles, in one transaction per batch, so a
 * batch is either stored whole or not at all. The content hash and the external id are unique,
 * so storing the same article twice (in one batch, in two runs, or in two concurrent imports)
 * keeps one copy. Each batch tells every server on the database (change-notices.ts).
 */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { inArray } from 'drizzle-orm';
import { notifyChange } from '../db/change-notices.js';
import type { Database, Transaction } from '../db/client.js';
import { articles, sources } from '../db/schema.js';
import { type ValidArticle, parseJsonLine } from './article-input.js';
import { type Assignment, assignToCurrentRun } from './assign.js';

export type StoreOutcome = 'created' | 'duplicate';

export interface StoreResult {
  /** One per input article, in input order. */
  outcomes: StoreOutcome[];
  /** Database ids of the created articles, in input order. */
  createdIds: number[];
  /** Where the created articles went in the current clustering run (none before the first run, or while they wait for the next). */
  assignments: Assignment[];
}

async function sourceIds(tx: Transaction, names: string[]): Promise<Map<string, number>> {
  const unique = [...new Set(names)];
  if (unique.length === 0) return new Map();
  await tx
    .insert(sources)
    .values(unique.map((name) => ({ name })))
    .onConflictDoNothing();
  const rows = await tx.select({ id: sources.id, name: sources.name }).from(sources).where(inArray(sources.name, unique));
  return new Map(rows.map((row) => [row.name, row.id]));
}

/**
 * Stores one batch and places the new articles into the current clustering run's topics.
 * Articles already present (same content or same external id) are reported as duplicates.
 */
export async function storeArticles(db: Database, batch: ValidArticle[]): Promise<StoreResult> {
  return db.transaction(async (tx) => {
    const sourceIdByName = await sourceIds(
      tx,
      batch.flatMap((article) => (article.source ? [article.source] : [])),
    );
    // Repeats inside the batch are duplicates of their first occurrence.
    const seen = new Set<string>();
    const fresh = batch.filter((article) => {
      const keys = [`h:${article.contentHash}`, ...(article.externalId ? [`e:${article.externalId}`] : [])];
      if (keys.some((key) => seen.has(key))) return false;
      for (const key of keys) seen.add(key);
      return true;
    });
    const inserted =
      fresh.length === 0
        ? []
        : await tx
            .insert(articles)
            .values(
              fresh.map((article) => ({
                externalId: article.externalId,
                title: article.title,
                body: article.body,
                url: article.url,
                sourceId: article.source ? sourceIdByName.get(article.source) : null,
                publishedAt: article.publishedAt,
                contentHash: article.contentHash,
              })),
            )
            .onConflictDoNothing()
            .returning({ id: articles.id, contentHash: articles.contentHash });
    const idByHash = new Map(inserted.map((row) => [row.contentHash, row.id]));
    const outcomes: StoreOutcome[] = [];
    const createdIds: number[] = [];
    for (const article of batch) {
      const id = idByHash.get(article.contentHash);
      if (id === undefined) {
        outcomes.push('duplicate');
      } else {
        outcomes.push('created');
        createdIds.push(id);
        idByHash.delete(article.contentHash);
      }
    }
    const assignments = await assignToCurrentRun(tx, createdIds);
    if (createdIds.length > 0) await notifyChange(tx, { kind: 'articles', ids: createdIds });
    return { outcomes, createdIds, assignments };
  });
}

export interface RejectedLine {
  line: number;
  reason: string;
}

export interface ImportSummary {
  inserted: number;
  alreadyPresent: number;
  rejected: RejectedLine[];
}

export interface ImportFileOptions {
  batchSize?: number;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/**
 * Imports a JSONL corpus. Malformed lines are reported with their line number and reason; every
 * valid line is stored.
 */
export async function importJsonlFile(db: Database, file: string, options: ImportFileOptions = {}): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? 500;
  const totalBytes = statSync(file).size;
  const stream = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const summary: ImportSummary = { inserted: 0, alreadyPresent: 0, rejected: [] };
  let batch: ValidArticle[] = [];
  let lineNumber = 0;
  let bytesRead = 0;

  const flush = async () => {
    if (batch.length === 0) return;
    const { outcomes } = await storeArticles(db, batch);
    for (const outcome of outcomes) {
      if (outcome === 'created') summary.inserted++;
      else summary.alreadyPresent++;
    }
    batch = [];
    options.onProgress?.(bytesRead, totalBytes);
  };

  for await (const line of lines) {
    lineNumber++;
    bytesRead += Buffer.byteLength(line) + 1;
    if (line.trim() === '') continue;
    const result = parseJsonLine(line);
    if (result.ok) batch.push(result.article);
    else summary.rejected.push({ line: lineNumber, reason: result.reason });
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  options.onProgress?.(totalBytes, totalBytes);
  return summary;
}

/** Number of stored articles. */
export function countArticles(db: Database): Promise<number> {
  return db.$count(articles);
}
