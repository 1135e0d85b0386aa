/**
 * Database outages as errors a client can act on, in production too (where other unexpected
 * errors are masked): a field that failed because the database cannot be reached (refused, timed
 * out connecting, connection lost, too many clients, shutting down or starting up) answers
 * `UNAVAILABLE`; one whose statement ran past DATABASE_STATEMENT_TIMEOUT answers `TIMEOUT`. A
 * response holding nothing but such errors is HTTP 503 with Retry-After (a stream's events keep
 * their transport's status). The log names the cause in one line per request, without the SQL or
 * its parameters; identical lines within a second are counted into the next one.
 */
import { type ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { classifyDatabaseError, type DatabaseTrouble, describeError } from '../db/errors.js';

/** What a client is told to wait before retrying (the pool reconnects within a second). */
export const RETRY_AFTER_SECONDS = 5;
const LOG_EVERY_MS = 1_000;
/** Distinct log lines remembered for folding; beyond that the memory starts over. */
const MAX_REMEMBERED_LINES = 100;

const TROUBLE: Record<DatabaseTrouble, { code: string; message: string }> = {
  unavailable: { code: 'UNAVAILABLE', message: 'The database is unavailable; retry shortly.' },
  timeout: { code: 'TIMEOUT', message: 'The database did not answer in time; retry shortly.' },
};

/** Logs a line, folding repeats of it within LOG_EVERY_MS into a count on the next one. */
function foldingLog(log: (message: string) => void): (line: string) => void {
  const recent = new Map<string, { at: number; folded: number }>();
  return (line) => {
    const now = Date.now();
    const entry = recent.get(line);
    if (entry && now - entry.at < LOG_EVERY_MS) {
      entry.folded++;
      return;
    }
    if (recent.size >= MAX_REMEMBERED_LINES) recent.clear();
    log(entry?.folded ? `${line} (and ${entry.folded} more like it)` : line);
    recent.set(line, { at: now, folded: 0 });
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** Whether the result answers nothing: no data, or only null root fields. */
function holdsNoData(result: ExecutionResult): boolean {
  return result.data == null || Object.values(result.data).every((value) => value === null);
}

export function unavailablePlugin(log: (message: string) => void): Plugin {
  const report = foldingLog(log);
  /** The result with its outage errors replaced; `single`: a whole HTTP response, which may become a 503. */
  const mapResult = (result: ExecutionResult, single: boolean): ExecutionResult | undefined => {
    if (!result.errors?.length) return undefined;
    const troubles = result.errors.map((error) => classifyDatabaseError(error));
    if (troubles.every((trouble) => trouble === undefined)) return undefined;
    const lines = new Set<string>();
    troubles.forEach((trouble, index) => {
      if (!trouble) return;
      lines.add(
        trouble.trouble === 'unavailable'
          ? `database unavailable: ${trouble.cause.message}`
          : `database statement timeout: ${describeError(result.errors?.[index])}`,
      );
    });
    for (const line of lines) report(line);
    const unavailableOnly = single && troubles.every(Boolean) && holdsNoData(result);
    const http = unavailableOnly ? { status: 503, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } } : undefined;
    return {
      ...result,
      errors: result.errors.map((error, index) => {
        const trouble = troubles[index];
        if (!trouble) return error;
        const { code, message } = TROUBLE[trouble.trouble];
        // No originalError: the masking of unexpected errors leaves it as it is.
        return new GraphQLError(message, {
          nodes: error.nodes,
          source: error.source,
          positions: error.positions,
          path: error.path,
          extensions: { code, ...(http ? { http } : {}) },
        });
      }),
    };
  };
  return {
    onExecute: () => ({
      onExecuteDone: ({ result, setResult }) => {
        if (isAsyncIterable(result)) {
          return {
            onNext: ({ result: next, setResult: setNext }) => {
              const mapped = mapResult(next as ExecutionResult, false);
              if (mapped) setNext(mapped);
            },
          };
        }
        const mapped = mapResult(result, true);
        if (mapped) setResult(mapped);
        return undefined;
      },
    }),
    onSubscribe: () => ({
      onSubscribeResult: () => ({
        onNext: ({ result, setResult }) => {
          const mapped = mapResult(result as ExecutionResult, false);
          if (mapped) setResult(mapped);
        },
      }),
    }),
  };
}
