/** Every link of a user, a page at a time: what an export streams, whatever the number of links. */
import { pageSizes, type GetLinksResult, type Link, type LinkManager } from '@delinkcious/object-model';

export interface AllLinksOptions {
  /** Links per page asked for; default and at most pageSizes.max. */
  pageSize?: number;
  /** The first page, already asked for (a caller that must know the manager answers before it starts). */
  first?: GetLinksResult;
}

/**
 * The user's links (private ones included), newest first, asking the manager for the next page
 * only once the previous one has been consumed; keyset tokens keep it exact while links are
 * added or removed meanwhile. Only one page is ever held.
 */
export async function* allLinks(links: Pick<LinkManager, 'getLinks'>, username: string, options: AllLinksOptions = {}): AsyncGenerator<Link> {
  const limit = options.pageSize ?? pageSizes.max;
  let page = options.first ?? (await links.getLinks({ username, limit }));
  for (;;) {
    yield* page.links;
    if (!page.nextPageToken) return;
    page = await links.getLinks({ username, limit, startToken: page.nextPageToken });
  }
}
