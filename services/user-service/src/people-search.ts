/**
 * People search by username or name prefix. Names are folded to lower case
 * as PostgreSQL's lower() folds them in the C collation (ASCII letters only),
 * the same in every store and on every server whatever its locale, so one
 * index range answers a prefix; usernames are ASCII and lower-case already.
 */
import { ValidationError, isUsername } from '@delinkcious/object-model';

export const foldForSearch = (text: string): string => text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());

/** The token of the page after `username`: opaque to clients (they send it back as given). */
export function searchPageTokenAfter(username: string): string {
  return Buffer.from(username, 'utf8').toString('base64url');
}

/** The username a page token starts after ('' for the first page). */
export function usernameOfSearchPageToken(token: string | undefined): string {
  if (token === undefined || token === '') return '';
  const username = Buffer.from(token, 'base64url').toString('utf8');
  if (!isUsername(username) || searchPageTokenAfter(username) !== token) {
    throw new ValidationError('start_token is not a page token this service gave');
  }
  return username;
}
