/**
 * An RSS 2.0 or Atom document as the articles it announces. The XML is checked to be well-formed
 * first (fast-xml-validator, with the line and column of the first fault): feedsmith,
 * which reads the feed, is lenient and would read a cut-off document as a shorter feed. Each entry
 * becomes the fields of an article; whether they make a valid article is the import's validation
 * (jobs/article-input.ts), the same as for a JSONL line.
 */
import { createHash } from 'node:crypto';
import { SyntaxValidator } from 'fast-xml-validator';
import { type AtomFeed, detectAtomFeed, detectRssFeed, parseAtomFeed, parseRssFeed, type RssFeed } from 'feedsmith';
import { feedDateToIso } from './feed-date.js';
import { collapseWhiteSpace, htmlToLine, htmlToText, oneLine } from './html-text.js';

/** The fields of an article, as validateArticle takes them. */
export interface FeedArticle {
  title: string;
  body: string;
  externalId: string | null;
  url: string | null;
  source: string | null;
  publishedAt: string | null;
}

/** One entry of the feed, numbered from 1 in document order: its article, or why it cannot be one. */
export type FeedEntry = { number: number; article: FeedArticle } | { number: number; reason: string };

export interface ParsedFeed {
  format: 'rss' | 'atom';
  /** The feed's own name (its channel's title), as text. */
  title: string | null;
  entries: FeedEntry[];
}

/** The document is not a feed this import reads: not well-formed XML, or neither RSS nor Atom. Nothing of it is imported. */
export class FeedFormatError extends Error {}

/** Longest external id the validation takes; longer ids (long URLs) are stored as their hash. */
const MAX_EXTERNAL_ID_LENGTH = 200;
/** Longest source name the validation takes; a longer channel title is cut. */
const MAX_SOURCE_LENGTH = 200;

const ABSOLUTE_URI = /^[a-z][a-z0-9+.-]*:\S/i;

/**
 * Feed bytes as text, by RFC 7303's order: a byte order mark, then the charset the server named,
 * then the XML declaration's encoding, else UTF-8. Bytes that are not valid in that encoding are
 * an error, never U+FFFD in a stored article.
 */
export function decodeFeedBytes(bytes: Uint8Array, charset?: string | null): string {
  let encoding: string;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) encoding = 'utf-8';
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) encoding = 'utf-16be';
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) encoding = 'utf-16le';
  else {
    const head = new TextDecoder('latin1').decode(bytes.subarray(0, 512));
    const declared = /^\s*<\?xml[^>]*\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
    encoding = charset?.trim() || declared || 'utf-8';
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    throw new FeedFormatError(`the feed's encoding "${encoding}" is not one this import reads`);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new FeedFormatError(`the feed is not valid ${decoder.encoding}`);
  }
}

/** An Atom text construct as text: `html` and `xhtml` are markup, `text` (the default) is text already. */
function atomText(construct: { value?: string; type?: string } | undefined, line: boolean): string {
  const value = construct?.value ?? '';
  const markup = construct?.type === 'html' || construct?.type === 'xhtml';
  if (line) return markup ? htmlToLine(value) : oneLine(value);
  return markup ? htmlToText(value) : collapseWhiteSpace(value);
}

function resolveUrl(href: string | undefined, base: string | null): string | null {
  const text = href?.trim();
  if (!text) return null;
  try {
    return new URL(text, base ?? undefined).toString();
  } catch {
    // Left as written: the validation refuses it with its reason.
    return text;
  }
}

/**
 * The entry's id where it comes from. A guid that is not an absolute URI ("1234") is unique only
 * within its feed, so it is qualified by the feed's own link; ids too long to store are kept as
 * their hash, so that a long permalink still identifies the entry.
 */
function externalId(id: string | undefined, scope: string | null): string | null {
  const text = id?.trim();
  if (!text) return null;
  const qualified = ABSOLUTE_URI.test(text) || scope === null ? text : `${scope}#${text}`;
  return [...qualified].length <= MAX_EXTERNAL_ID_LENGTH
    ? qualified
    : `sha256:${createHash('sha256').update(qualified).digest('hex')}`;
}

