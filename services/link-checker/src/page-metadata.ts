/**
 * What a checked page says about itself (docs/design.md §17): its title,
 * description, canonical URL and icon, read from at most `maxPageBytes` of
 * HTML with a real HTML parser (htmlparser2), decoded in the charset the
 * HTML sniffing algorithm finds (BOM, then Content-Type, then `<meta charset>`
 * or http-equiv in the first 1024 bytes; encoding-sniffer implements it).
 * Every text is tidied and clamped to the link's field limits.
 */
import { getEncoding } from 'encoding-sniffer';
import { Parser } from 'htmlparser2';
import { limits, pageText, pageUrl } from '@delinkcious/object-model';

/** The most of a page read for its metadata; the rest is never downloaded. */
export const maxPageBytes = 512 * 1024;

export interface PageMetadata {
  title: string;
  description: string;
  /** '' when the page names none (or not an http(s) one). */
  canonicalUrl: string;
  /** The page's `<link rel="icon">`, else `/favicon.ico` of its origin. */
  faviconUrl: string;
}

export const noMetadata: PageMetadata = { title: '', description: '', canonicalUrl: '', faviconUrl: '' };

/** True for a Content-Type whose body is HTML (no type at all counts: the sniffer decides nothing else). */
export function isHtml(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'text/html' || type === 'application/xhtml+xml';
}

/** The size of the pieces a page is decoded and parsed in: parsing stops once the head is read. */
const pieceBytes = 16 * 1024;

/** The body as text, piece by piece, in the encoding the HTML sniffing algorithm decides. */
export function* decodePage(body: Uint8Array, contentType: string | undefined): Generator<string> {
  const label = /charset\s*=\s*["']?([^"';\s]+)/i.exec(contentType ?? '')?.[1];
  let encoding = 'windows-1252';
  try {
    encoding = getEncoding(Buffer.from(body.buffer, body.byteOffset, body.byteLength), label ? { transportLayerEncodingLabel: label } : {});
  } catch {
    // An unknown label: the default, as a browser would.
  }
  let decoder: InstanceType<typeof TextDecoder> | undefined;
  try {
    // ignoreBOM false (the default) drops the BOM the sniffer found.
    if (encoding !== 'windows-1252') decoder = new TextDecoder(encoding);
  } catch {
    // A label TextDecoder does not know: windows-1252 too.
  }
  for (let at = 0; at < body.length; at += pieceBytes) {
    const piece = body.subarray(at, at + pieceBytes);
    yield decoder ? decoder.decode(piece, { stream: at + pieceBytes < body.length }) : decodeWindows1252(piece);
  }
}

/**
 * windows-1252 (also what the labels iso-8859-1 and us-ascii mean in HTML). Node 20's TextDecoder
 * decodes it as ISO-8859-1, turning 0x80–0x9F (curly quotes, dashes, €) into control characters.
 */
const windows1252High = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** The C1 range, which windows-1252 maps to printable characters (but for 5 unassigned bytes). */
const c1 = /[\u0080-\u009f]/g;

function decodeWindows1252(body: Uint8Array): string {
  return new TextDecoder('latin1').decode(body).replace(c1, (c) => windows1252High[c.charCodeAt(0) - 0x80]!);
}

/** The metadata of `html` (whole, or in pieces), a page found at `pageAddress` (the last hop of the redirects). */
export function parseMetadata(html: string | Iterable<string>, pageAddress: string): PageMetadata {
  let title = '';
  let inTitle = false;
  let titleSeen = false;
  let foreignDepth = 0; // inside <svg>/<math>, a <title> is not the document's
  let ogTitle = '';
  let ogDescription = '';
  let metaDescription = '';
  let canonical = '';
  let icon = '';
  let base = '';
  let inBody = false;

  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'body') inBody = true;
        if (name === 'svg' || name === 'math') foreignDepth++;
        else if (name === 'title' && foreignDepth === 0 && !titleSeen) inTitle = true;
        else if (name === 'base' && !base && attributes.href) base = attributes.href;
        else if (name === 'meta') {
          const key = (attributes.property ?? attributes.name ?? '').trim().toLowerCase();
          const content = attributes.content ?? '';
          if (key === 'og:title' && !ogTitle) ogTitle = content;
          else if (key === 'og:description' && !ogDescription) ogDescription = content;
          else if (key === 'description' && !metaDescription) metaDescription = content;
        } else if (name === 'link' && attributes.href) {
          const rel = (attributes.rel ?? '').toLowerCase().split(/\s+/);
          if (rel.includes('canonical') && !canonical) canonical = attributes.href;
          if (rel.includes('icon') && !icon) icon = attributes.href;
        }
      },
      ontext(text) {
        if (inTitle) title += text;
      },
      onclosetag(name) {
        if (name === 'svg' || name === 'math') foreignDepth = Math.max(0, foreignDepth - 1);
        else if (name === 'title' && inTitle) {
          inTitle = false;
          titleSeen = true;
        }
      },
    },
    { decodeEntities: true },
  );
  // Stop once the head is over and a title is known: most of a page is its body, never decoded then.
  for (const piece of typeof html === 'string' ? [html] : html) {
    parser.write(piece);
    if (inBody && (titleSeen || ogTitle)) break;
  }
  parser.end();

  const baseUrl = resolve(base, pageAddress) || pageAddress;
  return {
    title: pageText(ogTitle.trim() ? ogTitle : title, limits.titleLength),
    description: pageText(ogDescription.trim() ? ogDescription : metaDescription, limits.descriptionLength),
    canonicalUrl: canonical ? resolve(canonical, baseUrl) : '',
    faviconUrl: (icon && resolve(icon, baseUrl)) || resolve('/favicon.ico', pageAddress),
  };
}

/** `href` against `base`, as an http(s) URL within the URL limit; '' otherwise. */
function resolve(href: string, base: string): string {
  try {
    return pageUrl(new URL(href.trim(), base).href, limits.urlLength);
  } catch {
    return '';
  }
}
