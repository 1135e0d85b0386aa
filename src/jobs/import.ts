/**
 * Stores validated articles: sources first (in name order), then articles, in one transaction per
 * batch, so a batch is either stored whole or not at all. The content hash and the external id are
 * unique, so storing the same article twice (in one batch, in two runs, or in two concurrent
 * imports) keeps one copy; an external id already stored with other content is a conflict, and
 * the article is rejected. When the database refuses a batch (a value validation cannot foresee,
 * such as a body whose search vector passes PostgreSQL's 1 MB), its articles are stored one by one,
 * so that only the one it refuses is rejected, with the database's reason. Concurrent batches
 * lock their articles and create their sources in one order, so they do not deadlock on them; a
 * batch that still deadlocks (or fails to serialise) with another is retried. Each batch tells
 * every server on the database (change-notices.ts).
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { inArray, or, sql } from 'drizzle-orm';
import { notifyChange } from '../db/change-notices.js';
import { allowLongStatements, type Database, type Transaction } from '../db/client.js';
import { databaseCause } from '../db/errors.js';
import { articles, sources } from '../db/schema.js';
import { parseJsonLine, type ValidArticle } from './article-input.js';
import { type Assignment, assignToCurrentRun } from './assign.js';

/** `rejected`: the external id is stored with other content, or the database refused the article. */
export type StoreOutcome = 'created' | 'duplicate' | 'rejected';

export interface StoreResult {
  /** One per input article, in input order. */
  outcomes: StoreOutcome[];
  /** Database ids of the created articles, in input order. */
  createdIds: number[];
  /** Why each rejected article was rejected: its index in the input, and the reason. */
  rejections: { index: number; reason: string }[];
  /** Where the created articles went in the current clustering run (none before the first run, or while they wait for the next). */
  assignments: Assignment[];
}

export interface StoreOptions {
  /** How many times a batch that deadlocks (or fails to serialise) with a concurrent one is tried in all (default 5). */
  attempts?: number;
}

/** A batch that deadlocks or fails to serialise with a concurrent one is tried this many times in all. */
const DEFAULT_TRANSACTION_ATTEMPTS = 5;
/** Wait before the first retry; it doubles each time, with jitter so the two batches do not meet again. */
const RETRY_DELAY_MS = 25;
/** SQLSTATEs of a transaction that failed only because of a concurrent one: deadlock, serialization failure. */
const RETRYABLE_STATES = new Set(['40P01', '40001']);
/**
 * SQLSTATE classes of a value the database refuses: data exception (22), integrity constraint
 * (23) and program limit (54, e.g. a search vector over 1 MB). Any other failure (a lost
 * connection, a timeout, a bug) is not the article's fault: the import stops with it.
 */
const REFUSED_VALUE_CLASSES = new Set(['22', '23', '54']);

/** The database's reason for refusing a value, or undefined when the failure is of another kind. */
function refusalReason(error: unknown): string | undefined {
  const cause = databaseCause(error);
  const refused = cause !== undefined && cause.code.length === 5 && REFUSED_VALUE_CLASSES.has(cause.code.slice(0, 2));
  return refused ? `refused by the database: ${cause.message}` : undefined;
}

/** Runs `work` in a transaction, again (after a short, jittered pause) when it deadlocked with a concurrent one. */
async function inRetriedTransaction<T>(db: Database, attempts: number, work: (tx: Transaction) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (tx) => {
        await allowLongStatements(tx);
        return work(tx);
      });
    } catch (error) {
      const state = databaseCause(error)?.code;
      if (attempt >= attempts || state === undefined || !RETRYABLE_STATES.has(state)) throw error;
      await sleep(RETRY_DELAY_MS * 2 ** (attempt - 1) * (0.5 + Math.random()));
    }
  }
}

/**
 * Source ids by name, creating the new ones. Inserted in name order: two batches that create the
 * same new sources in different orders would otherwise each wait for the other's (a deadlock).
 */
async function sourceIds(tx: Transaction, names: string[]): Promise<Map<string, number>> {
  const unique = [...new Set(names)].sort();
  if (unique.length === 0) return new Map();
  await tx
    .insert(sources)
    .values(unique.map((name) => ({ name })))
    .onConflictDoNothing();
  const rows = await tx.select({ id: sources.id, name: sources.name }).from(sources).where(inArray(sources.name, unique));
  return new Map(rows.map((row) => [row.name, row.id]));
}

/** First key of the advisory locks on articles (the two-key form, apart from the current-run lock's one-key form). */
export const ARTICLE_LOCK_SPACE = 0x6e657773;
/**
 * The articles are locked by stripe, not one by one: a 1,000-article batch would otherwise take
 * up to 2,000 locks, and a few of them at once exhaust PostgreSQL's lock table, which every
 * database of the server shares ("out of shared memory"). Large batches then take every stripe
 * and import one after another; small ones (an item through the API) rarely wait.
 */
