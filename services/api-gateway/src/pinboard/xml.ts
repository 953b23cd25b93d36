/**
 * The little XML Pinboard answers are made of: elements with attributes and
 * at most text inside, never mixed content. Small enough to write here than
 * to take a builder for; every value passes through escapeXml.
 */

/**
 * Escapes text for an attribute value or element content. Characters XML 1.0
 * cannot carry at all (C0 controls other than tab and line breaks, lone
 * surrogates, U+FFFE/U+FFFF) are dropped: the input rules keep them out of
 * stored links, but an answer must parse whatever it holds.
 */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/[&<>"']/g, (char) => entities[char]!)
    .replace(/[\t\n\r]/g, (char) => `&#${char.charCodeAt(0)};`);
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export type Attributes = Record<string, string | number>;

/** `<name a="1" b="2"/>`, or with children (already XML) or text inside. */
export function element(name: string, attributes: Attributes = {}, inner?: { children: string[] } | { text: string }): string {
  const attrs = Object.entries(attributes)
    .map(([key, value]) => ` ${key}="${escapeXml(String(value))}"`)
    .join('');
  if (inner === undefined) return `<${name}${attrs} />`;
  const content = 'text' in inner ? escapeXml(inner.text) : inner.children.map((child) => `\n  ${child}`).join('') + '\n';
  return `<${name}${attrs}>${content}</${name}>`;
}

export function xmlDocument(root: string): string {
  return `<?xml version="1.0" encoding="UTF-8" ?>\n${root}\n`;
}
