/**
 * Your links: a search in the query language with a sort menu, a sidebar of
 * your tags with counts (several combine: links with all of them), the Unread
 * view, select mode with bulk actions, a read-later toggle on each link,
 * cards or a compact list (remembered by this browser), and single-key
 * shortcuts (`?` lists them). What is shown is kept in the address
 * (#/links?q=…&sort=…&tag=a&tag=b&unread=1) so Back works and views are
 * linkable. Status badges of pending links are looked at again until their
 * check is in; "More links" pages on with next_page_token.
 */
import { parseSearchQuery } from '@delinkcious/object-model';
import { ApiError, api, tagsOf, type BulkAction, type Link, type LinkStatus } from '../api.ts';
import { savedDensity, saveDensity, type Density } from '../density.ts';
import { confirmDialog } from '../dialog.ts';
import { h, hiddenText, time, uniqueId } from '../dom.ts';
import { messageOf } from '../forms.ts';
import { loadFailurePanel, showLoadFailure } from '../loading.ts';
import { installShortcuts, showShortcuts, withHelp, type Shortcut } from '../shortcuts.ts';
import { announce } from '../status.ts';
import { defaultPrivate } from '../user-settings.ts';
import type { View } from '../view.ts';
import { bulkBar } from './bulk-bar.ts';
import { openLinkForm } from './link-form.ts';
import { brokenLinksHash, linkHealth } from './link-health.ts';
import { linkTitle } from './link-title.ts';
import { apiFilter, bulkQuery, describe, filterOf, hashFor, isFiltered, noFilter, sameFilter, type LinksFilter } from './links-filter.ts';
import { searchBox } from './search-box.ts';
import { tagSidebar } from './tag-sidebar.ts';
import './links.css';

/** Links a page: a compact list shows more a screen, so it asks for more. */
const pageSizes: Record<Density, number> = { cards: 20, compact: 50 };

const statusText: Record<LinkStatus, { label: string; help: string }> = {
  pending: { label: 'Pending', help: 'Not checked yet' },
  valid: { label: 'Valid', help: 'The address answered when last checked' },
  invalid: { label: 'Invalid', help: 'The address failed when last checked' },
};

export function statusBadge(status: LinkStatus): HTMLElement {
  const text = statusText[status] ?? { label: status, help: '' };
  return h('span', { class: `badge badge-${status}`, 'data-status': status, title: text.help }, hiddenText('Status: '), text.label);
}

