/**
 * The listing of search/sql.ts over links in memory (the memory store): the same
 * filters, query, sorts and keyset. Words are folded as in SQL (the same table)
 * and a word's last part may be a prefix; there is no stemming and no stop words
 * (inflection is the SQL stores' only: the contract suite tests it there).
 * Relevance is a simple score with ts_rank's default weights (title 1, tags 0.4,
 * description 0.2, URL 0.1 per matching term): the same order in clear cases.
 * A word of 3+ characters also matches inside the folded text (substring.ts);
 * such a match adds nothing to relevance, so whole words rank above it.
 */
import { byCodePoint, foldText, searchWords, type SearchQuery, type SearchTerm } from '@delinkcious/object-model';
import type { ListCursor, ListQuery, StoredLink } from '../stores/link-store.ts';
import { searchText, substringWord } from './substring.ts';

/** A link's words per field, with the weight relevance gives a match there. */
function fieldsOf(link: StoredLink): Array<{ words: string[]; weight: number }> {
  return [
    { words: searchWords(link.title), weight: 1 },
    { words: searchWords(link.tags.join(' ')), weight: 0.4 },
    { words: searchWords(link.description), weight: 0.2 },
    { words: searchWords(link.url.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '')), weight: 0.1 },
  ];
}

/** Whether `words` (the last maybe a prefix) follow each other somewhere in `text`. */
function containsRun(text: string[], words: string[], prefix: boolean): boolean {
  for (let start = 0; start + words.length <= text.length; start++) {
    const found = words.every((word, i) =>
      prefix && i === words.length - 1 ? text[start + i]!.startsWith(word) : text[start + i] === word,
    );
    if (found) return true;
  }
  return false;
}

/** The host of a URL as migration 007's link_url_host reads it. */
export function hostOf(url: string): string {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^/?#@]*@)?(\[[^\]/?#]*\]|[^:/?#]*)/.exec(url)?.[1]?.toLowerCase() ?? '';
}

/** The weight of the best field where the term's words are (0: none). */
function wordsWeight(link: StoredLink, term: Extract<SearchTerm, { kind: 'words' }>): number {
  return Math.max(0, ...fieldsOf(link).map((field) => (containsRun(field.words, term.words, term.prefix) ? field.weight : 0)));
}

function termMatches(link: StoredLink, term: SearchTerm): boolean {
  switch (term.kind) {
    case 'words': {
      // Negated words stay word-based (substringWord is undefined for them).
      const word = substringWord(term);
      return wordsWeight(link, term) > 0 || (word !== undefined && searchText(link).includes(word));
    }
    case 'tag':
      return link.tags.includes(term.tag);
    case 'site': {
      const host = hostOf(link.url);
      return host === term.host || host.endsWith(`.${term.host}`);
    }
    case 'is':
      switch (term.value) {
        case 'private':
          return link.private;
        case 'public':
          return !link.private;
        case 'unread':
          return link.unread;
        case 'read':
          return !link.unread;
        default:
          return link.status === term.value;
      }
    case 'after':
      return link.createdAt.getTime() >= Date.parse(`${term.at}T00:00:00Z`);
    case 'before':
      return link.createdAt.getTime() < Date.parse(`${term.at}T00:00:00Z`);
  }
}

export function queryMatches(link: StoredLink, query: SearchQuery): boolean {
  if (query.branches.length === 0) return true;
  return query.branches.some((branch) => branch.every((term) => termMatches(link, term) !== term.negated));
}

/** Relevance: the weights of the positive words of every branch that matches. */
function score(link: StoredLink, query: SearchQuery | undefined): number {
  let total = 0;
  for (const branch of query?.branches ?? []) {
    for (const term of branch) if (term.kind === 'words' && !term.negated) total += wordsWeight(link, term);
  }
  return total;
}

type Keyed = { link: StoredLink; key: string; order: number | string };

/** The links of one page, in the query's order, each with its sort key. */
export function listInMemory(links: Iterable<StoredLink>, query: ListQuery): Array<{ link: StoredLink; sortKey: string }> {
  const tags = [...(query.tags ?? []), ...(query.tag !== undefined ? [query.tag] : [])];
  const ranked = query.sort === 'relevance' && query.search?.branches.some((b) => b.some((t) => t.kind === 'words' && !t.negated));
  const sort = query.sort === 'relevance' && !ranked ? 'newest' : (query.sort ?? 'newest');
  const all = [...links];
  const keyed: Keyed[] = all
    .filter((link) => !query.publicOnly || !link.private)
    .filter((link) => tags.every((tag) => link.tags.includes(tag)))
    .filter((link) => !query.search || queryMatches(link, query.search))
    .map((link) => {
      if (sort === 'title') return { link, key: foldText(link.title), order: foldText(link.title) };
      if (sort === 'relevance') {
        const rank = score(link, query.search);
        return { link, key: String(rank), order: rank };
      }
      return { link, key: link.createdAt.toISOString(), order: link.createdAt.getTime() };
    });
  // Ascending by (order, id) for oldest and title; descending for newest and relevance.
  const ascending = sort === 'oldest' || sort === 'title';
  const compare = (a: { order: number | string; id: number }, b: { order: number | string; id: number }): number => {
    const byOrder = typeof a.order === 'string' ? byCodePoint(a.order, b.order as string) : a.order - (b.order as number);
    const ordered = byOrder !== 0 ? byOrder : a.id - b.id;
    return ascending ? ordered : -ordered;
  };
  const after = query.after ?? (query.beforeId !== undefined ? { id: query.beforeId } : undefined);
  const cursor = cursorOf(after, sort, all);
  // An old token whose link is gone: by id, as it meant (ids were in the order of creation then).
  const isAfter = (k: Keyed) => (cursor === undefined ? after === undefined || k.link.id < after.id : compare({ order: k.order, id: k.link.id }, cursor) > 0);
  return keyed
    .filter(isAfter)
    .sort((a, b) => compare({ order: a.order, id: a.link.id }, { order: b.order, id: b.link.id }))
    .slice(0, query.limit)
    .map((k) => ({ link: k.link, sortKey: k.key }));
}

/** Where the previous page ended, as an (order, id) pair; an old token's id alone is looked up. */
function cursorOf(after: ListCursor | undefined, sort: string, links: StoredLink[]): { order: number | string; id: number } | undefined {
  if (after === undefined) return undefined;
  if (after.key === undefined) {
    const link = links.find((l) => l.id === after.id);
    return link ? { order: link.createdAt.getTime(), id: link.id } : undefined;
  }
  if (sort === 'title') return { order: after.key, id: after.id };
  if (sort === 'relevance') return { order: Number(after.key), id: after.id };
  return { order: Date.parse(after.key), id: after.id };
}
