/**
 * JSON Feed 1.1 (https://jsonfeed.org/version/1.1). `summary` and `content_text` are plain text;
 * a finished feed (a retired topic) is `expired`. What the format has no field for (the feed's
 * last change, the feeds that follow a retired one) goes in the `_news_topics` extension, as the
 * format allows for names that start with an underscore.
 */
import type { Feed, FeedEntry } from './feed.js';
import { xmlCharacters } from './xml.js';

interface JsonFeedItem {
  id: string;
  url: string;
  external_url?: string;
  title: string;
  summary: string;
  content_text: string;
  date_published: string;
  authors?: { name: string }[];
}

function item(entry: FeedEntry): JsonFeedItem {
  return {
    id: entry.id,
    url: entry.link,
    ...(entry.relatedLink ? { external_url: entry.relatedLink } : {}),
    title: xmlCharacters(entry.title),
    summary: xmlCharacters(entry.summary),
    content_text: xmlCharacters(entry.summary),
    date_published: entry.date,
    ...(entry.author ? { authors: [{ name: xmlCharacters(entry.author) }] } : {}),
  };
}

export function writeJsonFeed(feed: Feed): string {
  const document = {
    version: 'https://jsonfeed.org/version/1.1',
    title: xmlCharacters(feed.title),
    description: xmlCharacters(feed.description),
    home_page_url: feed.homeLink,
    feed_url: feed.selfLink,
    ...(feed.ended ? { expired: true } : {}),
    items: feed.entries.map(item),
    _news_topics: {
      updated: feed.updated,
      successors: feed.successors.map((successor) => ({ title: xmlCharacters(successor.title), feed_url: successor.href })),
    },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
