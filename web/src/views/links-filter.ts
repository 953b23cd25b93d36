/**
 * What the links screen shows, as one value kept in the address
 * (#/links?q=…&sort=…&tag=a&tag=b&unread=1) so every view is linkable and
 * Back works; how it is asked of the API; and how it is said in words. The
 * words say what the API does: several tags mean links with all of them.
 */
import type { LinkFilter, LinkSort } from '../api.ts';

export interface LinksFilter {
  /** The search, in the query language, as typed. */
  q: string;
  /** '' is the API's default order. */
  sort: LinkSort | '';
  /** Links with all of these tags. */
  tags: string[];
  /** The Unread view: only links saved to read later. */
  unread: boolean;
}

export const sorts: Array<[LinkSort | '', string]> = [
  ['', 'Default'],
  ['newest', 'Newest first'],
  ['oldest', 'Oldest first'],
  ['title', 'Title A–Z'],
  ['relevance', 'Best match'],
];

export const noFilter: LinksFilter = { q: '', sort: '', tags: [], unread: false };

function isSort(value: string | null): value is LinkSort {
  return sorts.some(([sort]) => sort !== '' && sort === value);
}

/** Tags from `tag=a&tag=b` or `tag=a,b`, as the service stores them (trimmed, lower-case, once each). */
export function tagsFrom(values: string[]): string[] {
  const tags = values.flatMap((value) => value.split(',')).map((tag) => tag.trim().toLowerCase());
  return [...new Set(tags.filter((tag) => tag !== ''))];
}

export function filterOf(params: URLSearchParams): LinksFilter {
  const sort = params.get('sort');
  return {
    q: params.get('q')?.trim() ?? '',
    sort: isSort(sort) ? sort : '',
    tags: tagsFrom(params.getAll('tag')),
    unread: params.get('unread') === '1',
  };
}

export function hashFor(filter: LinksFilter): string {
  const params = new URLSearchParams();
  if (filter.q) params.set('q', filter.q);
  if (filter.sort) params.set('sort', filter.sort);
  for (const tag of filter.tags) params.append('tag', tag);
  if (filter.unread) params.set('unread', '1');
  const query = params.toString();
  return query ? `#/links?${query}` : '#/links';
}

export function sameFilter(a: LinksFilter, b: LinksFilter): boolean {
  return hashFor(a) === hashFor(b);
}

/**
 * `term` at the start of every OR branch of `q`: AND binds tighter than OR
 * (`a b OR c` is `(a b) OR c`), so one term at the end would narrow the last
 * branch only; and at the start, the last word typed stays last, matching as
 * a prefix (type-ahead). OR is found as the query language finds it
 * (libs/object-model/src/rules/search-query.ts): a bare `OR`, not quoted or negated.
 */
export function inEveryBranch(q: string, term: string): string {
  if (q.trim() === '') return term;
  const branchStarts = [0];
  let i = 0;
  while (i < q.length) {
    if (/\s/.test(q[i]!)) {
      i++;
      continue;
    }
    const start = i;
    if (q[i] === '-' && i + 1 < q.length && !/\s/.test(q[i + 1]!)) i++;
    if (q[i] === '"') {
      const close = q.indexOf('"', i + 1);
      if (close < 0) break; // unclosed: the API says so
      i = close + 1;
      continue;
    }
    let end = i;
    while (end < q.length && !/\s/.test(q[end]!) && q[end] !== '"') end++;
    if (start === i && q.slice(i, end) === 'OR') branchStarts.push(end);
    i = end;
  }
  let result = '';
  let from = 0;
  for (const at of branchStarts) {
    result += `${q.slice(from, at)}${at === 0 ? '' : ' '}${term}${at === 0 ? ' ' : ''}`;
    from = at;
  }
  return result + q.slice(from);
}

/**
 * The whole view as one query, for a bulk edit of everything it shows
 * (`POST /v1/links/bulk {"q"}`): the search with `#tag` for each tag and
 * `is:unread` in the Unread view, in every OR branch. Undefined for the
 * unfiltered view (the API refuses a query of nothing) and for a tag the
 * language cannot spell (a quote or a space in it).
 */
export function bulkQuery(filter: LinksFilter): string | undefined {
  if (filter.tags.some((tag) => /["\s]/.test(tag))) return undefined;
  const terms = [...filter.tags.map((tag) => `#${tag}`), filter.unread ? 'is:unread' : ''].filter((term) => term !== '').join(' ');
  if (!terms) return filter.q || undefined;
  return inEveryBranch(filter.q, terms);
}

/** The API's query. The Unread view is `is:unread` in every branch of the search. */
export function apiFilter(filter: LinksFilter): LinkFilter {
  const result: LinkFilter = {};
  const q = filter.unread ? inEveryBranch(filter.q, 'is:unread') : filter.q;
  if (q) result.q = q;
  if (filter.sort) result.sort = filter.sort;
  if (filter.tags.length > 0) result.tag = filter.tags.join(',');
  return result;
}

/** “a”, “a” and “b”, “a”, “b” and “c”. */
export function quotedList(items: string[]): string {
  const quoted = items.map((item) => `“${item}”`);
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
}

/** "unread links matching “go”, tagged “a” and “b”" (the noun given the count). */
export function describe(filter: LinksFilter, count?: number): string {
  const noun = `${filter.unread ? 'unread ' : ''}${count === 1 ? 'link' : 'links'}`;
  const parts: string[] = [];
  if (filter.q) parts.push(`matching “${filter.q}”`);
  if (filter.tags.length > 0) parts.push(`tagged ${quotedList(filter.tags)}`);
  return [noun, parts.join(', ')].filter((part) => part !== '').join(' ');
}

export function isFiltered(filter: LinksFilter): boolean {
  return filter.q !== '' || filter.tags.length > 0 || filter.unread;
}
