/**
 * One database handle for the whole process: postgres.js against DATABASE_URL, or an embedded
 * PGlite stored under DATA_DIR. Both run the same Drizzle code and the same migrations. Only the
 * driver in use is loaded (PGlite's took 350–500 ms to load, a tenth of `npm run cluster`).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'drizzle-orm';
import type { PgAsyncDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { relations } from './relations.js';

export type Database = PgAsyncDatabase<PgQueryResultHKT, typeof relations>;
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
/** Either the database or a transaction on it: what a query needs to run. */
export type Executor = Database | Transaction;

export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

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
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    const [{ default: postgres }, { drizzle: drizzlePostgres }, { migrate: migratePostgres }] = await Promise.all([
      import('postgres'),
      import('drizzle-orm/postgres-js'),
      import('drizzle-orm/postgres-js/migrator'),
    ]);
    const client = postgres(options.databaseUrl, {
      max: options.maxConnections ?? 10,
      onnotice: () => {},
    });
    const db = drizzlePostgres({ client, relations, logger: options.logger });
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

/** Whether a process with this pid runs on this machine (EPERM: it runs, as another user). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is a single-process database: two processes opening one folder would corrupt it. A lock
 * file holding the owner's pid turns that into a clear error; a lock left by a dead process is
 * taken over.
 */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, 'news-topics.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockFile, 'utf8'));
      if (owner !== process.pid && Number.isInteger(owner) && processIsAlive(owner)) {
        throw new Error(
          `the embedded database in ${dataDir} is in use by process ${owner} (is \`npm start\` running?). ` +
            'Stop it first, point DATABASE_URL at a PostgreSQL server, or use the GraphQL mutations.',
        );
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}

/** Opens the configured database and brings its schema up to date. */
export async function openConfiguredDatabase(config: { databaseUrl?: string; dataDir: string }): Promise<DatabaseHandle> {
  const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await handle.migrate();
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}
