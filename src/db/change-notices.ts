/**
 * Change notices between processes sharing one database, through LISTEN/NOTIFY: an import or a
 * clustering run by any process (a server, `npm run seed`, `npm run cluster`) tells every server
 * on the database, which then clears its response cache and tells its subscribers. A notice sent
 * inside a transaction is delivered when it commits, and not at all when it rolls back.
 */
import { sql } from 'drizzle-orm';
import type { Executor } from './client.js';

export const CHANGES_CHANNEL = 'news_topics_changes';

export type ChangeNotice =
  /** Articles were stored, or placed into topics (look their memberships up in the current run). */
  | { kind: 'articles'; ids: number[] }
  /** A clustering run ended; when it succeeded, it is now the current run. */
  | { kind: 'run'; runId: number; status: 'succeeded' | 'failed' };

/** NOTIFY payloads must stay under 8,000 bytes; a long list of ids goes in several notices. */
const MAX_PAYLOAD_BYTES = 7_000;

/** Sorted ids as ranges, "3-9,12,15-16": an import's ids are mostly consecutive. */
function encodeIds(ids: number[]): string[] {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  const chunks: string[] = [];
  let current = '';
  for (const part of parts) {
    if (current.length + part.length + 1 > MAX_PAYLOAD_BYTES) {
      chunks.push(current);
      current = '';
    }
    current = current === '' ? part : `${current},${part}`;
  }
  if (current !== '') chunks.push(current);
  return chunks;
}

function decodeIds(text: string): number[] {
  const ids: number[] = [];
  for (const part of text.split(',')) {
    const [from, to = from] = part.split('-').map(Number);
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to < from || to - from > 1_000_000) return [];
    for (let id = from; id <= to; id++) ids.push(id);
  }
  return ids;
}

function payloads(notice: ChangeNotice): string[] {
  if (notice.kind === 'run') return [JSON.stringify(notice)];
  return encodeIds(notice.ids).map((ids) => JSON.stringify({ kind: 'articles', ids }));
}

/** Sends the notice (on commit, when `db` is a transaction). */
export async function notifyChange(db: Executor, notice: ChangeNotice): Promise<void> {
  for (const payload of payloads(notice)) {
    await db.execute(sql`select pg_notify(${CHANGES_CHANNEL}, ${payload})`);
  }
}

/** The notice in a payload; null for anything else (another version's notice, a stray NOTIFY). */
export function parseChangeNotice(payload: string): ChangeNotice | null {
  try {
    const value = JSON.parse(payload) as { kind?: unknown; ids?: unknown; runId?: unknown; status?: unknown };
    if (value.kind === 'articles' && typeof value.ids === 'string') {
      const ids = decodeIds(value.ids);
      return ids.length > 0 ? { kind: 'articles', ids } : null;
    }
    if (
      value.kind === 'run' &&
      Number.isSafeInteger(value.runId) &&
      (value.status === 'succeeded' || value.status === 'failed')
    ) {
      return { kind: 'run', runId: value.runId as number, status: value.status };
    }
  } catch {
    // not ours
  }
  return null;
}