const ARTICLE_LOCK_STRIPES = 64;

const lockKey = (hex: string) => Number.parseInt(hex.slice(0, 8), 16) % ARTICLE_LOCK_STRIPES;

/** The advisory lock keys of a batch: the stripe of each content hash and each external id, in ascending order. */
export function articleLockKeys(batch: ValidArticle[]): number[] {
  const keys = new Set<number>();
  for (const article of batch) {
    keys.add(lockKey(article.contentHash));
    if (article.externalId !== null) keys.add(lockKey(createHash('sha256').update(`id:${article.externalId}`).digest('hex')));
  }
  return [...keys].sort((a, b) => a - b);
}

/**
 * Locks the batch's articles (by content and by external id) until the transaction ends, in one
 * order for every batch. Two batches holding the same new articles in different orders would
 * otherwise each insert some and wait for the other's: a deadlock, which PostgreSQL only detects
 * after a second, and which retrying meets again under load. Batches whose articles fall in
 * different stripes never wait for each other.
 */
async function lockArticles(tx: Transaction, batch: ValidArticle[]): Promise<void> {
  const keys = articleLockKeys(batch);
  await tx.execute(
    sql`select pg_advisory_xact_lock(${ARTICLE_LOCK_SPACE}, key) from unnest(${`{${keys.join(',')}}`}::int[]) as key`,
  );
}

function conflictReason(externalId: string, where: 'stored' | 'batch'): string {
  return where === 'stored'
    ? `conflict: an article with id "${externalId}" is already stored with different content`
    : `conflict: an earlier article of this import has id "${externalId}" with different content`;
}

type ArticleOutcome = { status: 'created'; id: number } | { status: 'duplicate' } | { status: 'rejected'; reason: string };

interface BatchResult {
  /** One per article, in order. */
  outcomes: ArticleOutcome[];
  assignments: Assignment[];
}

/**
 * Stores a batch in the caller's transaction, and places the new articles into the current
 * run's topics. Each article is judged as if the batch were stored one article at a time, in
 * order, against what is stored and the articles before it: so whether a line is stored does not
 * depend on the batch size, nor on whether the batch had to be stored one by one.
 */
