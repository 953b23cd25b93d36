/**
 * The links screen's search: one box taking the query language, a sort menu
 * (applied as soon as it changes), a "Search syntax" popover listing the
 * language, and the API's own complaint about a malformed query (it names the
 * problem and where) shown under the box, which is marked invalid meanwhile.
 */
import { hasSearchWords, parseSearchQuery } from '@delinkcious/object-model';
import type { LinkSort } from '../api.ts';
import { h, uniqueId } from '../dom.ts';
import { sorts } from './links-filter.ts';

export interface SearchBox {
  element: HTMLFormElement;
  input: HTMLInputElement;
  show(q: string, sort: LinkSort | ''): void;
  showError(message: string): void;
  clearError(): void;
  /** Leaving the screen: stops listening to the page. */
  dispose(): void;
}

const syntax: Array<[string, string]> = [
  ['postgres index', 'both words, anywhere in the title, description, address or tags (any case, accents and word forms)'],
  ['"exact phrase"', 'these words in this order'],
  ['-word', 'without this word'],
  ['#go  -#draft', 'tagged go; not tagged draft'],
  ['site:example.org', 'on this host or its subdomains'],
  ['is:unread  is:read', 'saved to read later, or not'],
  ['is:private  is:public', 'seen by you only, or by everyone'],
  ['is:valid  is:invalid  is:pending', 'as the link checker last found them'],
  ['after:2024-01-31  before:2025-01-01', 'saved after or before a day'],
  ['go OR rust', 'either of the two terms beside OR'],
];

function rankable(q: string): boolean {
  try {
    return hasSearchWords(parseSearchQuery(q));
  } catch {
    return false;
  }
}

export interface SearchBoxOptions {
  /** Enter (or the Search button). */
  onSearch(q: string): void;
  /** A pause in typing, with a query that parses: results as one types (the last word matches as a prefix). */
  onType(q: string): void;
  onSort(sort: LinkSort | ''): void;
}

/** How long typing must pause before the results follow it. */
const typingPauseMs = 350;

function parses(q: string): boolean {
  try {
    parseSearchQuery(q);
    return true;
  } catch {
    return false;
  }
}

export function searchBox(options: SearchBoxOptions): SearchBox {
  const inputId = uniqueId('search-q');
  const errorId = `${inputId}-error`;
  const helpId = uniqueId('search-help');
  const input = h('input', {
    id: inputId,
    name: 'q',
    type: 'search',
    autocomplete: 'off',
    autocapitalize: 'none',
    spellcheck: 'false',
    enterkeyhint: 'search',
    placeholder: 'e.g. postgres #reading -draft site:go.dev',
    'aria-keyshortcuts': '/',
  });
  const error = h('p', { class: 'field-error', id: errorId, role: 'alert', hidden: true });
  const sortSelect = h('select', { id: uniqueId('sort'), name: 'sort' }, sorts.map(([value, label]) => h('option', { value }, label)));
  sortSelect.addEventListener('change', () => options.onSort(sortSelect.value as LinkSort | ''));

  const helpButton = h('button', { type: 'button', class: 'button subtle small help-toggle', 'aria-expanded': 'false', 'aria-controls': helpId }, 'Search syntax');
  const help = h(
    'div',
    { class: 'popover search-help', id: helpId, role: 'region', 'aria-label': 'Search syntax', hidden: true },
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, 'What a search may contain'),
      h('tbody', {}, syntax.map(([example, meaning]) => h('tr', {}, h('th', { scope: 'row' }, h('code', {}, example)), h('td', {}, meaning)))),
    ),
    h('p', { class: 'hint' }, 'The last word also matches the start of a longer one, so results come as you type.'),
  );
  function setHelp(open: boolean, returnFocus = false): void {
    help.hidden = !open;
    helpButton.setAttribute('aria-expanded', String(open));
    if (!open && returnFocus) helpButton.focus();
  }
  helpButton.addEventListener('click', () => setHelp(help.hidden));
  help.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') setHelp(false, true);
  });
  helpButton.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !help.hidden) setHelp(false);
  });
  // A click elsewhere closes it, as a popover does.
  const clickElsewhere = (event: MouseEvent): void => {
    if (!help.hidden && event.target instanceof Node && !help.contains(event.target) && !helpButton.contains(event.target)) setHelp(false);
  };
  document.addEventListener('click', clickElsewhere);

  const element = h(
    'form',
    { class: 'search-box', role: 'search', 'aria-label': 'Search your links', novalidate: true },
    h(
      'div',
      { class: 'field search-field', 'data-field': 'q' },
      h('label', { for: inputId }, 'Search'),
      h('div', { class: 'input-row' }, input, h('button', { type: 'submit', class: 'button' }, 'Search'), helpButton),
      error,
      help,
    ),
    h('div', { class: 'field sort-field', 'data-field': 'sort' }, h('label', { for: sortSelect.id }, 'Sort'), sortSelect),
  );
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    setHelp(false);
    window.clearTimeout(typing);
    options.onSearch(input.value.trim());
  });
  // Typing again clears the complaint about the last query; half a query (an open quote) waits for Enter.
  let typing: number | undefined;
  input.addEventListener('input', () => {
    clearError();
    window.clearTimeout(typing);
    typing = window.setTimeout(() => {
      const q = input.value.trim();
      if (parses(q)) options.onType(q);
    }, typingPauseMs);
  });

  function clearError(): void {
    error.hidden = true;
    error.textContent = '';
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
  }

  return {
    element,
    input,
    show(q, sort) {
      if (input.value.trim() !== q) input.value = q;
      sortSelect.value = sort;
      // The API's default: the best match when there are words to rank by, else the newest.
      const automatic = sortSelect.querySelector<HTMLOptionElement>('option[value=""]');
      if (automatic) automatic.textContent = `${rankable(q) ? 'Best match' : 'Newest first'} (default)`;
    },
    showError(message) {
      error.textContent = message;
      error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', errorId);
    },
    clearError,
    dispose() {
      window.clearTimeout(typing);
      document.removeEventListener('click', clickElsewhere);
    },
  };
}
