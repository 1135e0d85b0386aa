/** Atom 1.0 (RFC 4287): every text is `type="text"`, so a reader shows it as it is, never as markup. */
import type { Feed, FeedEntry } from './feed.js';
import { element, writeXmlDocument, type XmlElement } from './xml.js';

const ATOM_NAMESPACE = 'http://www.w3.org/2005/Atom';

/** Who the feed is by, for entries without a source (RFC 4287 requires an author for each entry). */
export const FEED_AUTHOR = 'News topics';

function entryElement(entry: FeedEntry): XmlElement {
  return element(
    'entry',
    {},
    element('id', {}, entry.id),
    element('title', { type: 'text' }, entry.title),
    element('link', { rel: 'alternate', href: entry.link }),
    ...(entry.relatedLink ? [element('link', { rel: 'related', href: entry.relatedLink })] : []),
    element('updated', {}, entry.date),
    ...(entry.author ? [element('author', {}, element('name', {}, entry.author))] : []),
    element('summary', { type: 'text' }, entry.summary),
  );
}

export function writeAtom(feed: Feed): string {
  return writeXmlDocument(
    element(
      'feed',
      { xmlns: ATOM_NAMESPACE },
      element('id', {}, feed.id),
      element('title', { type: 'text' }, feed.title),
      element('subtitle', { type: 'text' }, feed.description),
      element('link', { rel: 'self', href: feed.selfLink }),
      element('link', { rel: 'alternate', href: feed.homeLink }),
      ...feed.successors.map((successor) => element('link', { rel: 'related', href: successor.href, title: successor.title })),
      element('updated', {}, feed.updated),
      element('author', {}, element('name', {}, FEED_AUTHOR)),
      ...feed.entries.map(entryElement),
    ),
  );
}
