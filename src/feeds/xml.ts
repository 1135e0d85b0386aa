/**
 * The smallest XML writer that cannot produce a malformed document: element and attribute names
 * are the writers' own constants, and every text and attribute value goes through `escapeXml`.
 */

/**
 * Characters XML 1.0 does not allow at all, not even as references: C0 controls other than tab,
 * newline and carriage return, lone surrogates, U+FFFE and U+FFFF. An import keeps such
 * characters (only NUL is refused), so a title may hold one; it is dropped from the feed.
 */
const NOT_XML =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters removed.
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/**
 * Text safe in element content and in a double-quoted attribute value (the writer quotes every
 * attribute with `"`, so an apostrophe needs no reference, and older readers that know HTML's
 * entities rather than XML's never meet `&apos;`).
 */
export function escapeXml(text: string): string {
  return text.replace(NOT_XML, '').replace(/[&<>"]/g, (char) => ENTITIES[char]);
}

/** Text with what JSON may hold but XML may not taken out, so that the three formats agree. */
export function xmlCharacters(text: string): string {
  return text.replace(NOT_XML, '');
}

export type XmlNode = string | XmlElement;

export interface XmlElement {
  name: string;
  attributes?: Record<string, string | undefined>;
  children?: XmlNode[];
}

/** An element; `children` strings are text. */
export function element(name: string, attributes: XmlElement['attributes'], ...children: XmlNode[]): XmlElement {
  return { name, attributes, children };
}

function writeNode(node: XmlNode, indent: string): string {
  if (typeof node === 'string') return escapeXml(node);
  const attributes = Object.entries(node.attributes ?? {})
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
    .join('');
  const children = node.children ?? [];
  if (children.length === 0) return `${indent}<${node.name}${attributes}/>`;
  if (children.every((child) => typeof child === 'string')) {
    return `${indent}<${node.name}${attributes}>${children.map((child) => writeNode(child, '')).join('')}</${node.name}>`;
  }
  const inner = children.map((child) => writeNode(child, `${indent}  `)).join('\n');
  return `${indent}<${node.name}${attributes}>\n${inner}\n${indent}</${node.name}>`;
}

/** A whole document, UTF-8, with its declaration. */
export function writeXmlDocument(root: XmlElement): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${writeNode(root, '')}\n`;
}
