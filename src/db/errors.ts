/**
 * What went wrong with the database, read from an error of any layer: GraphQL wraps resolver
 * errors (`originalError`), Drizzle wraps driver errors in "Failed query: … params: …"
 * (`cause`), postgres.js rejects with Node's socket errors, its own connection errors or the
 * server's SQLSTATE. An outage (the database unreachable, restarting, out of connections) is told
 * apart from a statement that ran past its time limit, and both from everything else (a bug).
 */

/** Node socket errors and postgres.js connection errors: the database cannot be reached. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
]);

/** SQLSTATEs of a server that is there but cannot serve: shutting down, starting up. */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03']);
/** SQLSTATE class 53, insufficient resources: too many clients, out of memory or lock slots, disk full. */
const INSUFFICIENT_RESOURCES_CLASS = '53';
/** SQLSTATE class 08: connection exception. */
const CONNECTION_EXCEPTION_CLASS = '08';
/** query_canceled: statement_timeout (or a cancel request). */
const QUERY_CANCELED = '57014';
/** invalid_catalog_name: the database named in DATABASE_URL does not exist. */
export const DATABASE_DOES_NOT_EXIST = '3D000';
/** insufficient_privilege. */
export const INSUFFICIENT_PRIVILEGE = '42501';
/** duplicate_database. */
export const DATABASE_ALREADY_EXISTS = '42P04';

export type DatabaseTrouble = 'unavailable' | 'timeout';

/** The error and the errors it wraps, outermost first. */
export function* errorChain(error: unknown): Generator<Error> {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    yield current;
    // An AggregateError (one per address tried) stands for its first error.
    const inner = current instanceof AggregateError ? current.errors[0] : undefined;
    current = (current as { originalError?: unknown }).originalError ?? current.cause ?? inner;
  }
}

function codeOf(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** The first error in the chain carrying a database or socket code: the one that says what happened. */
export function databaseCause(error: unknown): (Error & { code: string }) | undefined {
  for (const link of errorChain(error)) {
    // An AggregateError's message is empty: its first error says it.
    if (codeOf(link) !== undefined && link.message !== '') return link as Error & { code: string };
  }
  return undefined;
}

/** Whether the error comes from the database being unavailable, or a statement past its time limit. */
export function classifyDatabaseError(error: unknown): { trouble: DatabaseTrouble; cause: Error } | undefined {
  const cause = databaseCause(error);
  if (!cause) return undefined;
  const { code } = cause;
  if (
    UNREACHABLE_CODES.has(code) ||
    UNAVAILABLE_SQLSTATES.has(code) ||
    (code.length === 5 && (code.startsWith(CONNECTION_EXCEPTION_CLASS) || code.startsWith(INSUFFICIENT_RESOURCES_CLASS)))
  ) {
    return { trouble: 'unavailable', cause };
  }
  if (code === QUERY_CANCELED) return { trouble: 'timeout', cause };
  return undefined;
}

/**
 * One line for an operator: the error's message, with a Drizzle "Failed query" (SQL and every
 * parameter) replaced by what the database said, and the statement's first words for context.
 */
export function describeError(error: unknown): string {
  const chain = [...errorChain(error)];
  if (chain.length === 0) return String(error);
  const failedQuery = chain.find((link) => link.name === 'DrizzleQueryError') as (Error & { query?: string }) | undefined;
  const cause = databaseCause(error) ?? chain.at(-1)!;
  if (!failedQuery) return cause.message;
  const statement = (failedQuery.query ?? '').replace(/\s+/g, ' ').trim();
  const shortened = statement.length > 60 ? `${statement.slice(0, 60)}…` : statement;
  return cause === failedQuery ? `query failed: ${shortened}` : `${cause.message} (in: ${shortened})`;
}

/** Why a server or command could not start, in one line that says what to do where it can. */
export function describeStartError(error: unknown): string {
  const classified = classifyDatabaseError(error);
  if (classified?.trouble === 'unavailable') {
    return `cannot reach the database (${classified.cause.message}): is PostgreSQL running, and is DATABASE_URL right?`;
  }
  return describeError(error);
}
