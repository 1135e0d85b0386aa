/** Environment → typed configuration, read in one place. */
import path from 'node:path';

/** When the server starts a clustering run by itself (see jobs/recluster-policy.ts). */
export interface ReclusterPolicy {
  /** False: runs start only when an operator asks. */
  enabled: boolean;
  /** A run is due when the articles new to the current run reach this share of the articles it clustered (null: no such rule). */
  newShare: number | null;
  /** ... or this many (null: no such rule). */
  newCount: number | null;
  /** ... or when this long has passed since the current run finished, and something changed (null: no such rule). */
  intervalMs: number | null;
  /** Automatic runs cluster only the articles of this period (null: all of them). */
  windowMs: number | null;
  /** A run starts once no article has arrived for this long, so that a burst of imports makes one run. */
  quietMs: number;
  /** How often the server looks at the policy besides when articles arrive (the interval rule needs it). */
  checkEveryMs: number;
}

export const DEFAULT_RECLUSTER_POLICY: ReclusterPolicy = {
  enabled: true,
  newShare: 0.1,
  newCount: null,
  intervalMs: null,
  windowMs: null,
  quietMs: 2_000,
  checkEveryMs: 30_000,
};

/** How the server meets browsers and clients it does not know. */
export interface HttpSettings {
  /** Bytes of request bodies being received at once; a POST beyond them is answered 503 with Retry-After. */
  maxBodyBytesInFlight: number;
  /** Origins whose pages may call the API (CORS): a list, '*' for any origin (without credentials), [] for same-origin only. */
  corsOrigins: string[] | '*';
  /** GraphiQL on GET /graphql. */
  graphiql: boolean;
  /** `__schema` and `__type` queries. */
  introspection: boolean;
}

export const DEFAULT_HTTP_SETTINGS: HttpSettings = {
  maxBodyBytesInFlight: 32 * 1024 * 1024,
  corsOrigins: [],
  graphiql: true,
  introspection: true,
};

/** The feeds the server polls (jobs/feed-poller.ts). */
export interface FeedSettings {
  /** http(s) URLs, in the order configured; none: no polling. */
  urls: string[];
  /** How often each feed is fetched while it answers. */
  intervalMs: number;
  /** The longest one fetch may take, body included. */
  timeoutMs: number;
}

export const DEFAULT_FEED_SETTINGS: FeedSettings = { urls: [], intervalMs: 10 * 60_000, timeoutMs: 20_000 };

/** Default of `RESPONSE_CACHE_MAX_BYTES`. */
export const DEFAULT_RESPONSE_CACHE_MAX_BYTES = 32 * 1024 * 1024;

export interface Config {
  /** postgres:// URL of a PostgreSQL server; when absent, an embedded PGlite under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  /** Bearer token operators present for mutations; mutations are refused when unset. */
  apiToken: string | undefined;
  production: boolean;
  /**
   * How long a query's response may be served again from memory. Every server on the database
   * clears it when the data changes (through LISTEN/NOTIFY); 0 turns it off.
   */
  responseCacheTtlMs: number;
  /** Bytes of JSON the response cache holds at most; the least recently used answers go first. */
  responseCacheMaxBytes: number;
  recluster: ReclusterPolicy;
  http: HttpSettings;
  feeds: FeedSettings;
  /** PostgreSQL: how long to wait for a connection (ms; 0: no limit). */
  databaseConnectTimeoutMs: number;
  /** PostgreSQL: the longest single statement the server's requests may run (ms; 0: no limit). */
  databaseStatementTimeoutMs: number;
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "30d", "6h", "15m", "90s", "500ms" (or a plain number of milliseconds) → milliseconds. */
export function parseDuration(name: string, value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/.exec(value);
  const ms = match ? Math.round(Number(match[1]) * UNITS[match[2] ?? 'ms']) : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new Error(`${name} must be a duration such as 30d, 6h, 15m, 90s or 500ms, got "${value}"`);
  }
  return ms;
}

/** Milliseconds in the largest unit that keeps it whole-ish: "30 days", "6 hours", "1.5 seconds". */
export function formatDuration(ms: number): string {
  const units: [string, number][] = [
    ['week', UNITS.w],
    ['day', UNITS.d],
    ['hour', UNITS.h],
    ['minute', UNITS.m],
    ['second', UNITS.s],
  ];
  for (const [unit, size] of units) {
    if (ms >= size) {
      const value = Math.round((ms / size) * 10) / 10;
      return `${value} ${unit}${value === 1 ? '' : 's'}`;
    }
  }
  return `${ms} ms`;
}

function parseMilliseconds(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0) throw new Error(`${name} must be a whole number of milliseconds, got "${value}"`);
  return ms;
}

/** A time limit: a duration ("5s", "500ms"), or 0 for none. */
function parseLimit(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  return value.trim() === '0' ? 0 : parseDuration(name, value);
}

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024, gb: 1024 * 1024 * 1024 };

/** "32MB", "64kb", "1048576" → bytes (units of 1024). */
export function parseByteSize(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(value);
  const bytes = match ? Math.round(Number(match[1]) * BYTE_UNITS[(match[2] ?? 'b').toLowerCase()]) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0)
    throw new Error(`${name} must be a size such as 32MB, 512KB or 1048576, got "${value}"`);
  return bytes;
}

function parseSwitch(name: string, value: string | undefined): boolean {
  const text = (value ?? '').trim().toLowerCase();
  if (text === '' || text === 'on') return true;
  if (text === 'off') return false;
  throw new Error(`${name} must be "on" or "off", got "${value}"`);
}

