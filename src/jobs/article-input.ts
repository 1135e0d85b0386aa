/**
 * What an article must look like to be stored, wherever it comes from (the seed, a JSONL corpus,
 * the importArticles mutation): one validation, one normal form, one content hash.
 */
import { createHash } from 'node:crypto';

declare global {
  interface String {
    /** ES2024 (Node 20): false when the string holds a lone surrogate. */
    isWellFormed(): boolean;
  }
}

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
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;
/**
 * Publication times are kept between these instants (UTC). PostgreSQL has no year 0 and writes
 * earlier years as "BC"; JavaScript writes years after 9999 as "+010000" and reads years 0001–0099
 * of PostgreSQL's output as other years (0050 as 1950). Years 1000–9999 stay clear of all three, and
 * no news article is older.
 */
const EARLIEST_PUBLISHED_AT = Date.UTC(1000, 0, 1);
const LATEST_PUBLISHED_AT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

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

/** Characters (code points) of a well-formed string: a surrogate pair is one. */
function codePointLength(text: string): number {
  let pairs = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) pairs++;
  }
  return text.length - pairs;
}

/**
 * Refuses what PostgreSQL would not store as given: a lone surrogate (it would be stored as
 * U+FFFD) and NUL (a text column cannot hold it; the whole INSERT would fail).
 */
function checkStorableText(text: string, field: string): void {
  if (!text.isWellFormed())
    throw new Error(`"${field}" contains a lone surrogate (half of a UTF-16 pair): not valid Unicode text`);
  const nul = text.indexOf('\u0000');
  if (nul !== -1)
    throw new Error(`"${field}" contains a NUL character (\\u0000) at character ${codePointLength(text.slice(0, nul)) + 1}`);
}

function optionalString(value: unknown, field: string, maxLength: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new Error(`"${field}" must be a string`);
  checkStorableText(value, field);
  const trimmed = value.trim();
  if (codePointLength(trimmed) > maxLength) throw new Error(`"${field}" is longer than ${maxLength} characters`);
  return trimmed === '' ? null : trimmed;
}

/** Days of a month (1–12) of a year from 1000 on (Date.UTC reads years 0–99 as 1900–1999). */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * An ISO 8601 date (midnight UTC) or date and time (UTC when it names no offset), as the
 * instant it names. Every field must be in range: 2020-02-30, 24:00 or a leap second are
 * refused, never rolled over into the next day or minute. Digits past the millisecond are dropped.
 * The DateTime scalar of the API takes the same instants (src/graphql/date-time.ts).
 */
export function parseInstant(value: string, field: string): string {
  const match = ISO_8601.exec(value);
  if (!match) throw new Error(`"${field}" is not an ISO 8601 date: "${value}"`);
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0));
  const outsideYears = () => new Error(`"${field}" is outside the years 1000–9999 (UTC): "${value}"`);
  if (year < 1000) throw outsideYears();
  const offsetHours = Number(match[10] ?? 0);
  const offsetMinutes = Number(match[11] ?? 0);
  const fields: [name: string, value: number, min: number, max: number][] = [
    ['month', month, 1, 12],
    ['day', day, 1, month >= 1 && month <= 12 ? daysInMonth(year, month) : 31],
    ['hour', hour, 0, 23],
    ['minute', minute, 0, 59],
    ['second', second, 0, 59],
    ['offset hour', offsetHours, 0, 23],
    ['offset minute', offsetMinutes, 0, 59],
  ];
  for (const [name, part, min, max] of fields) {
    if (part >= min && part <= max) continue;
    const range = `${String(min).padStart(2, '0')}–${max}`;
    throw new Error(`"${field}" is not a real date and time: "${value}" (${name} ${part} is outside ${range})`);
  }
  const offsetMs = (match[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const milliseconds = Number((match[7] ?? '').slice(0, 3).padEnd(3, '0'));
  const time = Date.UTC(year, month - 1, day, hour, minute, second, milliseconds) - offsetMs;
  if (time < EARLIEST_PUBLISHED_AT || time > LATEST_PUBLISHED_AT) throw outsideYears();
  return new Date(time).toISOString();
}

function parsePublishedAt(value: string | null): string | null {
  return value === null ? null : parseInstant(value, 'publishedAt');
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
