/**
 * A database session of one's own, for state PostgreSQL keeps per session, such as the clustering
 * run's lease (jobs/run-lease.ts): postgres.js opens a connection for it, closed when the session
 * is released; PGlite has one session, which the process owns whole (its data folder is locked).
 * PostgreSQL ends a session, and everything it holds, when its connection dies.
 */
import type { Database } from './client.js';

export interface Session {
  /** PGlite: the process's one session, which outlives this use (release its locks before releasing it). */
  shared: boolean;
  /** Runs one statement with $1… parameters; resolves to its rows. */
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** Ends the session: postgres.js closes its connection, which releases its locks. */
  release(): Promise<void>;
}

type OpenSession = () => Promise<Session>;

const openers = new WeakMap<Database, OpenSession>();

/** Called by openDatabase for each database it opens. */
export function registerSessions(db: Database, open: OpenSession): void {
  openers.set(db, open);
}

export function openSession(db: Database): Promise<Session> {
  const open = openers.get(db);
  if (!open) throw new Error('this database handle was not opened by openDatabase');
  return open();
}
