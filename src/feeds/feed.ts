/**
 * A feed as data, written in three formats: Atom 1.0 (RFC 4287), RSS 2.0 and JSON Feed 1.1. The
 * writers are pure: the same feed gives the same bytes, so a hash of the body can serve as its ETag.
 * Every text is plain text (never HTML) and every URL absolute; the writers do all escaping.
 */
import { writeAtom } from './atom.js';
import { writeJsonFeed } from './json-feed.js';
import { writeRss } from './rss.js';

export type FeedFormat = 'atom' | 'rss' | 'json';

export const FEED_FORMATS: readonly FeedFormat[] = ['atom', 'rss', 'json'];

/** Content types of the formats (RFC 4287; the RSS Advisory Board's; JSON Feed 1.1). */
export const FEED_CONTENT_TYPES: Record<FeedFormat, string> = {
  atom: 'application/atom+xml; charset=utf-8',
  rss: 'application/rss+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

export interface FeedLink {
  href: string;
  title: string;
}

export interface FeedEntry {
  /** Stable identifier (a URI): the same entry keeps it across clustering runs. */
  id: string;
  title: string;
  /** Where a reader opens the entry. */
  link: string;
  /** Another page about the entry (the article where it was first published), when known. */
  relatedLink?: string;
  /** Plain text. */
  summary: string;
  /** ISO 8601 instant: when the article was published, or stored when it is undated. */
  date: string;
  author?: string;
}

export interface Feed {
  /** Stable identifier (a URI) of the feed. */
  id: string;
  title: string;
  /** Plain text. */
  description: string;
  /** The feed's own URL in this format. */
  selfLink: string;
  /** A page for people about what the feed follows. */
  homeLink: string;
  /** ISO 8601 instant of the latest change to the feed's content. */
  updated: string;
  /** The feed will not change again (a retired topic). */
  ended: boolean;
  /** Other feeds a reader should follow instead (a retired topic's successors). */
  successors: FeedLink[];
  entries: FeedEntry[];
}

export function writeFeed(feed: Feed, format: FeedFormat): string {
  if (format === 'atom') return writeAtom(feed);
  if (format === 'rss') return writeRss(feed);
  return writeJsonFeed(feed);
}
