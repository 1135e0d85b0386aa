/** Environment → typed configuration, read in one place. */
import path from 'node:path';

export interface Config {
  /** postgres:// URL of a PostgreSQL server; when absent, an embedded PGlite under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  /** Bearer token operators present for mutations; mutations are refused when unset. */
  apiToken: string | undefined;
  production: boolean;
  /**
   * How long a query's response may be served again from memory. Writes made through this server
   * clear the cache at once; this bounds how late writes by other processes show. 0 turns it off.
   */
  responseCacheTtlMs: number;
}

function parseMilliseconds(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0) throw new Error(`${name} must be a whole number of milliseconds, got "${value}"`);
  return ms;
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return 4000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer between 0 and 65535, got "${value}"`);
  }
  return port;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.DATA_DIR || '.data'),
    port: parsePort(env.PORT),
    apiToken: env.API_TOKEN || undefined,
    production: env.NODE_ENV === 'production',
    responseCacheTtlMs: parseMilliseconds('RESPONSE_CACHE_TTL_MS', env.RESPONSE_CACHE_TTL_MS, 1_000),
  };
}
