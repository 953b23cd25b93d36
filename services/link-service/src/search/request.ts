/** What a GetLinks request asks of the search (docs/design.md §14), read by the object-model's rules. */
import { hasSearchWords, parseSearchQuery, parseSearchSort, parseTags, type GetLinksRequest, type SearchQuery, type SearchSort } from '@delinkcious/object-model';

export interface Listing {
  search: SearchQuery;
  /** The order the page is in: relevance without words to rank by is newest. */
  sort: SearchSort;
  /** Links with all of these. */
  tags: string[];
}

export function listingOf(request: GetLinksRequest): Listing {
  const search = parseSearchQuery(request.q);
  const asked = parseSearchSort(request.sort);
  const sort = asked === 'relevance' && !hasSearchWords(search) ? 'newest' : asked;
  // `tag=a,b` and a repeated `tag` both mean all of them (before, only the first was used).
  const tags = parseTags([...(request.tag !== undefined ? [request.tag] : []), ...(request.tags ?? [])], 'tag');
  return { search, sort, tags };
}
