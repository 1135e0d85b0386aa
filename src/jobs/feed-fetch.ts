/**
 * One HTTP GET of a feed, bounded: a time limit over the whole exchange (connecting, waiting and
 * reading the body), so a slow server cannot hold the poller; a size limit; and no redirects, so
 * that only the configured URLs are ever fetched. With the validators of the last fetch (ETag,
 * Last-Modified) it asks conditionally, and a 304 is "not modified".
 */
/** The largest feed body read; past it the fetch fails (a feed is kilobytes, rarely a few megabytes). */
export const MAX_FEED_BYTES = 16 * 1024 * 1024;

export interface FeedValidators {
  etag: string | null;
  lastModified: string | null;
}

export type FeedResponse =
  | { status: 304; notModified: true }
  | { status: number; notModified: false; bytes: Uint8Array; charset: string | null; validators: FeedValidators };

/** A fetch that got no feed: unreachable, timed out, an HTTP error, a redirect, too large. `status` is the HTTP status when there was one. */
export class FeedFetchError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

const USER_AGENT = 'news-topics feed reader';

async function readBody(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new FeedFetchError(`the feed is larger than ${maxBytes} bytes`, response.status);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (response.body === null) return new Uint8Array();
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      await response.body.cancel().catch(() => {});
      throw new FeedFetchError(`the feed is larger than ${maxBytes} bytes`, response.status);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** What went wrong below HTTP, in a few words: undici hides the system's code in `cause`. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/**
 * GETs the feed at `url`. Fails with a FeedFetchError for anything but a 2xx with a body (or a 304
 * when validators were sent).
 */
export async function fetchFeed(
  url: string,
  options: { timeoutMs: number; validators?: FeedValidators; maxBytes?: number; signal?: AbortSignal },
): Promise<FeedResponse> {
  const headers: Record<string, string> = {
    accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1',
    'user-agent': USER_AGENT,
  };
  if (options.validators?.etag) headers['if-none-match'] = options.validators.etag;
  if (options.validators?.lastModified) headers['if-modified-since'] = options.validators.lastModified;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  // Aborted by the caller (the server stopping): its reason; by the time limit: a timeout.
  const aborted = () =>
    options.signal?.aborted
      ? (options.signal.reason as Error)
      : new FeedFetchError(`no complete answer within ${options.timeoutMs / 1000} s`);
  let response: Response;
  try {
    response = await fetch(url, { headers, redirect: 'manual', signal });
  } catch (error) {
    if (signal.aborted) throw aborted();
    throw new FeedFetchError(`cannot fetch ${url}: ${networkReason(error)}`);
  }
  try {
    if (response.status === 304 && options.validators !== undefined) {
      await response.body?.cancel();
      return { status: 304, notModified: true };
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      const location = response.headers.get('location');
      throw new FeedFetchError(
        `HTTP ${response.status}: redirected${location ? ` to ${location}` : ''}; redirects are not followed, configure the feed's new URL`,
        response.status,
      );
    }
    if (response.status < 200 || response.status >= 300) {
      await response.body?.cancel();
      throw new FeedFetchError(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`, response.status);
    }
    const bytes = await readBody(response, options.maxBytes ?? MAX_FEED_BYTES);
    const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(response.headers.get('content-type') ?? '')?.[1];
    return {
      status: response.status,
      notModified: false,
      bytes,
      charset: charset ?? null,
      validators: { etag: response.headers.get('etag'), lastModified: response.headers.get('last-modified') },
    };
  } catch (error) {
    if (signal.aborted) throw aborted();
    if (error instanceof FeedFetchError) throw error;
    throw new FeedFetchError(`cannot read the feed from ${url}: ${networkReason(error)}`, response.status);
  }
}
