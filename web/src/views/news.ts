/**
 * The news feed: what the people you follow did to their links, newest first,
 * paged with next_token ("More news"); each author links to their profile,
 * and a link still there can be saved to your own ("Save to mine").
 */
import { api, type NewsEvent } from '../api.ts';
import { h, time } from '../dom.ts';
import { loadFailurePanel, showLoadFailure } from '../loading.ts';
import { announce } from '../status.ts';
import type { View } from '../view.ts';
import { profileHash } from './profile-link.ts';
import { saveToMineButton } from './save-to-mine.ts';

const verbs: Record<NewsEvent['event_type'], { verb: string; label: string }> = {
  LINK_ADDED: { verb: 'saved', label: 'Added' },
  LINK_UPDATED: { verb: 'changed', label: 'Updated' },
  LINK_DELETED: { verb: 'deleted', label: 'Deleted' },
};

function eventItem(event: NewsEvent): HTMLLIElement {
  const kind = verbs[event.event_type] ?? { verb: 'changed', label: event.event_type };
  const name = event.title || event.url;
  const target =
    event.event_type === 'LINK_DELETED'
      ? h('span', { class: 'news-target deleted' }, name)
      : h('a', { class: 'news-target', href: event.url, target: '_blank', rel: 'noopener noreferrer' }, name);
  return h(
    'li',
    { class: 'news-item', 'data-event': event.event_type },
    h('span', { class: `badge news-${kind.label.toLowerCase()}` }, kind.label),
    h(
      'div',
      { class: 'news-body' },
      h('p', {}, h('a', { class: 'news-author', href: profileHash(event.username) }, event.username), ` ${kind.verb} `, target),
      event.title && event.title !== event.url ? h('p', { class: 'link-url' }, event.url) : null,
      h('p', { class: 'muted' }, time(event.timestamp)),
    ),
    // A deleted link is gone: nothing to copy.
    event.event_type === 'LINK_DELETED' ? null : saveToMineButton({ url: event.url, title: event.title, savedBy: event.username }),
  );
}

export function newsView(): View {
  let nextToken = '';
  let generation = 0;
  const list = h('ol', { class: 'news-list', 'aria-label': 'News' });
  const error = loadFailurePanel();
  const empty = h(
    'div',
    { class: 'empty', hidden: true },
    h('p', {}, 'Nothing here yet. When people you follow save, change or delete links, you will see it here.'),
    h('a', { class: 'button', href: '#/people' }, 'Find people to follow'),
  );
  const more = h('button', { type: 'button', class: 'button more', hidden: true, onclick: () => void load(true) }, 'More news');
  const refresh = h('button', { type: 'button', class: 'button', onclick: () => void load(false, true) }, 'Refresh');
  const element = h(
    'section',
    { class: 'view news-view', 'aria-labelledby': 'view-title' },
    h('div', { class: 'view-head' }, h('h1', { id: 'view-title', tabindex: '-1' }, 'News'), refresh),
    h('p', { class: 'lead' }, 'What the people you follow do with their links, newest first.'),
    error,
    list,
    empty,
    more,
  );

  async function load(append: boolean, announced = false): Promise<void> {
    const mine = ++generation;
    error.hidden = true;
    element.setAttribute('aria-busy', 'true');
    try {
      const page = await api.news(append ? nextToken : undefined);
      if (mine !== generation) return;
      const firstNew = append ? list.children.length : 0;
      if (!append) list.replaceChildren();
      list.append(...page.events.map(eventItem));
      nextToken = page.next_token;
      more.hidden = nextToken === '';
      empty.hidden = list.children.length > 0;
      if (append) {
        // Keep the keyboard where the new items start.
        const first = list.children[firstNew] as HTMLElement | undefined;
        if (first) first.tabIndex = -1;
        (first ?? refresh).focus();
      }
      if (announced) announce(page.events.length === 0 ? 'No news yet.' : 'News refreshed.');
    } catch (failure) {
      if (mine !== generation) return;
      showLoadFailure(error, 'The news', failure, () => load(append));
    } finally {
      if (mine === generation) element.removeAttribute('aria-busy');
    }
  }

  void load(false);
  return {
    element,
    dispose() {
      generation++;
    },
  };
}
