/**
 * The response cache: answers to queries (public data, one cache for everyone) kept for a short
 * while, bounded by the bytes of their JSON rather than by a number of entries (a thousand
 * 300 KB answers are 300 MB). The least recently used answers go first; expired ones are swept, so
 * an idle server gives their memory back. The whole cache is dropped whenever the data changes,
 * whoever changed it (an import can move any feed, a run every topic).
 *
 * An answer is kept as its JSON text and parsed again on a hit: the bound is then the memory it
 * really takes, and no object of a past response stays reachable from the cache.
 *
 * Each clearing starts a new generation, part of every key (`responseCacheKey`, and the key of
 * coalesce.ts): an execution that began before a change finishes under the old generation, so its
 * answer is never served to a request that arrives after the change.
 */
import { createHash } from 'node:crypto';
import type { BuildResponseCacheKeyFunction, Cache } from '@graphql-yoga/plugin-response-cache';
import { type ExecutionResult, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { NewsEvents } from './events.js';

/** Expired answers are swept at least this often (and at most once per TTL). */
const MIN_SWEEP_INTERVAL_MS = 1_000;

interface Entry {
  json: string;
  bytes: number;
  expiresAt: number;
}

export interface ByteBoundedCache extends Cache {
  /** Bytes of JSON held now. */
  readonly bytes: number;
  /** Answers held now. */
  readonly size: number;
  /** How many times the cache was cleared: the data's version, as far as this server knows. */
  readonly generation: number;
  /**
   * Queries answered from the cache, and those executed because it held no answer, since start
   * (counted per request by cacheCountPlugin: the plugin looks a missed key up twice).
   */
  readonly hits: number;
  readonly misses: number;
  countRequest(hit: boolean): void;
  clear(): void;
  /** Removes the expired answers (the sweep timer calls it). */
  sweep(): void;
  /** Stops the sweep timer and drops everything. */
  stop(): void;
}

export interface ByteBoundedCacheOptions {
  maxBytes: number;
  /** How often expired answers are swept; 0: only on access. */
  sweepEveryMs?: number;
  now?: () => number;
}

/** An LRU cache of execution results, bounded by the UTF-8 bytes of their JSON. */
export function createByteBoundedCache({
  maxBytes,
  sweepEveryMs = 0,
  now = Date.now,
}: ByteBoundedCacheOptions): ByteBoundedCache {
  // A Map iterates in insertion order: re-inserting on a hit makes its first key the least recently used.
  const entries = new Map<string, Entry>();
  let bytes = 0;
  let generation = 0;
  let hits = 0;
  let misses = 0;

  function remove(id: string): void {
    const entry = entries.get(id);
    if (!entry) return;
    entries.delete(id);
    bytes -= entry.bytes;
  }

  function clear(): void {
    entries.clear();
    bytes = 0;
    generation++;
  }

  function sweep(): void {
    const time = now();
    for (const [id, entry] of entries) if (entry.expiresAt <= time) remove(id);
  }

  const timer = sweepEveryMs > 0 ? setInterval(sweep, sweepEveryMs) : undefined;
  timer?.unref();

  return {
    get bytes() {
      return bytes;
    },
    get size() {
      return entries.size;
    },
    get generation() {
      return generation;
    },
    get hits() {
      return hits;
    },
    get misses() {
      return misses;
    },
    countRequest(hit) {
      if (hit) hits++;
      else misses++;
    },
    set(id, data, _entities, ttl) {
      // Requests that shared one execution (see coalesce.ts) each store the same answer: keep the first.
      const existing = entries.get(id);
      if (existing && existing.expiresAt > now() && ttl > 0) return;
      remove(id);
      if (!(ttl > 0)) return;
      const json = JSON.stringify(data);
      const size = Buffer.byteLength(json);
      // An answer larger than the whole cache is not kept (it would evict everything else for nothing).
      if (size > maxBytes) return;
      while (bytes + size > maxBytes) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        remove(oldest.value);
      }
      entries.set(id, { json, bytes: size, expiresAt: now() + ttl });
      bytes += size;
    },
    get(id) {
      const entry = entries.get(id);
      if (!entry) return null;
      entries.delete(id);
      if (entry.expiresAt <= now()) {
        bytes -= entry.bytes;
        return null;
      }
      entries.set(id, entry);
      return JSON.parse(entry.json) as ExecutionResult;
    },
    // Answers are not tracked by entity: any change drops them all, as a change notice does.
    invalidate: clear,
    clear,
    sweep,
    stop() {
      if (timer) clearInterval(timer);
      clear();
    },
  };
}

/** The server's response cache: byte-bounded, and cleared whole on every `dataChanged` event. */
export function createResponseCache(events: NewsEvents, options: { maxBytes: number; ttlMs: number }): ByteBoundedCache {
  const cache = createByteBoundedCache({
    maxBytes: options.maxBytes,
    sweepEveryMs: Math.max(options.ttlMs, MIN_SWEEP_INTERVAL_MS),
  });
  const changes = events.subscribe('dataChanged');
  void (async () => {
    for await (const _ of changes) cache.clear();
  })();
  const stopCache = cache.stop;
  return Object.assign(cache, {
    stop() {
      stopCache();
      void changes.return?.();
    },
  });
}

/** What identifies an answer: the data's generation, the document, the operation and the variables. */
export function requestKey(
  generation: number,
  request: { documentString: string; operationName?: string | null; variableValues?: unknown },
): string {
  return JSON.stringify([generation, request.documentString, request.operationName ?? null, request.variableValues ?? null]);
}

/**
 * Whether a request's answer may be shared with other callers (the response cache, coalescing):
 * only without an Authorization header. An operator's answer may hold operator-only fields (the
 * feeds' state), and a wrong token's refusal says so; neither is served to anyone else, nor
 * served from what others were answered.
 */
export function sharesAnswers(request: Pick<Request, 'headers'> | undefined): boolean {
  return request !== undefined && request.headers.get('authorization') === null;
}

/**
 * The response cache plugin's key: requestKey, hashed, synchronously (the plugin's own hash goes
 * through WebCrypto, a round trip to libuv's thread pool on every request, hit or miss).
 */
export function responseCacheKey(cache: ByteBoundedCache): BuildResponseCacheKeyFunction {
  return (params) => createHash('sha256').update(requestKey(cache.generation, params)).digest('hex');
}

/** The response cache plugin marks the answers it served. */
const SERVED_FROM_CACHE = Symbol.for('servedFromResponseCache');

/**
 * Counts the cache's hits and misses per request: a hit is an answer the cache served, a miss a
 * query that ran with the cache on (coalesced requests count as misses: they did not hit).
 */
export function cacheCountPlugin(cache: ByteBoundedCache): Plugin {
  return {
    onExecute({ args }) {
      if (!sharesAnswers((args.contextValue as { request?: Request }).request)) return;
      if (getOperationAST(args.document, args.operationName)?.operation === 'query') cache.countRequest(false);
    },
    onResultProcess({ result }) {
      if (typeof result === 'object' && result !== null && SERVED_FROM_CACHE in result) cache.countRequest(true);
    },
  };
}