async function storeBatch(tx: Transaction, batch: ValidArticle[]): Promise<BatchResult> {
  const externalIds = [...new Set(batch.flatMap((article) => (article.externalId === null ? [] : [article.externalId])))];
  const hashes = [...new Set(batch.map((article) => article.contentHash))];
  await lockArticles(tx, batch);
  const present = await tx
    .select({ externalId: articles.externalId, contentHash: articles.contentHash })
    .from(articles)
    .where(
      externalIds.length === 0
        ? inArray(articles.contentHash, hashes)
        : or(inArray(articles.contentHash, hashes), inArray(articles.externalId, externalIds)),
    );
  const storedIds = new Set(present.flatMap((row) => (row.externalId === null ? [] : [row.externalId])));
  const hashById = new Map(
    present.flatMap((row) => (row.externalId === null ? [] : [[row.externalId, row.contentHash] as const])),
  );
  const knownHashes = new Set(present.map((row) => row.contentHash));
  const planned: (ArticleOutcome | 'insert')[] = batch.map((article) => {
    const { externalId, contentHash } = article;
    const claimed = externalId === null ? undefined : hashById.get(externalId);
    if (claimed !== undefined && claimed !== contentHash) {
      return {
        status: 'rejected',
        reason: conflictReason(externalId as string, storedIds.has(externalId as string) ? 'stored' : 'batch'),
      };
    }
    if (claimed !== undefined || knownHashes.has(contentHash)) return { status: 'duplicate' };
    knownHashes.add(contentHash);
    if (externalId !== null) hashById.set(externalId, contentHash);
    return 'insert';
  });
  const toInsert = batch.filter((_, index) => planned[index] === 'insert');

  const idByHash = new Map<string, number>();
  if (toInsert.length > 0) {
    const sourceIdByName = await sourceIds(
      tx,
      toInsert.flatMap((article) => (article.source ? [article.source] : [])),
    );
    const inserted = await tx
      .insert(articles)
      .values(
        toInsert.map((article) => ({
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
    for (const row of inserted) idByHash.set(row.contentHash, row.id);
  }
  // Planned but not inserted: another writer (not holding the locks above) stored the same content or id meanwhile.
  const raced = toInsert.flatMap((article) =>
    !idByHash.has(article.contentHash) && article.externalId !== null ? [article.externalId] : [],
  );
  const racedHashById = new Map(
    raced.length === 0
      ? []
      : (
          await tx
            .select({ externalId: articles.externalId, contentHash: articles.contentHash })
            .from(articles)
            .where(inArray(articles.externalId, raced))
        ).map((row) => [row.externalId, row.contentHash]),
  );
  const outcomes = batch.map((article, index): ArticleOutcome => {
    const plan = planned[index];
    if (plan !== 'insert') return plan;
    const id = idByHash.get(article.contentHash);
    if (id !== undefined) return { status: 'created', id };
    const storedHash = article.externalId === null ? undefined : racedHashById.get(article.externalId);
    return storedHash !== undefined && storedHash !== article.contentHash
      ? { status: 'rejected', reason: conflictReason(article.externalId as string, 'stored') }
      : { status: 'duplicate' };
  });
  const createdIds = outcomes.flatMap((outcome) => (outcome.status === 'created' ? [outcome.id] : []));
  const assignments = await assignToCurrentRun(tx, createdIds);
  if (createdIds.length > 0) await notifyChange(tx, { kind: 'articles', ids: createdIds });
  return { outcomes, assignments };
}

/** Stores each article in its own transaction: only those the database refuses are rejected. */
async function storeOneByOne(db: Database, batch: ValidArticle[], attempts: number): Promise<BatchResult> {
  const result: BatchResult = { outcomes: [], assignments: [] };
  for (const article of batch) {
    try {
      const stored = await inRetriedTransaction(db, attempts, (tx) => storeBatch(tx, [article]));
      result.outcomes.push(...stored.outcomes);
      result.assignments.push(...stored.assignments);
    } catch (error) {
      const reason = refusalReason(error);
      if (reason === undefined) throw error;
      result.outcomes.push({ status: 'rejected', reason });
    }
  }
  return result;
}

/**
 * Stores one batch and places the new articles into the current clustering run's topics.
 * Articles already present (the same content, under any external id or none) are reported as
 * duplicates; an article whose external id is stored, or given earlier in the batch, with other
 * content is a conflict, rejected.
 */
export async function storeArticles(db: Database, batch: ValidArticle[], options: StoreOptions = {}): Promise<StoreResult> {
  const attempts = options.attempts ?? DEFAULT_TRANSACTION_ATTEMPTS;
  let stored: BatchResult = { outcomes: [], assignments: [] };
  if (batch.length > 0) {
    try {
      stored = await inRetriedTransaction(db, attempts, (tx) => storeBatch(tx, batch));
    } catch (error) {
      if (refusalReason(error) === undefined) throw error;
      stored = await storeOneByOne(db, batch, attempts);
    }
  }
  const result: StoreResult = { outcomes: [], createdIds: [], rejections: [], assignments: stored.assignments };
  stored.outcomes.forEach((outcome, index) => {
    result.outcomes.push(outcome.status);
    if (outcome.status === 'created') result.createdIds.push(outcome.id);
    if (outcome.status === 'rejected') result.rejections.push({ index, reason: outcome.reason });
  });
  return result;
}

export interface RejectedLine {
  line: number;
  reason: string;
}

/** What storing numbered articles (a corpus's lines, a feed's entries) came to. */
export interface NumberedStoreSummary {
  inserted: number;
  alreadyPresent: number;
  /** The numbers of the articles refused (in conflict, or refused by the database), with why. */
  rejected: { number: number; reason: string }[];
}

/**
 * Stores one batch of numbered articles (storeArticles) and adds its outcomes to `summary`: the
 * one tally of the JSONL import and the feed import.
 */
export async function storeNumbered(
  db: Database,
  batch: { number: number; article: ValidArticle }[],
  summary: NumberedStoreSummary,
): Promise<StoreResult> {
  const stored = await storeArticles(
    db,
    batch.map((entry) => entry.article),
  );
  for (const outcome of stored.outcomes) {
    if (outcome === 'created') summary.inserted++;
    else if (outcome === 'duplicate') summary.alreadyPresent++;
  }
  for (const { index, reason } of stored.rejections) summary.rejected.push({ number: batch[index].number, reason });
  return stored;
}

export interface ImportSummary {
  inserted: number;
  alreadyPresent: number;
  /** Lines refused (invalid, in conflict, or refused by the database), in line order. */
  rejected: RejectedLine[];
}

export interface ImportFileOptions {
  batchSize?: number;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/**
 * A line longer than this is rejected without being held in memory (the longest valid article,
 * a 1,000,000-character body written as JSON escapes, takes about 12 MB).
 */
const MAX_LINE_BYTES = 16 * 1024 * 1024;
const LF = 0x0a;
const CR = 0x0d;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

type FileLine = { number: number; end: number } & ({ text: string } | { reason: string });

/** One line as text: without its CRLF ending (and, on the first line, a UTF-8 byte order mark), strictly UTF-8. */
function decodeLine(bytes: Buffer, number: number, end: number, decoder: TextDecoder): FileLine {
  let content = bytes.at(-1) === CR ? bytes.subarray(0, -1) : bytes;
  if (number === 1 && content.subarray(0, 3).equals(UTF8_BOM)) content = content.subarray(3);
  try {
    return { number, end, text: decoder.decode(content) };
  } catch {
    return { number, end, reason: 'not valid UTF-8' };
  }
}

/**
 * The lines of a file, streamed: a line ends at "\n" only (a bare "\r" is a character of its
 * line; JSON reads it as white space), so line numbers are those of any editor. Each line is
 * decoded on its own, so invalid UTF-8 rejects that line instead of becoming U+FFFD. `end` is the
 * byte offset where the line's ending ends, for progress.
 */
async function* fileLines(file: string, stream: AsyncIterable<Buffer>): AsyncGenerator<FileLine> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let number = 0;
  let offset = 0;
  const take = (piece: Buffer, end: number): FileLine => {
    number++;
    const length = pendingBytes + piece.length;
    const line: FileLine =
      tooLong || length > MAX_LINE_BYTES
        ? { number, end, reason: `longer than ${MAX_LINE_BYTES} bytes` }
        : decodeLine(pending.length === 0 ? piece : Buffer.concat([...pending, piece]), number, end, decoder);
    pending = [];
    pendingBytes = 0;
    tooLong = false;
    return line;
  };
  const chunks = stream[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Buffer>;
    try {
      next = await chunks.next();
    } catch (error) {
      throw unreadable(file, error);
    }
    if (next.done) break;
    const chunk = next.value;
    let start = 0;
    for (let newline = chunk.indexOf(LF); newline !== -1; newline = chunk.indexOf(LF, start)) {
      yield take(chunk.subarray(start, newline), offset + newline + 1);
      start = newline + 1;
    }
    const rest = chunk.subarray(start);
    if (!tooLong && pendingBytes + rest.length > MAX_LINE_BYTES) {
      tooLong = true;
      pending = [];
      pendingBytes = 0;
    }
    if (!tooLong && rest.length > 0) {
      // Copied: the stream may reuse its chunk's memory.
      pending.push(Buffer.from(rest));
      pendingBytes += rest.length;
    }
    offset += chunk.length;
  }
  if (pendingBytes > 0 || tooLong) yield take(Buffer.alloc(0), offset);
}

/** A file that cannot be read, said in one line. */
export function unreadable(file: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a directory'
          : (error as Error).message;
  return new Error(`cannot read ${file}: ${why}`);
}

/**
 * Imports a JSONL corpus. Malformed lines are reported with their line number and reason; every
 * valid line is stored.
 */
export async function importJsonlFile(db: Database, file: string, options: ImportFileOptions = {}): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? 500;
  const handle = await open(file, 'r').catch((error: unknown) => {
    throw unreadable(file, error);
  });
  const stats = await handle.stat();
  if (stats.isDirectory()) {
    await handle.close();
    throw unreadable(file, Object.assign(new Error('is a directory'), { code: 'EISDIR' }));
  }
  const totalBytes = stats.size;
  const stream = handle.createReadStream();
  const summary: ImportSummary = { inserted: 0, alreadyPresent: 0, rejected: [] };
  let batch: { number: number; article: ValidArticle }[] = [];
  let bytesRead = 0;

  const flush = async () => {
    if (batch.length === 0) return;
    const stored: NumberedStoreSummary = { inserted: 0, alreadyPresent: 0, rejected: [] };
    await storeNumbered(db, batch, stored);
    summary.inserted += stored.inserted;
    summary.alreadyPresent += stored.alreadyPresent;
    for (const { number, reason } of stored.rejected) summary.rejected.push({ line: number, reason });
    batch = [];
    options.onProgress?.(bytesRead, totalBytes);
  };

  try {
    for await (const line of fileLines(file, stream)) {
      bytesRead = line.end;
      if ('reason' in line) {
        summary.rejected.push({ line: line.number, reason: line.reason });
        continue;
      }
      if (line.text.trim() === '') continue;
      const result = parseJsonLine(line.text);
      if (result.ok) batch.push({ number: line.number, article: result.article });
      else summary.rejected.push({ line: line.number, reason: result.reason });
      if (batch.length >= batchSize) await flush();
    }
  } finally {
    stream.destroy();
  }
  await flush();
  options.onProgress?.(totalBytes, totalBytes);
  summary.rejected.sort((a, b) => a.line - b.line);
  return summary;
}

/** Number of stored articles. */
export function countArticles(db: Database): Promise<number> {
  return db.$count(articles);
}
