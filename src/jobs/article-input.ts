/**
 * What an article must look like to be stored, wherever it comes from (the seed, a JSONL corpus,
 * the importArticles mutation): one validation, one normal form, one content hash.
 */
import { createHash } from 'node:crypto';

export interface ArticleInput {
  title: string;
  body: string;
  externalId?: string | null;
  url?: string | null;
  source?: string | null;
  /** ISO 8601. */
  publishedAt?: string | null;
}

export interface ValidArticle {
  title: string;
  body: string;
  externalId: string | null;
  url: string | null;
  source: string | null;
  publishedAt: string | null;
  contentHash: string;
}

export type ArticleValidation = { ok: true; article: ValidArticle } | { ok: false; reason: string };

const MAX_TITLE_LENGTH = 1_000;
const MAX_BODY_LENGTH = 1_000_000;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/;

/** Collapses runs of spaces inside lines and trims; keeps paragraph breaks. */
function normaliseText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((paragraph) => paragraph.replace(/\s+/g, ' ').trim())
    .filter((paragraph) => paragraph !== '')
    .join('\n\n');
}

/** The same words in the same order hash the same, whatever the spacing or letter case. */
export function contentHash(title: string, body: string): string {
  const canonical = `${title}\n${body}`.toLowerCase().replace(/\s+/g, ' ').trim();
  return createHash('sha256').update(canonical).digest('hex');
}

function optionalString(value: unknown, field: string, maxLength: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new Error(`"${field}" must be a string`);
  const trimmed = value.trim();
  if (trimmed.length > maxLength) throw new Error(`"${field}" is longer than ${maxLength} characters`);
  return trimmed === '' ? null : trimmed;
}

function parsePublishedAt(value: string | null): string | null {
  if (value === null) return null;
  const time = Date.parse(value);
  if (!ISO_8601.test(value) || Number.isNaN(time)) {
    throw new Error(`"publishedAt" is not an ISO 8601 date: "${value}"`);
  }
  return new Date(time).toISOString();
}

function parseUrl(value: string | null): string | null {
  if (value === null) return null;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    return url.toString();
  } catch {
    throw new Error(`"url" is not an http(s) URL: "${value}"`);
  }
}

/** Validates one article; `id` (a corpus line's) is accepted as the external id. */
export function validateArticle(raw: unknown): ArticleValidation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, reason: 'not a JSON object' };
  }
  const record = raw as Record<string, unknown>;
  try {
    const title = normaliseText(optionalString(record.title, 'title', MAX_TITLE_LENGTH) ?? '');
    const body = normaliseText(optionalString(record.body, 'body', MAX_BODY_LENGTH) ?? '');
    if (title === '') return { ok: false, reason: 'missing "title"' };
    if (body === '') return { ok: false, reason: 'missing "body"' };
    const rawId = record.externalId ?? record.id;
    const externalId = typeof rawId === 'number' ? String(rawId) : optionalString(rawId, 'id', 200);
    return {
      ok: true,
      article: {
        title,
        body,
        externalId,
        url: parseUrl(optionalString(record.url, 'url', 2_000)),
        source: optionalString(record.source, 'source', 200),
        publishedAt: parsePublishedAt(optionalString(record.publishedAt, 'publishedAt', 100)),
        contentHash: contentHash(title, body),
      },
    };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/** Parses and validates one line of a JSONL corpus. */
export function parseJsonLine(line: string): ArticleValidation {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { ok: false, reason: `invalid JSON (${(error as SyntaxError).message})` };
  }
  return validateArticle(value);
}
