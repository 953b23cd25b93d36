/** URLs a link may point to: http or https, with a host. */
import { ValidationError } from '../errors.ts';
import { limits } from './limits.ts';
import { requireText } from './text.ts';

/** The URL in `value`, trimmed (as given, not normalised: it is the link's key). */
export function requireHttpUrl(value: unknown, field = 'url'): string {
  const url = requireText(value, field, { max: limits.urlLength });
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
  return url;
}

/** The URL that names an existing link: text, but not re-checked as a URL, so links saved under older rules stay reachable. */
export function requireUrlKey(value: unknown, field = 'url'): string {
  return requireText(value, field);
}
