/**
 * Bearer secrets: sessions and API tokens. Both are 256 random bits, shown to
 * their owner once and stored only as a SHA-256 hash. A fast unsalted hash is
 * enough here (unlike for passwords): the secret has full entropy, so it cannot
 * be guessed from its hash, and a database leak yields no usable token.
 */
import { createHash, randomBytes } from 'node:crypto';

/** Marks API tokens, so they are recognisable (e.g. by secret scanners) and validate knows where to look. */
export const apiTokenPrefix = 'dlk_';

/** Longer than any token we issue; longer input is refused before hashing. */
export const maxTokenLength = 128;

const randomSecret = () => randomBytes(32).toString('base64url');

export function newSessionToken(): string {
  // A session must never look like an API token (a 1 in 16 million chance per draw).
  for (;;) {
    const token = randomSecret();
    if (!isApiToken(token)) return token;
  }
}

export function newApiToken(): string {
  return `${apiTokenPrefix}${randomSecret()}`;
}

/** Marks feed tokens (the secret of a private news-feed URL): never a session or an API token. */
export const feedTokenPrefix = 'dlkf_';

export function newFeedToken(): string {
  return `${feedTokenPrefix}${randomSecret()}`;
}

/** An OAuth `state`: unguessable, so nobody can plant one in another's sign-in. */
export function newSignInState(): string {
  return randomSecret();
}

export function isApiToken(token: string): boolean {
  return token.startsWith(apiTokenPrefix);
}

/** What the store keeps instead of the token: hex SHA-256. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
