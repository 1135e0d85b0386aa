/**
 * One database handle for the whole process: postgres.js against DATABASE_URL, or an embedded
 * PGlite stored under DATA_DIR. Both run the same Drizzle code and the same migrations. Only the
 * driver in use is loaded (PGlite's took 350–500 ms to load, a tenth of `npm run cluster`).
 */
import { type Logger, sql } from 'drizzle-orm';
import type { PgAsyncDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Config } from '../config.js';
import { projectPath } from '../project-root.js';
import { lockDataDir } from './data-dir-lock.js';
import {
  DATABASE_ALREADY_EXISTS,
  DATABASE_DOES_NOT_EXIST,
  databaseCause,
  describeError,
  INSUFFICIENT_PRIVILEGE,
} from './errors.js';
import { preparingStatements } from './prepared-statements.js';
import { relations } from './relations.js';
import { registerSessions } from './sessions.js';

export type Database = PgAsyncDatabase<PgQueryResultHKT, typeof relations>;
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
/** Either the database or a transaction on it: what a query needs to run. */
export type Executor = Database | Transaction;

export const migrationsFolder = projectPath('drizzle');

export interface DatabaseHandle {
  db: Database;
  driver: 'postgres' | 'pglite';
  /** Applies the committed drizzle-kit migrations that have not run yet (those of `folder`, when given). */
  migrate(folder?: string): Promise<void>;
  /**
   * LISTENs on a channel: `onPayload` gets each NOTIFY payload. `onConnected` runs whenever the
   * listening connection (re)connects, when notices sent meanwhile may have been missed
   * (postgres.js reconnects by itself; PGlite's notices never leave the process). Resolves to a
   * function that stops listening.
   */
  listen(channel: string, onPayload: (payload: string) => void, onConnected?: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string;
  /** PGlite's folder; `memory://` keeps it in memory. */
  dataDir?: string;
  /** A PGlite data folder dump to start from (tests clone a migrated template this way). */
  pgliteTemplate?: Blob;
  /** Sees every SQL statement; the tests count them. */
  logger?: Logger;
  /** postgres.js pool size. */
  maxConnections?: number;
  /** PostgreSQL: how long to wait for a connection, in ms (default 5 s; 0: no limit). */
  connectTimeoutMs?: number;
  /**
   * PostgreSQL: the longest single statement, in ms (default: no limit). The server sets it for
   * its requests' queries; the transactions of imports and of a run's write raise it
   * (allowLongStatements), and migrations run on a connection without it.
   */
  statementTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** An idle pooled connection is closed after this long (a dead one is not kept for the next request). */
const IDLE_TIMEOUT_S = 60;
/**
 * Longest wait before reconnecting after a failed connection. postgres.js backs off up to 20 s,
 * so requests queued during an outage waited that long after the database came back.
 */
const MAX_RECONNECT_DELAY_S = 0.5;

/** postgres.js's backoff (3^n / 100 s with jitter), capped at MAX_RECONNECT_DELAY_S. */
function reconnectDelay(retries: number): number {
  return (0.5 + Math.random() / 2) * Math.min(3 ** retries / 100, MAX_RECONNECT_DELAY_S);
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    const [{ default: postgres }, { drizzle: drizzlePostgres }, { migrate: migratePostgres }] = await Promise.all([
      import('postgres'),
      import('drizzle-orm/postgres-js'),
      import('drizzle-orm/postgres-js/migrator'),
    ]);
    const statementTimeoutMs = options.statementTimeoutMs ?? 0;
    const client = postgres(options.databaseUrl, {
      max: options.maxConnections ?? 10,
      onnotice: () => {},
      connect_timeout: (options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS) / 1000,
      // No catalog query of its own on each new connection: the app reads no array types, and
      // that query's failure (a statement timeout, a connection cut) crashed the process.
      fetch_types: false,
      idle_timeout: IDLE_TIMEOUT_S,
      backoff: reconnectDelay,
      ...(statementTimeoutMs > 0 ? { connection: { statement_timeout: statementTimeoutMs } } : {}),
    });
    const db = drizzlePostgres({ client: preparingStatements(client), relations, logger: options.logger });
    // A connection of its own rather than one reserved from the pool: ending it ends the session
    // even when it already died (postgres.js hangs on a reserved connection the server closed).
    registerSessions(db, async () => {
      const session = postgres(options.databaseUrl!, {
        max: 1,
        onnotice: () => {},
        fetch_types: false,
        connect_timeout: client.options.connect_timeout,
      });
      return {
        shared: false,
        query: async (text, params = []) => [...(await session.unsafe(text, params as never[]))] as never[],
        release: () => session.end({ timeout: 1 }),
      };
    });
    return {
      db,
      driver: 'postgres',
      migrate: async (folder = migrationsFolder) => {
        await migratePostgres(db, { migrationsFolder: folder });
      },
      listen: async (channel, onPayload, onConnected) => {
        const { unlisten } = await client.listen(channel, onPayload, onConnected);
        return unlisten;
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  const dataDir = options.dataDir ?? 'memory://';
  const releaseLock = dataDir.startsWith('memory://') ? () => {} : lockDataDir(dataDir);
  try {
    const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('drizzle-orm/pglite'),
      import('drizzle-orm/pglite/migrator'),
    ]);
    const client = await PGlite.create(dataDir, { loadDataDir: options.pgliteTemplate });
    const db = drizzlePglite({ client, relations, logger: options.logger });
    registerSessions(db, async () => ({
      shared: true,
      query: async (text, params) => (await client.query(text, params)).rows as never[],
      release: async () => {},
    }));
    return {
      db,
      driver: 'pglite',
      migrate: async (folder = migrationsFolder) => {
        await migratePglite(db, { migrationsFolder: folder });
      },
      listen: async (channel, onPayload, onConnected) => {
        const unlisten = await client.listen(channel, onPayload);
        onConnected?.();
        return () => unlisten();
      },
      close: async () => {
        await client.close();
        releaseLock();
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}

/** PostgreSQL's maintenance database, there on every server: where a missing database is created from. */
const MAINTENANCE_DATABASE = 'postgres';

export interface ConfiguredDatabaseOptions {
  /** The longest single statement after the migrations (the server sets it; commands run without). */
  statementTimeoutMs?: number;
  /** Where the creation of a missing database is reported. */
  log?: (message: string) => void;
}

/**
 * Opens the configured database and brings its schema up to date. A PostgreSQL database that does
 * not exist yet is created (with the same credentials, from the server's maintenance database),
 * so that `DATABASE_URL=…/news npm start` works on a fresh server.
 */
export async function openConfiguredDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'databaseConnectTimeoutMs'>,
  { statementTimeoutMs, log = console.log }: ConfiguredDatabaseOptions = {},
): Promise<DatabaseHandle> {
  const open = (limit?: number) =>
    openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      connectTimeoutMs: config.databaseConnectTimeoutMs,
      statementTimeoutMs: limit,
    });
  const migrated = async () => {
    // Migrations (some of their statements outside a transaction) run without the request limit.
    const handle = await open();
    try {
      await handle.migrate();
    } catch (error) {
      await handle.close();
      throw error;
    }
    if (!statementTimeoutMs || !config.databaseUrl) return handle;
    await handle.close();
    return open(statementTimeoutMs);
  };
  try {
    return await migrated();
  } catch (error) {
    if (!config.databaseUrl || databaseCause(error)?.code !== DATABASE_DOES_NOT_EXIST) throw error;
    log(await createDatabase(config.databaseUrl, config.databaseConnectTimeoutMs));
    return migrated();
  }
}

/**
 * In a transaction of an import or of a clustering run's write: its statements may take longer
 * than the server's request limit (DATABASE_STATEMENT_TIMEOUT), waiting for the current run's
 * lock or writing many rows; they are bounded by this instead.
 */
export async function allowLongStatements(tx: Transaction): Promise<void> {
  await tx.execute(sql`select set_config('statement_timeout', ${LONG_STATEMENT_TIMEOUT}, true)`);
}

/** The longest statement of an import's or a run's transaction. */
const LONG_STATEMENT_TIMEOUT = '10min';

/** Creates the database DATABASE_URL names; resolves to a line saying so, or throws saying what to run instead. */
async function createDatabase(databaseUrl: string, connectTimeoutMs: number): Promise<string> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  const user = decodeURIComponent(url.username) || 'the user of DATABASE_URL';
  const where = `${url.hostname}:${url.port || 5432}`;
  if (name === '') throw new Error(`DATABASE_URL names no database (postgres://user@${where}/news)`);
  const { default: postgres } = await import('postgres');
  url.pathname = `/${MAINTENANCE_DATABASE}`;
  const admin = postgres(url.toString(), {
    max: 1,
    onnotice: () => {},
    fetch_types: false,
    connect_timeout: connectTimeoutMs / 1000,
  });
  try {
    await admin.unsafe(`create database "${name.replaceAll('"', '""')}"`);
  } catch (error) {
    const code = databaseCause(error)?.code;
    // Another process created it meanwhile.
    if (code === DATABASE_ALREADY_EXISTS) return `database "${name}" was created meanwhile on ${where}`;
    const owner = url.username ? ` -O ${user}` : '';
    const command = `createdb -h ${url.hostname} -p ${url.port || 5432}${owner} ${name}`;
    const reason = code === INSUFFICIENT_PRIVILEGE ? `${user} may not create databases` : describeError(error);
    throw new Error(
      `database "${name}" does not exist on ${where} and could not be created (${reason}); ` +
        `create it as a user who may: ${command}`,
    );
  } finally {
    await admin.end({ timeout: 1 });
  }
  return `database "${name}" did not exist on ${where}: created it`;
}