export function linksView(initial: URLSearchParams): View {
  let filter = filterOf(initial);
  let density = savedDensity();
  /** start_token of each page shown ('' for the first), to look at them again for statuses. */
  let pageTokens: string[] = [];
  let nextToken = '';
  let generation = 0;
  let pollTimer: number | undefined;
  let pollDelay = 1500;
  let pollUntil = 0;
  let selecting = false;
  /** The last history entry was made by typing in the search box (the next pause changes it). */
  let typing = false;
  /** The link j/k moved to (or the focus is in), by URL. */
  let current: string | undefined;
  const cards = new Map<string, HTMLLIElement>();
  const shown = new Map<string, Link>();
  const selected = new Set<string>();
  const pageSize = (): number => pageSizes[density];

  const search = searchBox({
    onSearch: (q) => applyFilter({ ...filter, q }),
    // While typing, the address follows: one history entry for the whole typing, not one a pause.
    onType: (q) => {
      if (q === filter.q) return;
      applyFilter({ ...filter, q }, typing ? 'same' : 'new');
      typing = true;
    },
    onSort: (sort) => applyFilter({ ...filter, sort }),
  });
  const sidebar = tagSidebar({
    onToggle: (tag) => applyFilter({ ...filter, tags: filter.tags.includes(tag) ? filter.tags.filter((other) => other !== tag) : [...filter.tags, tag] }),
    onRenamed: (from, to) => {
      void sidebar.load();
      const tags = [...new Set(filter.tags.map((tag) => (tag === from ? to : tag)))];
      if (tags.join() !== filter.tags.join()) applyFilter({ ...filter, tags });
      else void load();
    },
    onDeleted: (tag) => {
      void sidebar.load();
      if (filter.tags.includes(tag)) applyFilter({ ...filter, tags: filter.tags.filter((other) => other !== tag) });
      else void load();
    },
  });
  const bulk = bulkBar({
    selected: () => [...selected],
    selectAllShown: () => {
      for (const url of cards.keys()) selected.add(url);
      showSelection();
    },
    clearSelection: () => {
      selected.clear();
      showSelection();
    },
    done: () => setSelecting(false),
    matching: () => {
      const q = bulkQuery(filter);
      return q ? { q, words: describe(filter) } : undefined;
    },
    changed: (action: BulkAction) => {
      if (action === 'delete') selected.clear();
      void sidebar.load();
      void load();
    },
  });
  bulk.element.hidden = true;

  const summary = h('p', { class: 'summary', 'aria-live': 'polite' });
  const clearButton = h('button', { type: 'button', class: 'button subtle small clear-filter', hidden: true, onclick: () => applyFilter({ ...noFilter, sort: filter.sort }) }, 'Clear filter');
  const listError = loadFailurePanel();
  const list = h('ul', { class: 'link-list', 'aria-label': 'Links' });
  const empty = h('div', { class: 'empty', hidden: true });
  const more = h('button', { type: 'button', class: 'button more', hidden: true, onclick: () => void loadMore() }, 'More links');

  const allTab = h('a', { class: 'view-tab' }, 'All links');
  const unreadTab = h('a', { class: 'view-tab' }, 'Unread');
  const brokenTab = h('a', { class: 'view-tab', href: brokenLinksHash, title: 'Links whose last check failed (is:invalid)' }, 'Broken links');
  const selectButton = h('button', { type: 'button', class: 'button select-mode', 'aria-pressed': 'false', 'aria-keyshortcuts': 'x', onclick: () => setSelecting(!selecting) }, 'Select');
  const densityButtons = (['cards', 'compact'] as const).map((value) =>
    h('button', { type: 'button', class: 'button small', 'data-density': value, 'aria-pressed': 'false', onclick: () => setDensity(value) }, value === 'cards' ? 'Cards' : 'Compact'),
  );
  const heading = h('h1', { id: 'view-title', tabindex: '-1' }, 'Your links');
  const element = h(
    'section',
    { class: 'view links-view', 'aria-labelledby': 'view-title' },
    h(
      'div',
      { class: 'view-head' },
      heading,
      h(
        'div',
        { class: 'view-tools' },
        h('div', { class: 'density', role: 'group', 'aria-label': 'Density' }, densityButtons),
        selectButton,
        h('button', { type: 'button', class: 'button subtle small', 'aria-keyshortcuts': '?', onclick: () => showShortcuts(withHelp(shortcuts)) }, 'Shortcuts'),
        h('button', { type: 'button', class: 'button primary', 'aria-keyshortcuts': 'n', onclick: () => void addLink() }, h('span', { 'aria-hidden': 'true' }, '+ '), 'Add link'),
      ),
    ),
    search.element,
    h(
      'div',
      { class: 'links-layout' },
      sidebar.element,
      h(
        'div',
        { class: 'links-main' },
        h('nav', { class: 'view-tabs', 'aria-label': 'Which links' }, allTab, unreadTab, brokenTab),
        h('div', { class: 'summary-row' }, summary, clearButton),
        bulk.element,
        listError,
        list,
        empty,
        more,
      ),
    ),
  );

  list.addEventListener('focusin', (event) => {
    const card = (event.target as HTMLElement).closest<HTMLLIElement>('.link-card');
    if (card) setCurrent(card.dataset.url, false);
  });

  const shortcuts: Shortcut[] = [
    { key: '/', description: 'Search', run: () => (search.input.focus(), search.input.select()) },
    { key: 'n', description: 'Add a new link', run: () => void addLink() },
    { key: 'j', description: 'Next link', run: () => move(1) },
    { key: 'k', description: 'Previous link', run: () => move(-1) },
    { key: 'e', description: 'Edit the current link', run: () => editCurrent() },
    { key: 'x', description: 'Select the current link (select mode)', run: () => toggleCurrent() },
  ];
  const removeShortcuts = installShortcuts(shortcuts);

  function showFilter(): void {
    search.show(filter.q, filter.sort);
    search.clearError();
    sidebar.select(filter.tags);
    bulk.update();
    clearButton.hidden = !isFiltered(filter);
    // From the Broken links view, All links leaves its is:invalid behind.
    allTab.href = hashFor({ ...filter, unread: false, q: filter.q.trim() === 'is:invalid' ? '' : filter.q });
    unreadTab.href = hashFor({ ...filter, unread: true });
    for (const [tab, on] of [
      [allTab, !filter.unread && filter.q.trim() !== 'is:invalid'],
      [unreadTab, filter.unread],
      [brokenTab, !filter.unread && filter.q.trim() === 'is:invalid'],
    ] as const) {
      if (on) tab.setAttribute('aria-current', 'page');
      else tab.removeAttribute('aria-current');
    }
  }

  /** `entry`: a new history entry (Back returns to this one), or the same one changed. */
  function applyFilter(next: LinksFilter, entry: 'new' | 'same' = 'new'): void {
    typing = false;
    filter = next;
    const hash = hashFor(filter);
    if (location.hash !== hash) {
      if (entry === 'new') history.pushState(null, '', hash);
      else history.replaceState(null, '', hash);
    }
    showFilter();
    void load();
  }

  function setDensity(next: Density): void {
    density = next;
    saveDensity(next);
    list.classList.toggle('compact', next === 'compact');
    for (const button of densityButtons) button.setAttribute('aria-pressed', String(button.dataset.density === next));
  }

  function setSelecting(on: boolean): void {
    selecting = on;
    selectButton.setAttribute('aria-pressed', String(on));
    bulk.element.hidden = !on;
    list.classList.toggle('selecting', on);
    if (!on) selected.clear();
    showSelection();
  }

  function showSelection(): void {
    for (const [url, card] of cards) {
      const box = card.querySelector<HTMLInputElement>('.select-link');
      if (box) {
        box.checked = selected.has(url);
        box.closest('label')!.hidden = !selecting;
      }
      card.classList.toggle('is-selected', selecting && selected.has(url));
    }
    bulk.update();
  }

  function setCurrent(url: string | undefined, focus: boolean): void {
    if (current) cards.get(current)?.classList.remove('is-current');
    current = url;
    const card = url ? cards.get(url) : undefined;
    card?.classList.add('is-current');
    if (focus && card) {
      card.querySelector<HTMLElement>('.link-title')?.focus();
      card.scrollIntoView({ block: 'nearest' });
    }
  }

  function move(step: number): void {
    const urls = [...cards.keys()];
    if (urls.length === 0) return;
    const at = current ? urls.indexOf(current) : -1;
    // Past the last link shown: the next page, its first link focused (loadMore does).
    if (step > 0 && at === urls.length - 1 && !more.hidden) {
      void loadMore();
      return;
    }
    const next = at === -1 ? (step > 0 ? 0 : urls.length - 1) : Math.min(urls.length - 1, Math.max(0, at + step));
    setCurrent(urls[next], true);
  }

  function editCurrent(): void {
    const link = current ? shown.get(current) : undefined;
    if (link) editLink(link);
  }

  function toggleCurrent(): void {
    if (!current) move(1);
    if (!current) return;
    if (!selecting) setSelecting(true);
    if (selected.has(current)) selected.delete(current);
    else selected.add(current);
    showSelection();
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
        void sidebar.load();
        void load();
      },
    });
  }

  /** Puts the link as the API answered it in place of its card. */
  function replaceCard(old: Link, updated: Link, focusSelector?: string): void {
    const card = cards.get(old.Url);
    if (!card) return;
    const replacement = linkCard(updated);
    cards.delete(old.Url);
    shown.delete(old.Url);
    cards.set(updated.Url, replacement);
    shown.set(updated.Url, updated);
    if (selected.delete(old.Url)) selected.add(updated.Url);
    card.replaceWith(replacement);
    if (current === old.Url) setCurrent(updated.Url, false);
    showSelection();
    if (focusSelector) replacement.querySelector<HTMLElement>(focusSelector)?.focus();
    if (updated.Status === 'pending') startPolling();
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
        void sidebar.load();
        if (updated && cards.has(link.Url)) replaceCard(link, updated, '.edit');
        else void load();
      },
    });
  }

  async function toggleUnread(link: Link, button: HTMLButtonElement): Promise<void> {
    if (button.getAttribute('aria-disabled') === 'true') return;
    button.setAttribute('aria-disabled', 'true');
    const unread = link.Unread !== true;
    try {
      const answer = await api.updateLink({ url: link.Url, unread });
      // An older API answers without the field: what was asked is what is shown.
      replaceCard(link, { ...link, ...answer.link, Unread: answer.link?.Unread ?? unread }, '.read-later');
      announce(unread ? `“${link.Title}” is saved to read later.` : `“${link.Title}” is marked read.`);
    } catch (error) {
      announce(`Could not change “${link.Title}”: ${messageOf(error)}`, 'error');
    } finally {
      button.removeAttribute('aria-disabled');
    }
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
        shown.delete(link.Url);
        selected.delete(link.Url);
        bulk.update();
        announce(`Deleted “${link.Title}”.`);
        void sidebar.load();
        // The dialog gives the focus back to the Delete button, now gone: put it on the next link instead.
        window.setTimeout(() => (neighbour?.querySelector<HTMLElement>('.link-title') ?? heading).focus(), 0);
        if (cards.size === 0) void load();
      },
    });
  }

  function linkCard(link: Link): HTMLLIElement {
    const tags = tagsOf(link);
    const titleId = uniqueId('link');
    const unread = link.Unread === true;
    const box = h('input', { type: 'checkbox', class: 'select-link', 'aria-label': `Select ${link.Title}` });
    box.checked = selected.has(link.Url);
    box.addEventListener('change', () => {
      if (box.checked) selected.add(link.Url);
      else selected.delete(link.Url);
      showSelection();
    });
    const readLater: HTMLButtonElement = h(
      'button',
      {
        type: 'button',
        class: 'button small read-later',
        'aria-pressed': String(unread),
        'aria-label': `Read later: ${link.Title}`,
        title: unread ? 'Saved to read later; press to mark it read' : 'Keep it to read later',
        onclick: () => void toggleUnread(link, readLater),
      },
      h('span', { 'aria-hidden': 'true' }, unread ? '★ ' : '☆ '),
      'Read later',
    );
    return h(
      'li',
      { class: `link-card${unread ? ' is-unread' : ''}`, 'data-url': link.Url, 'data-unread': String(unread), 'aria-labelledby': titleId },
      h(
        'div',
        { class: 'link-head' },
        h('label', { class: 'select-box', hidden: !selecting }, box),
        linkTitle(titleId, link.Url, link.Title),
        h(
          'span',
          { class: 'link-badges' },
          unread ? h('span', { class: 'badge badge-unread', 'data-unread': 'true', title: 'Saved to read later' }, 'Unread') : null,
          statusBadge(link.Status),
          link.Private
            ? h('span', { class: 'badge badge-private', 'data-private': 'true', title: 'Private: only you see it' }, h('span', { 'aria-hidden': 'true' }, '🔒'), 'Private')
            : null,
        ),
      ),
      h('p', { class: 'link-url' }, link.Url),
      link.SavedBy ? h('p', { class: 'link-saved-by' }, `Also saved by ${link.SavedBy} ${link.SavedBy === 1 ? 'person' : 'people'}`) : null,
      link.Description ? h('p', { class: 'link-description' }, link.Description) : null,
      linkHealth(link, { onUpdated: (updated) => replaceCard(link, updated, '.check-now') }),
      tags.length > 0
        ? h(
            'ul',
            { class: 'tags', 'aria-label': 'Tags' },
            tags.map((tag) =>
              h(
                'li',
                {},
                h(
                  'button',
                  { type: 'button', class: 'tag', 'aria-label': `Show links tagged ${tag}`, onclick: () => filter.tags.includes(tag) || applyFilter({ ...filter, tags: [...filter.tags, tag] }) },
                  tag,
                ),
              ),
            ),
          )
        : null,
      h(
        'div',
        { class: 'link-foot' },
        h('span', { class: 'muted link-saved' }, time(link.CreatedAt, 'Saved ')),
        h(
          'span',
          { class: 'link-actions' },
          readLater,
          h('button', { type: 'button', class: 'button small edit', 'aria-label': `Edit ${link.Title}`, 'aria-keyshortcuts': 'e', onclick: () => editLink(link) }, 'Edit'),
          h('button', { type: 'button', class: 'button small danger-outline delete', 'aria-label': `Delete ${link.Title}`, onclick: () => deleteLink(link) }, 'Delete'),
        ),
      ),
    );
  }

  function render(links: Link[], append: boolean): void {
    if (!append) {
      list.replaceChildren();
      cards.clear();
      shown.clear();
    }
    for (const link of links) {
      const card = linkCard(link);
      cards.set(link.Url, card);
      shown.set(link.Url, link);
      list.append(card);
    }
    // A selection holds only links on the screen: what bulk actions change is what was seen.
    for (const url of selected) if (!cards.has(url)) selected.delete(url);
    if (current && cards.has(current)) setCurrent(current, false);
    else current = undefined;
    showSelection();
    more.hidden = nextToken === '';
    const count = cards.size;
    summary.textContent = count === 0 ? '' : `${count} ${describe(filter, count)}${nextToken ? ', more below' : ''}.`;
    empty.hidden = count > 0;
    if (count === 0) {
      if (isFiltered(filter) && nextToken) {
        empty.replaceChildren(h('p', {}, `No ${describe(filter)} among those searched so far. “More links” searches further.`));
      } else if (isFiltered(filter)) {
        empty.replaceChildren(h('p', {}, `No ${describe(filter)}.`), h('button', { type: 'button', class: 'button', onclick: () => clearButton.click() }, 'Clear filter'));
      } else {
        empty.replaceChildren(
          h('p', {}, 'You have no links yet.'),
          h('button', { type: 'button', class: 'button primary', onclick: () => void addLink() }, 'Add your first link'),
        );
      }
    }
    if (links.some((link) => link.Status === 'pending')) startPolling();
  }

  /** A query the API refused (400) is the search box's to explain; anything else fails the list. */
  function showLoadError(error: unknown): void {
    const message = messageOf(error);
    if (error instanceof ApiError && error.status === 400 && filter.q && !/^(tag|sort|start_token|limit)\b/.test(message)) {
      search.showError(message);
      return;
    }
    showLoadFailure(listError, 'Your links', error, () => load());
  }

  /**
   * The Unread view sends the search with `is:unread` added: a complaint about
   * it would point past what was typed, so the search is checked here first,
   * by the API's own parser, with the API's words.
   */
  function checkQuery(q: string): void {
    try {
      parseSearchQuery(q);
    } catch (error) {
      throw new ApiError(400, messageOf(error));
    }
  }

  async function load(): Promise<void> {
    const mine = ++generation;
    search.clearError();
    listError.hidden = true;
    element.setAttribute('aria-busy', 'true');
    try {
      if (filter.unread) checkQuery(filter.q);
      const page = await api.links(apiFilter(filter), undefined, pageSize());
      if (mine !== generation) return;
      pageTokens = [''];
      nextToken = page.next_page_token;
      render(page.links, false);
    } catch (error) {
      if (mine !== generation) return;
      list.replaceChildren();
      cards.clear();
      shown.clear();
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
      const page = await api.links(apiFilter(filter), token, pageSize());
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
        const page = await api.links(apiFilter(filter), token || undefined, pageSize());
        if (mine !== generation) return;
        for (const link of page.links) {
          const card = cards.get(link.Url);
          const badge = card?.querySelector('.badge[data-status]');
          if (card && badge && badge.getAttribute('data-status') !== link.Status) {
            // The whole card (its health line too), unless the keyboard is in it: then the badge only.
            const old = shown.get(link.Url);
            if (old && !card.contains(document.activeElement)) replaceCard(old, link);
            else badge.replaceWith(statusBadge(link.Status));
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

  setDensity(density);
  showFilter();
  void sidebar.load();
  void load();

  return {
    element,
    update(params) {
      const next = filterOf(params);
      typing = false;
      if (sameFilter(next, filter)) return;
      filter = next;
      showFilter();
      void load();
    },
    dispose() {
      generation++;
      removeShortcuts();
      search.dispose();
      window.clearTimeout(pollTimer);
      pollTimer = undefined;
    },
  };
}
