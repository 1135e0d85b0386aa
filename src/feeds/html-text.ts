/**
 * HTML as the plain text an article stores: what a reader would see, without markup. Feeds carry
 * their entries' content (and often their titles) as HTML; the clustering and the search read
 * words, so tags go, entities are decoded and white space is collapsed, with paragraph breaks
 * kept where blocks end.
 */
import { decodeHTML } from 'entities';

/** Elements whose content is never text a reader sees. */
const HIDDEN_ELEMENTS = /<(script|style|noscript|template|head|iframe|object|svg|math)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const COMMENTS = /<!--[\s\S]*?(?:-->|$)/g;
/** A CDATA section inside HTML (as some feeds double-wrap): its text stays, its markers go. */
const CDATA = /<!\[CDATA\[([\s\S]*?)\]\]>/g;
/** Tags that end a block of text: a paragraph break in the stored text. */
const BLOCK_TAGS =
  /<\/?(?:p|div|section|article|header|footer|aside|blockquote|pre|h[1-6]|ul|ol|li|dl|dt|dd|table|thead|tbody|tfoot|tr|figure|figcaption|hr|address|details|summary|main|nav)\b[^>]*>/gi;
const LINE_BREAKS = /<br\b[^>]*>/gi;
const TABLE_CELLS = /<\/?(?:td|th)\b[^>]*>/gi;
/**
 * Any other tag, a doctype or a processing instruction. A tag starts with a letter, "/", "!" or
 * "?", so text such as "5 < 6" or "a <3 b" is kept.
 */
const OTHER_TAGS = /<\/?[a-zA-Z][^>]*>|<![^>]*>|<\?[^>]*>/g;

/** Collapses white space within paragraphs and keeps the breaks between them ("\n\n"). */
export function collapseWhiteSpace(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.replace(/\s+/g, ' ').trim())
    .filter((paragraph) => paragraph !== '')
    .join('\n\n');
}

/**
 * The text of an HTML fragment. Entities are decoded after the tags are removed, so that an
 * escaped "&lt;b&gt;" in the source stays the visible text "<b>" rather than becoming a tag.
 */
export function htmlToText(html: string): string {
  const withoutMarkup = html
    .replace(COMMENTS, ' ')
    .replace(CDATA, '$1')
    .replace(HIDDEN_ELEMENTS, ' ')
    .replace(BLOCK_TAGS, '\n\n')
    .replace(LINE_BREAKS, '\n')
    .replace(TABLE_CELLS, ' ')
    .replace(OTHER_TAGS, '');
  // A non-breaking space is white space to a reader.
  return collapseWhiteSpace(decodeHTML(withoutMarkup).replace(/\u00a0/g, ' '));
}

/** A one-line text (a title, a feed's name): the text of the HTML, on one line. */
export function htmlToLine(html: string): string {
  return oneLine(htmlToText(html));
}

/** Text on one line: every run of white space one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
