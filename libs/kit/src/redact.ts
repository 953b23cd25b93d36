/**
 * Secrets that travel in URLs (an OAuth code and state, a token, Pinboard's
 * auth_token, the private news feed's token in /feeds/news/<token>): kept out
 * of the request log (server.ts) and of exported traces (telemetry-sdk.ts).
 */
const secretQueryPattern = /([?&](?:code|state|token|access_token|auth_token)=)[^&#]*/gi;
const secretPathPattern = /(\/feeds\/news\/)[^/?#]+/gi;

/** The URL (a path with its query, or a whole URL) with each secret replaced by [redacted]. */
export const redactSecrets = (url: string): string => url.replace(secretQueryPattern, '$1[redacted]').replace(secretPathPattern, '$1[redacted]');

/**
 * The attributes an HTTP server span names its URL by, under the old and the
 * stable semantic conventions, redacted; empty when the URL holds no secret.
 */
export function redactedUrlAttributes(target: string, origin: string): Record<string, string> {
  const redacted = redactSecrets(target);
  if (redacted === target) return {};
  const at = redacted.indexOf('?');
  const path = at < 0 ? redacted : redacted.slice(0, at);
  return {
    'http.target': redacted,
    'http.url': `${origin}${redacted}`,
    'url.path': path,
    ...(at < 0 ? {} : { 'url.query': redacted.slice(at + 1) }),
    'url.full': `${origin}${redacted}`,
  };
}