function sourceName(title: string | null, link: string | null): string | null {
  let name = title?.trim() || null;
  if (name === null && link !== null) {
    try {
      name = new URL(link).hostname || null;
    } catch {
      name = null;
    }
  }
  if (name === null) return null;
  const characters = [...name];
  return characters.length <= MAX_SOURCE_LENGTH ? name : `${characters.slice(0, MAX_SOURCE_LENGTH - 1).join('')}…`;
}

/** Reads one entry's fields; an unreadable date is the entry's reason to be rejected. */
function entry(number: number, read: () => FeedArticle): FeedEntry {
  try {
    return { number, article: read() };
  } catch (error) {
    return { number, reason: (error as Error).message };
  }
}

function rssEntries(feed: RssFeed.Feed<string>, base: string | null): ParsedFeed {
  const title = feed.title ? htmlToLine(feed.title) : null;
  const link = resolveUrl(feed.link, base);
  const scope = link ?? base;
  const source = sourceName(title, link ?? base);
  const entries = (feed.items ?? []).map((item, index) =>
    entry(index + 1, () => {
      const guid = item.guid?.value;
      // A guid is a permalink unless it says otherwise (RSS 2.0).
      const permalink = item.guid?.isPermaLink !== false && guid !== undefined && /^https?:\/\//i.test(guid.trim());
      const date = item.pubDate ?? item.dc?.dates?.[0];
      return {
        title: htmlToLine(item.title ?? ''),
        body: htmlToText(item.content?.encoded ?? item.description ?? ''),
        externalId: externalId(guid ?? item.link, scope),
        url: resolveUrl(item.link ?? (permalink ? guid : undefined), scope),
        source,
        publishedAt: date === undefined ? null : feedDateToIso(date, item.pubDate !== undefined ? 'pubDate' : 'dc:date'),
      };
    }),
  );
  return { format: 'rss', title, entries };
}

/** The link a reader follows: rel="alternate" (the default), HTML first. */
function alternateLink(links: AtomFeed.Link<string>[] | undefined): string | undefined {
  const alternates = (links ?? []).filter((link) => link.rel === undefined || link.rel === 'alternate');
  return (alternates.find((link) => link.type === undefined || link.type === 'text/html') ?? alternates[0])?.href;
}

function atomEntries(feed: AtomFeed.Feed<string>, base: string | null): ParsedFeed {
  const title = feed.title ? atomText(feed.title, true) || null : null;
  const link = resolveUrl(alternateLink(feed.links), base);
  const scope = link ?? base;
  const source = sourceName(title, link ?? base);
  const entries = (feed.entries ?? []).map((item, index) =>
    entry(index + 1, () => {
      const href = alternateLink(item.links);
      // Out-of-line content (`src`) has no text here: the summary stands in.
      const content = item.content?.value !== undefined ? atomText(item.content, false) : '';
      const date = item.published ?? item.updated;
      return {
        title: atomText(item.title, true),
        body: content || atomText(item.summary, false),
        externalId: externalId(item.id ?? href, scope),
        url: resolveUrl(href, scope),
        source,
        publishedAt: date === undefined ? null : feedDateToIso(date, item.published !== undefined ? 'published' : 'updated'),
      };
    }),
  );
  return { format: 'atom', title, entries };
}

/**
 * Parses an RSS 2.0 or Atom document. `location` (the feed's URL) resolves relative links and
 * qualifies bare guids when the feed names no link of its own.
 */
export function parseFeedDocument(xml: string, location: string | null = null): ParsedFeed {
  try {
    SyntaxValidator.validate(xml);
  } catch (error) {
    const { line, col, message } = error as Error & { line?: number; col?: number };
    const where = line === undefined ? '' : `line ${line}, column ${col ?? '?'}: `;
    throw new FeedFormatError(`not well-formed XML (${where}${message})`);
  }
  const base = location !== null && /^https?:\/\//i.test(location) ? location : null;
  try {
    if (detectRssFeed(xml)) return rssEntries(parseRssFeed(xml), base);
    if (detectAtomFeed(xml)) return atomEntries(parseAtomFeed(xml), base);
  } catch (error) {
    throw new FeedFormatError(`not a readable feed (${(error as Error).message})`);
  }
  throw new FeedFormatError('not an RSS 2.0 or Atom feed');
}
