/**
 * Your links, newest first: status badges (pending links are looked at again
 * until their check is in), tags, a filter by tag and by pattern (RE2) on the
 * URL, title or description, kept in the address (#/links?tag=…) so Back
 * works, and paging with next_page_token ("More links").
 */
import { api, tagsOf, type Link, type LinkFilter, type LinkStatus } from '../api.ts';
import { confirmDialog } from '../dialog.ts';
import { h, hiddenText, time, uniqueId } from '../dom.ts';
import { clearErrors, fieldFor, showError, type ErrorMapping } from '../forms.ts';
import { loadFailurePanel, showLoadFailure } from '../loading.ts';
import { announce } from '../status.ts';
import { defaultPrivate } from '../user-settings.ts';
import type { View } from '../view.ts';
import { openLinkForm } from './link-form.ts';
import { linkTitle } from './link-title.ts';

const pageSize = 20;
type PatternField = 'url' | 'title' | 'description';
const patternFields: Array<[PatternField, string]> = [
  ['title', 'Title'],
  ['url', 'URL'],
  ['description', 'Description'],
];

const filterErrors: ErrorMapping = {
  fields: { tag: ['tag'], pattern: ['url_regex', 'title_regex', 'description_regex'] },
};

const statusText: Record<LinkStatus, { label: string; help: string }> = {
  pending: { label: 'Pending', help: 'Not checked yet' },
  valid: { label: 'Valid', help: 'The address answered when last checked' },
  invalid: { label: 'Invalid', help: 'The address failed when last checked' },
};

export function statusBadge(status: LinkStatus): HTMLElement {
  const text = statusText[status] ?? { label: status, help: '' };
  return h('span', { class: `badge badge-${status}`, 'data-status': status, title: text.help }, hiddenText('Status: '), text.label);
}

interface Filter {
  tag: string;
  pattern: string;
  in: PatternField;
}

function filterOf(params: URLSearchParams): Filter {
  const where = params.get('in');
  return {
    tag: params.get('tag')?.trim() ?? '',
    pattern: params.get('pattern') ?? '',
    in: where === 'url' || where === 'description' ? where : 'title',
  };
}

function apiFilter(filter: Filter): LinkFilter {
  const result: LinkFilter = {};
  if (filter.tag) result.tag = filter.tag.toLowerCase();
  if (filter.pattern) result[`${filter.in}_regex`] = filter.pattern;
  return result;
}

function describe(filter: Filter): string {
  const parts: string[] = [];
  if (filter.tag) parts.push(`tagged “${filter.tag}”`);
  if (filter.pattern) parts.push(`whose ${filter.in === 'url' ? 'URL' : filter.in} matches “${filter.pattern}”`);
  return parts.join(' and ');
}

function hashFor(filter: Filter): string {
  const params = new URLSearchParams();
  if (filter.tag) params.set('tag', filter.tag);
  if (filter.pattern) {
    params.set('pattern', filter.pattern);
    params.set('in', filter.in);
  }
  const query = params.toString();
  return query ? `#/links?${query}` : '#/links';
}

