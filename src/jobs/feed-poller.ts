/**
 * The server's feed polling (FEEDS): each configured feed is fetched every FEEDS_INTERVAL with a
 * conditional GET, its new entries imported like any corpus (feed-import.ts: validation,
 * idempotency, topic assignment, change notices), and its state kept in the `feeds` table, so that
 * every server on the database sees it and none fetches a feed another is fetching: a server
 * claims a due feed by moving its `next_attempt_at` past the fetch's deadline in one UPDATE, which
 * only one server's UPDATE can match. A failed fetch (unreachable, timed out, an HTTP error, not a
 * feed) waits twice as long as the one before, up to a cap. A server that dies mid-fetch leaves
 * its claim to expire.
 */
import { and, inArray, lte, type SQL, sql } from 'drizzle-orm';
import type { FeedSettings } from '../config.js';
import type { Database } from '../db/client.js';
import { describeError } from '../db/errors.js';
import { feeds } from '../db/schema.js';
import { FeedFetchError, fetchFeed } from './feed-fetch.js';
import { type FeedImportSummary, importFeedDocument } from './feed-import.js';

/** The longest wait after failures in a row (unless the interval itself is longer). */
const LONGEST_BACKOFF_MS = 6 * 3_600_000;
/** A claim outlasts its fetch's time limit by this much: the import of what it fetched, at most. */
const CLAIM_MARGIN_MS = 5 * 60_000;
/** However far off the next due feed, the poller looks again this often (another server's claims move the times). */
const LONGEST_SLEEP_MS = 60_000;
/** ... and waits at least this long between rounds. */
const SHORTEST_SLEEP_MS = 50;

export type FeedStatus = typeof feeds.$inferSelect;

export interface FeedPoller {
  /** The configured feeds with their state, in the order configured. */
  statuses(): Promise<FeedStatus[]>;
  /** Fetches the feeds that are due now (and not claimed by another server); resolves when they are done. */
  pollDue(): Promise<void>;
  /** Stops polling: a fetch in progress is abandoned and its feed left due for whoever polls next. */
  stop(): Promise<void>;
}

/** The wait before the next fetch after `failures` failed fetches in a row: the interval, doubled for each. */
export function feedRetryDelayMs(intervalMs: number, failures: number): number {
  if (failures === 0) return intervalMs;
  return Math.min(Math.max(intervalMs, LONGEST_BACKOFF_MS), intervalMs * 2 ** Math.min(failures, 30));
}

const after = (ms: number): SQL => sql`now() + make_interval(secs => ${ms / 1000}::double precision)`;

/** A state for a feed whose row is not written yet. */
function unpolled(url: string): FeedStatus {
  return {
    url,
    etag: null,
    lastModified: null,
    lastFetchedAt: null,
    lastStatus: null,
    lastError: null,
    lastRejected: 0,
    articlesAdded: 0,
    failures: 0,
    nextAttemptAt: new Date().toISOString(),
    createdAt: new Date().toISOString(),
  };
}

