/**
 * Imports an RSS 2.0 or Atom feed: its entries become articles through the same validation,
 * idempotency (content hash, external id) and topic assignment as a JSONL corpus (import.ts). A
 * document that is not a readable feed imports nothing; an entry that is not a valid article is
 * rejected with its number and reason, and the others are stored.
 */
import { readFile } from 'node:fs/promises';
import type { Database } from '../db/client.js';
import { type ValidArticle, validateArticle } from './article-input.js';
import { fetchFeed } from './feed-fetch.js';
import { type NumberedStoreSummary, storeNumbered, unreadable } from './import.js';

export interface FeedImportSummary extends NumberedStoreSummary {
  format: 'rss' | 'atom';
  /** The feed's name (its channel's title). */
  title: string | null;
  /** Entries the feed held. */
  entries: number;
  /** Database ids of the articles stored. */
  createdIds: number[];
}

export interface FeedDocument {
  bytes: Uint8Array;
  /** The charset the HTTP response named, if any. */
  charset?: string | null;
  /** Where it came from: a URL (resolves relative links) or a file name. */
  location: string;
}

/** Stores a feed's entries, `batchSize` to a transaction (default 500). */
export async function importFeedDocument(
  db: Database,
  document: FeedDocument,
  options: { batchSize?: number; onProgress?: (entriesDone: number, entries: number) => void } = {},
): Promise<FeedImportSummary> {
  // Loaded on first use: feedsmith and the XML validator are ~140 modules a server without FEEDS never needs.
  const { decodeFeedBytes, parseFeedDocument } = await import('../feeds/parse-feed.js');
  const feed = parseFeedDocument(decodeFeedBytes(document.bytes, document.charset), document.location);
  const summary: FeedImportSummary = {
    format: feed.format,
    title: feed.title,
    entries: feed.entries.length,
    inserted: 0,
    alreadyPresent: 0,
    rejected: [],
    createdIds: [],
  };
  const valid: { number: number; article: ValidArticle }[] = [];
  for (const entry of feed.entries) {
    if ('reason' in entry) {
      summary.rejected.push({ number: entry.number, reason: entry.reason });
      continue;
    }
    const validation = validateArticle(entry.article);
    if (validation.ok) valid.push({ number: entry.number, article: validation.article });
    else summary.rejected.push({ number: entry.number, reason: validation.reason });
  }
  const batchSize = options.batchSize ?? 500;
  for (let start = 0; start < valid.length; start += batchSize) {
    const batch = valid.slice(start, start + batchSize);
    const stored = await storeNumbered(db, batch, summary);
    summary.createdIds.push(...stored.createdIds);
    options.onProgress?.(batch.at(-1)?.number ?? 0, feed.entries.length);
  }
  options.onProgress?.(feed.entries.length, feed.entries.length);
  summary.rejected.sort((a, b) => a.number - b.number);
  return summary;
}

/** An http(s) URL is fetched; anything else is a file name. */
export function isFeedUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/** The feed at a URL (one GET, no redirects, within `timeoutMs`) or in a file. */
export async function readFeed(location: string, timeoutMs: number): Promise<FeedDocument> {
  if (isFeedUrl(location)) {
    const response = await fetchFeed(location, { timeoutMs });
    if (response.notModified) throw new Error(`${location}: answered 304 Not Modified to an unconditional GET`);
    return { bytes: response.bytes, charset: response.charset, location };
  }
  const bytes = await readFile(location).catch((error: unknown) => {
    throw unreadable(location, error);
  });
  return { bytes, location };
}