/** "https://news.example, http://localhost:3000" → origins; "*" → any origin; unset → none. */
function parseCorsOrigins(value: string | undefined): string[] | '*' {
  const items = (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.includes('*')) {
    if (items.length > 1) throw new Error(`CORS_ORIGINS is either "*" or a list of origins, got "${value}"`);
    return '*';
  }
  return items.map((item) => {
    let origin: string | undefined;
    try {
      origin = new URL(item).origin;
    } catch {
      origin = undefined;
    }
    if (origin === undefined || origin === 'null' || origin !== item.replace(/\/$/, '')) {
      throw new Error(`CORS_ORIGINS takes origins such as https://news.example (scheme, host and port, no path), got "${item}"`);
    }
    return origin;
  });
}

/** "https://a.example/rss, https://b.example/atom.xml" → the URLs, each once; unset → none. */
function parseFeedUrls(value: string | undefined): string[] {
  const items = (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const urls = items.map((item) => {
    let url: URL | undefined;
    try {
      url = new URL(item);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new Error(`FEEDS takes http(s) URLs separated by commas (a comma inside a URL is written %2C), got "${item}"`);
    }
    return url.toString();
  });
  return [...new Set(urls)];
}

function parseFeedSettings(env: NodeJS.ProcessEnv): FeedSettings {
  const defaults = DEFAULT_FEED_SETTINGS;
  return {
    urls: parseFeedUrls(env.FEEDS),
    intervalMs: optional(env.FEEDS_INTERVAL, (text) => parseDuration('FEEDS_INTERVAL', text)) ?? defaults.intervalMs,
    timeoutMs: optional(env.FEEDS_TIMEOUT, (text) => parseDuration('FEEDS_TIMEOUT', text)) ?? defaults.timeoutMs,
  };
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return 4000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer between 0 and 65535, got "${value}"`);
  }
  return port;
}

function optional<T>(value: string | undefined, parse: (text: string) => T): T | null {
  return value === undefined || value.trim() === '' ? null : parse(value);
}

function parseShare(name: string, text: string): number | null {
  const share = Number(text);
  if (!Number.isFinite(share) || share < 0) throw new Error(`${name} must be a number ≥ 0 (0 turns the rule off), got "${text}"`);
  return share === 0 ? null : share;
}

function parseCount(name: string, text: string): number | null {
  const count = Number(text);
  if (!Number.isSafeInteger(count) || count < 0)
    throw new Error(`${name} must be a whole number ≥ 0 (0 turns the rule off), got "${text}"`);
  return count === 0 ? null : count;
}

function parseReclusterPolicy(env: NodeJS.ProcessEnv): ReclusterPolicy {
  const mode = (env.RECLUSTER ?? 'auto').trim();
  if (mode !== 'auto' && mode !== 'off' && mode !== '') throw new Error(`RECLUSTER must be "auto" or "off", got "${mode}"`);
  const defaults = DEFAULT_RECLUSTER_POLICY;
  return {
    enabled: mode !== 'off',
    newShare: env.RECLUSTER_NEW_SHARE?.trim() ? parseShare('RECLUSTER_NEW_SHARE', env.RECLUSTER_NEW_SHARE) : defaults.newShare,
    newCount: env.RECLUSTER_NEW_COUNT?.trim() ? parseCount('RECLUSTER_NEW_COUNT', env.RECLUSTER_NEW_COUNT) : defaults.newCount,
    intervalMs: optional(env.RECLUSTER_INTERVAL, (text) => parseDuration('RECLUSTER_INTERVAL', text)),
    windowMs: optional(env.RECLUSTER_WINDOW, (text) => parseDuration('RECLUSTER_WINDOW', text)),
    quietMs: optional(env.RECLUSTER_QUIET, (text) => parseDuration('RECLUSTER_QUIET', text)) ?? defaults.quietMs,
    checkEveryMs: defaults.checkEveryMs,
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.DATA_DIR || '.data'),
    port: parsePort(env.PORT),
    apiToken: env.API_TOKEN || undefined,
    production: env.NODE_ENV === 'production',
    responseCacheTtlMs: parseMilliseconds('RESPONSE_CACHE_TTL_MS', env.RESPONSE_CACHE_TTL_MS, 1_000),
    responseCacheMaxBytes: parseByteSize(
      'RESPONSE_CACHE_MAX_BYTES',
      env.RESPONSE_CACHE_MAX_BYTES,
      DEFAULT_RESPONSE_CACHE_MAX_BYTES,
    ),
    recluster: parseReclusterPolicy(env),
    http: {
      maxBodyBytesInFlight: parseByteSize(
        'MAX_BODY_BYTES_IN_FLIGHT',
        env.MAX_BODY_BYTES_IN_FLIGHT,
        DEFAULT_HTTP_SETTINGS.maxBodyBytesInFlight,
      ),
      corsOrigins: parseCorsOrigins(env.CORS_ORIGINS),
      graphiql: parseSwitch('GRAPHIQL', env.GRAPHIQL),
      introspection: parseSwitch('INTROSPECTION', env.INTROSPECTION),
    },
    feeds: parseFeedSettings(env),
    databaseConnectTimeoutMs: parseLimit('DATABASE_CONNECT_TIMEOUT', env.DATABASE_CONNECT_TIMEOUT, 5_000),
    databaseStatementTimeoutMs: parseLimit('DATABASE_STATEMENT_TIMEOUT', env.DATABASE_STATEMENT_TIMEOUT, 10_000),
  };
}