export function createFeedPoller(options: {
  db: Database;
  settings: FeedSettings;
  log: (message: string) => void;
  /** A feed stored articles (after their transactions committed). */
  onImported?: (url: string, summary: FeedImportSummary) => void;
  /** False: no rounds of its own; the caller calls pollDue (tests). */
  schedule?: boolean;
}): FeedPoller {
  const { db, settings, log, onImported } = options;
  const { urls, intervalMs, timeoutMs } = settings;
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> | undefined;

  /** Writes the rows of the configured feeds once (another server may have written them); again after a failure. */
  let registered: Promise<void> | undefined;
  const register = (): Promise<void> => {
    registered ??= db
      .insert(feeds)
      .values(urls.map((url) => ({ url })))
      .onConflictDoNothing()
      .then(
        () => undefined,
        (error: unknown) => {
          registered = undefined;
          throw error;
        },
      );
    return registered;
  };

  const record = (url: string, values: SQL) => db.execute(sql`update ${feeds} set ${values} where ${feeds.url} = ${url}`);

  const failed = async (url: string, failures: number, error: unknown, httpStatus: number | null) => {
    const message = describeError(error);
    const status = error instanceof FeedFetchError ? error.status : httpStatus;
    const delay = feedRetryDelayMs(intervalMs, failures + 1);
    await record(
      url,
      sql`last_fetched_at = now(), last_status = ${status}, last_error = ${message}, failures = failures + 1,
          next_attempt_at = ${after(delay)}`,
    );
    log(`feed ${url}: ${message}; next attempt in ${Math.round(delay / 1000)} s`);
  };

  const poll = async (claimed: Pick<FeedStatus, 'url' | 'etag' | 'lastModified' | 'failures'>) => {
    const { url } = claimed;
    let summary: FeedImportSummary;
    // The status of an answer that came but held no readable feed.
    let httpStatus: number | null = null;
    try {
      const response = await fetchFeed(url, {
        timeoutMs,
        signal: stopping.signal,
        validators: { etag: claimed.etag, lastModified: claimed.lastModified },
      });
      if (stopping.signal.aborted) throw stopping.signal.reason;
      httpStatus = response.status;
      if (response.notModified) {
        await record(
          url,
          sql`last_fetched_at = now(), last_status = 304, last_error = null, failures = 0, next_attempt_at = ${after(intervalMs)}`,
        );
        return;
      }
      summary = await importFeedDocument(db, { bytes: response.bytes, charset: response.charset, location: url });
      // The validators are kept only for a feed read whole: a broken one must be fetched again in full.
      await record(
        url,
        sql`etag = ${response.validators.etag}, last_modified = ${response.validators.lastModified}, last_fetched_at = now(),
            last_status = ${response.status}, last_error = null, last_rejected = ${summary.rejected.length},
            articles_added = articles_added + ${summary.inserted}, failures = 0, next_attempt_at = ${after(intervalMs)}`,
      );
    } catch (error) {
      if (stopping.signal.aborted) {
        // Shutting down: the feed is due again at once, for this server's next start or another.
        await record(url, sql`next_attempt_at = now()`).catch(() => {});
        return;
      }
      await failed(url, claimed.failures, error, httpStatus).catch((recordError: unknown) =>
        log(
          `feed ${url}: could not record its failure (${describeError(recordError)}); it is fetched again when its claim expires`,
        ),
      );
      return;
    }
    if (summary.inserted > 0) onImported?.(url, summary);
    const rejected = summary.rejected.length > 0 ? `; entry ${summary.rejected[0].number}: ${summary.rejected[0].reason}` : '';
    if (summary.inserted > 0 || rejected !== '') {
      log(
        `feed ${url}: ${summary.inserted} inserted, ${summary.alreadyPresent} already present, ${summary.rejected.length} rejected${rejected}`,
      );
    }
  };

  const pollDue = async () => {
    if (stopping.signal.aborted || urls.length === 0) return;
    await register();
    const claimed = await db
      .update(feeds)
      .set({ nextAttemptAt: after(timeoutMs + CLAIM_MARGIN_MS) })
      .where(and(inArray(feeds.url, urls), lte(feeds.nextAttemptAt, sql`now()`)))
      .returning({ url: feeds.url, etag: feeds.etag, lastModified: feeds.lastModified, failures: feeds.failures });
    await Promise.all(claimed.map((feed) => poll(feed)));
  };

  /** Runs a round, then sleeps until the next feed is due (or LONGEST_SLEEP_MS). */
  const cycle = () => {
    round = (async () => {
      try {
        await pollDue();
      } catch (error) {
        log(`feed polling: ${describeError(error)}`);
      }
      if (stopping.signal.aborted) return;
      let sleepMs = LONGEST_SLEEP_MS;
      try {
        const [next] = await db
          .select({ ms: sql<number | null>`(extract(epoch from (min(${feeds.nextAttemptAt}) - now())) * 1000)::float8` })
          .from(feeds)
          .where(inArray(feeds.url, urls));
        if (next !== undefined && next.ms !== null) {
          sleepMs = Math.min(LONGEST_SLEEP_MS, Math.max(SHORTEST_SLEEP_MS, Math.ceil(Number(next.ms))));
        }
      } catch (error) {
        log(`feed polling: ${describeError(error)}`);
      }
      if (!stopping.signal.aborted) timer = setTimeout(cycle, sleepMs).unref();
    })();
  };

  if (urls.length > 0 && options.schedule !== false) setImmediate(() => stopping.signal.aborted || cycle());

  return {
    async statuses() {
      if (urls.length === 0) return [];
      await register();
      const rows = await db.select().from(feeds).where(inArray(feeds.url, urls));
      const byUrl = new Map(rows.map((row) => [row.url, row]));
      return urls.map((url) => byUrl.get(url) ?? unpolled(url));
    },
    pollDue,
    async stop() {
      stopping.abort(new Error('the server is stopping'));
      clearTimeout(timer);
      await round;
      await registered?.catch(() => {});
    },
  };
}
