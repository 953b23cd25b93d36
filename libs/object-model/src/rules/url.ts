/** URLs a link may point to: http or https, with a host. */
import { ValidationError } from '../errors.ts';
import { limits } from './limits.ts';
import { requireText } from './text.ts';

/** scheme "://" [userinfo "@"] host[:port], then the rest (path, query, fragment) as given. */
const parts = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#\\]*@)?([^/?#\\]*)(.*)$/s;

/**
 * The normal form of an http(s) URL that `parsed` parsed: scheme and host
 * lower-cased, the default port dropped, an IDN host in its ASCII (punycode)
 * form, as the WHATWG URL parser gives it; the user info, path, query and
 * fragment exactly as written. Two spellings of one address are then one
 * link. (services/link-service/migrations/006 does the same in SQL.)
 */
function normalForm(url: string, parsed: URL): string {
  const match = parts.exec(url);
  // Not written scheme://authority (the parser took `http:example.com` too): the parser's own form.
  if (!match) return parsed.href;
  const [, , userinfo = '', , rest = ''] = match;
  return `${parsed.protocol}//${userinfo}${parsed.host}${rest}`;
}

function parseHttpUrl(url: string, field: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError(`${field} is not a valid URL: ${url.slice(0, 100)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ValidationError(`${field} must be an http or https URL, not ${parsed.protocol.replace(/:$/, '')}`);
  }
  if (!parsed.hostname) throw new ValidationError(`${field} has no host`);
  return parsed;
}

/** The URL in `value`, trimmed, in its normal form (normalForm above): the link's key. */
export function requireHttpUrl(value: unknown, field = 'url'): string {
  const url = requireText(value, field, { max: limits.urlLength });
  const normal = normalForm(url, parseHttpUrl(url, field));
  // An IDN host grows in punycode: the stored form must fit too.
  if (normal.length > limits.urlLength) throw new ValidationError(`${field} is longer than ${limits.urlLength} characters once its host is in ASCII form`);
  return normal;
}

/**
 * The URL that names an existing link: in its normal form when it is an
 * http(s) URL (so `https://GO.DEV/doc` finds `https://go.dev/doc`), else the
 * text as given, not re-checked as a URL, so links saved under older rules
 * stay reachable (urlAsGiven names those whose normal form the migration
 * could not write: see docs/design.md §15).
 */
export function requireUrlKey(value: unknown, field = 'url'): string {
  const url = requireText(value, field);
  let parsed: URL;
  try {
    parsed = parseHttpUrl(url, field);
  } catch {
    return url;
  }
  return normalForm(url, parsed);
}

/** The URL key exactly as given (trimmed): the second lookup for a link stored before normal forms. */
export function urlAsGiven(value: unknown, field = 'url'): string {
  return requireText(value, field);
}