export function linksView(initial: URLSearchParams): View {
  let filter = filterOf(initial);
  /** start_token of each page shown ('' for the first), to look at them again for statuses. */
  let pageTokens: string[] = [];
  let nextToken = '';
  let generation = 0;
  let pollTimer: number | undefined;
  let pollDelay = 1500;
  let pollUntil = 0;
  const cards = new Map<string, HTMLLIElement>();
  const knownTags = new Set<string>();

  // The filter form.
  const tagInput = h('input', { name: 'tag', id: uniqueId('filter-tag'), autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', list: 'known-tags' });
  const patternInput = h('input', { name: 'pattern', id: uniqueId('filter-pattern'), type: 'search', autocomplete: 'off', spellcheck: 'false' });
  const whereSelect = h('select', { name: 'in', id: uniqueId('filter-in') }, patternFields.map(([value, label]) => h('option', { value }, label)));
  const tagList = h('datalist', { id: 'known-tags' });
  const clearButton = h('button', { type: 'button', class: 'button subtle', onclick: () => applyFilter({ tag: '', pattern: '', in: filter.in }) }, 'Clear filter');
  const filterForm = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter links', novalidate: true },
    filterField('Tag', tagInput),
    filterField('Pattern (RE2)', patternInput, 'e.g. golang|rust'),
    filterField('Match in', whereSelect),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Filter'), clearButton),
    tagList,
  );
  filterForm.addEventListener('submit', (event) => {
    event.preventDefault();
    applyFilter({ tag: tagInput.value.trim(), pattern: patternInput.value, in: whereSelect.value as PatternField });
  });

  const summary = h('p', { class: 'summary', 'aria-live': 'polite' });
  const listError = loadFailurePanel();
  const list = h('ul', { class: 'link-list', 'aria-label': 'Links' });
  const empty = h('div', { class: 'empty', hidden: true });
  const more = h('button', { type: 'button', class: 'button more', hidden: true, onclick: () => void loadMore() }, 'More links');

  const heading = h('h1', { id: 'view-title', tabindex: '-1' }, 'Your links');
  const element = h(
    'section',
    { class: 'view links-view', 'aria-labelledby': 'view-title' },
    h(
      'div',
      { class: 'view-head' },
      heading,
      h('button', { type: 'button', class: 'button primary', onclick: () => void addLink() }, h('span', { 'aria-hidden': 'true' }, '+ '), 'Add link'),
    ),
    filterForm,
    summary,
    listError,
    list,
    empty,
    more,
  );

  function filterField(label: string, control: HTMLInputElement | HTMLSelectElement, placeholder?: string): HTMLElement {
    if (placeholder) control.setAttribute('placeholder', placeholder);
    return h(
      'div',
      { class: 'field', 'data-field': control.name },
      h('label', { for: control.id }, label),
      control,
      h('p', { class: 'field-error', id: `${control.id}-error`, hidden: true }),
    );
  }

  function showFilter(): void {
    tagInput.value = filter.tag;
    patternInput.value = filter.pattern;
    whereSelect.value = filter.in;
    clearButton.hidden = !filter.tag && !filter.pattern;
  }

  function applyFilter(next: Filter): void {
    filter = next;
    const hash = hashFor(filter);
    if (location.hash !== hash) history.pushState(null, '', hash);
    showFilter();
    void load();
  }

  let opening = false;
  async function addLink(): Promise<void> {
    // The settings may take a moment (first time in a session): one dialog however often it is clicked.
    if (opening) return;
    opening = true;
    const isPrivate = await defaultPrivate().finally(() => (opening = false));
    openLinkForm({
      defaultPrivate: isPrivate,
      onSaved: (link) => {
        announce(`Saved “${link?.Title ?? 'your link'}”.`);
        void load();
      },
    });
  }

  function editLink(link: Link): void {
    openLinkForm({
      link,
      onSaved: (updated, changed) => {
        if (!changed) {
          announce('Nothing changed.');
          return;
        }
        announce(`Saved changes to “${updated?.Title ?? link.Title}”.`);
        const card = cards.get(link.Url);
        if (updated && card) {
          const replacement = linkCard(updated);
          cards.delete(link.Url);
          cards.set(updated.Url, replacement);
          card.replaceWith(replacement);
          replacement.querySelector<HTMLElement>('.edit')?.focus();
          if (updated.Status === 'pending') startPolling();
        } else void load();
      },
    });
  }

  function deleteLink(link: Link): void {
    confirmDialog({
      title: 'Delete link',
      message: ['Delete “', h('strong', {}, link.Title), '”? This cannot be undone.'],
      confirmLabel: 'Delete',
      action: async () => {
        await api.deleteLink(link.Url);
        const card = cards.get(link.Url);
        const neighbour = (card?.nextElementSibling ?? card?.previousElementSibling) as HTMLElement | null;
        card?.remove();
        cards.delete(link.Url);
        announce(`Deleted “${link.Title}”.`);
        // The dialog gives the focus back to the Delete button, now gone: put it on the next link instead.
        window.setTimeout(() => (neighbour?.querySelector<HTMLElement>('.link-title') ?? heading).focus(), 0);
        if (cards.size === 0) void load();
      },
    });
  }

  function linkCard(link: Link): HTMLLIElement {
    const tags = tagsOf(link);
    for (const tag of tags) knownTags.add(tag);
    const titleId = uniqueId('link');
    return h(
      'li',
      { class: 'link-card', 'data-url': link.Url, 'aria-labelledby': titleId },
      h(
        'div',
        { class: 'link-head' },
        linkTitle(titleId, link.Url, link.Title),
        statusBadge(link.Status),
        link.Private
          ? h('span', { class: 'badge badge-private', 'data-private': 'true', title: 'Private: only you see it' }, h('span', { 'aria-hidden': 'true' }, '🔒'), 'Private')
          : null,
      ),
      h('p', { class: 'link-url' }, link.Url),
      link.SavedBy ? h('p', { class: 'link-saved-by' }, `Also saved by ${link.SavedBy} ${link.SavedBy === 1 ? 'person' : 'people'}`) : null,
      link.Description ? h('p', { class: 'link-description' }, link.Description) : null,
      tags.length > 0
        ? h(
            'ul',
            { class: 'tags', 'aria-label': 'Tags' },
            tags.map((tag) =>
              h('li', {}, h('button', { type: 'button', class: 'tag', 'aria-label': `Show links tagged ${tag}`, onclick: () => applyFilter({ ...filter, tag }) }, tag)),
            ),
          )
        : null,
      h(
        'div',
        { class: 'link-foot' },
        h('span', { class: 'muted' }, time(link.CreatedAt, 'Saved ')),
        h(
          'span',
          { class: 'link-actions' },
          h('button', { type: 'button', class: 'button small edit', 'aria-label': `Edit ${link.Title}`, onclick: () => editLink(link) }, 'Edit'),
          h('button', { type: 'button', class: 'button small danger-outline delete', 'aria-label': `Delete ${link.Title}`, onclick: () => deleteLink(link) }, 'Delete'),
        ),
      ),
    );
  }

  function render(links: Link[], append: boolean): void {
    if (!append) {
      list.replaceChildren();
      cards.clear();
    }
    for (const link of links) {
      const card = linkCard(link);
      cards.set(link.Url, card);
      list.append(card);
    }
    tagList.replaceChildren(...[...knownTags].sort().map((tag) => h('option', { value: tag })));
    more.hidden = nextToken === '';
    const described = describe(filter);
    const count = cards.size;
    summary.textContent =
      count === 0
        ? ''
        : `${count === 1 ? '1 link' : `${count} links`}${described ? ` ${described}` : ''}${nextToken ? ', more below' : ''}.`;
    empty.hidden = count > 0;
    if (count === 0) {
      if (described && nextToken) {
        empty.replaceChildren(h('p', {}, `No links ${described} among those searched so far. “More links” searches further.`));
      } else if (described) {
        empty.replaceChildren(h('p', {}, `No links ${described}.`), h('button', { type: 'button', class: 'button', onclick: () => clearButton.click() }, 'Clear filter'));
      } else {
        empty.replaceChildren(
          h('p', {}, 'You have no links yet.'),
          h('button', { type: 'button', class: 'button primary', onclick: () => void addLink() }, 'Add your first link'),
        );
      }
    }
    if (links.some((link) => link.Status === 'pending')) startPolling();
  }

  function showLoadError(error: unknown): void {
    if (fieldFor(error, filterErrors)) {
      showError(filterForm, error, filterErrors);
      return;
    }
    showLoadFailure(listError, 'Your links', error, () => load());
  }

  async function load(): Promise<void> {
    const mine = ++generation;
    clearErrors(filterForm);
    listError.hidden = true;
    element.setAttribute('aria-busy', 'true');
    try {
      const page = await api.links(apiFilter(filter), undefined, pageSize);
      if (mine !== generation) return;
      pageTokens = [''];
      nextToken = page.next_page_token;
      render(page.links, false);
    } catch (error) {
      if (mine !== generation) return;
      list.replaceChildren();
      cards.clear();
      more.hidden = true;
      empty.hidden = true;
      summary.textContent = '';
      showLoadError(error);
    } finally {
      if (mine === generation) element.removeAttribute('aria-busy');
    }
  }

  async function loadMore(): Promise<void> {
    const mine = generation;
    const token = nextToken;
    if (!token) return;
    more.setAttribute('aria-disabled', 'true');
    try {
      const page = await api.links(apiFilter(filter), token, pageSize);
      if (mine !== generation) return;
      pageTokens.push(token);
      nextToken = page.next_page_token;
      const firstNew = list.children.length;
      render(page.links, true);
      // Keep the keyboard where the new links start.
      (list.children[firstNew]?.querySelector<HTMLElement>('.link-title') ?? more).focus();
    } catch (error) {
      showLoadError(error);
    } finally {
      more.removeAttribute('aria-disabled');
    }
  }

  /** While a shown link is pending, look at the shown pages again, slower and slower, for a few minutes. */
  function startPolling(): void {
    pollUntil = Date.now() + 3 * 60_000;
    if (pollTimer !== undefined) return;
    pollDelay = 1500;
    pollTimer = window.setTimeout(poll, pollDelay);
  }

  async function poll(): Promise<void> {
    pollTimer = undefined;
    if (!element.isConnected) return;
    const mine = generation;
    let pending = false;
    try {
      for (const token of pageTokens) {
        const page = await api.links(apiFilter(filter), token || undefined, pageSize);
        if (mine !== generation) return;
        for (const link of page.links) {
          const badge = cards.get(link.Url)?.querySelector('.badge');
          if (badge && badge.getAttribute('data-status') !== link.Status) {
            badge.replaceWith(statusBadge(link.Status));
            if (link.Status !== 'pending') announce(`“${link.Title}” is ${link.Status}.`);
          }
          if (link.Status === 'pending' && cards.has(link.Url)) pending = true;
        }
      }
    } catch {
      pending = true; // a hiccup: try again later
    }
    if (pending && Date.now() < pollUntil && element.isConnected) {
      pollDelay = Math.min(pollDelay * 1.5, 15_000);
      pollTimer = window.setTimeout(poll, pollDelay);
    }
  }

  showFilter();
  void load();

  return {
    element,
    update(params) {
      const next = filterOf(params);
      if (next.tag === filter.tag && next.pattern === filter.pattern && next.in === filter.in) return;
      filter = next;
      showFilter();
      void load();
    },
    dispose() {
      generation++;
      window.clearTimeout(pollTimer);
      pollTimer = undefined;
    },
  };
}
