/**
 * RSS 2.0. Readers take an item's `description` as HTML, so the plain-text summary is escaped for
 * HTML before it is escaped for XML: `<b>` in an article reads as the characters, never a tag.
 * Titles are plain text, as the RSS Best Practices Profile asks.
 */
import type { Feed, FeedEntry } from './feed.js';
import { element, writeXmlDocument, type XmlElement } from './xml.js';

const ATOM_NAMESPACE = 'http://www.w3.org/2005/Atom';

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Plain text as HTML text content (never inside a tag, so quotes need no escaping). */
function escapeHtml(text: string): string {
  return text.replace(/[&<>]/g, (char) => HTML_ENTITIES[char]);
}

/** RFC 822 dates, as RSS 2.0 asks: `Sat, 12 Jun 2004 09:00:00 GMT`. */
export function rfc822Date(iso: string): string {
  return new Date(iso).toUTCString();
}

function itemElement(entry: FeedEntry): XmlElement {
  return element(
    'item',
    {},
    element('title', {}, entry.title),
    element('link', {}, entry.link),
    element('guid', { isPermaLink: 'false' }, entry.id),
    element('pubDate', {}, rfc822Date(entry.date)),
    element('description', {}, escapeHtml(entry.summary)),
  );
}

export function writeRss(feed: Feed): string {
  return writeXmlDocument(
    element(
      'rss',
      { version: '2.0', 'xmlns:atom': ATOM_NAMESPACE },
      element(
        'channel',
        {},
        element('title', {}, feed.title),
        element('link', {}, feed.homeLink),
        element('description', {}, escapeHtml(feed.description)),
        // RSS has no link to its own URL nor to other feeds; Atom's elements are the usual way.
        element('atom:link', { rel: 'self', href: feed.selfLink, type: 'application/rss+xml' }),
        ...feed.successors.map((successor) =>
          element('atom:link', { rel: 'related', href: successor.href, title: successor.title, type: 'application/rss+xml' }),
        ),
        element('lastBuildDate', {}, rfc822Date(feed.updated)),
        ...feed.entries.map(itemElement),
      ),
    ),
  );
}
