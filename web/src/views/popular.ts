/**
 * Popular: the URLs most of the people you follow saved in the last 1, 7, 30
 * or 90 days (GET /v1/popular), who saved each (linking to their profiles),
 * and "Save to mine". The period is kept in the address (#/popular?days=30).
 */
import { api, type PopularLink } from '../api.ts';
import { h, uniqueId } from '../dom.ts';
import { latestLoad, loadFailurePanel } from '../loading.ts';
import type { View } from '../view.ts';
import { linkTitle } from './link-title.ts';
import { profileHash } from './profile-link.ts';
import { saveToMineButton } from './save-to-mine.ts';

const periods = [1, 7, 30, 90] as const;
const defaultDays = 7;

function daysOf(params: URLSearchParams): number {
  const days = Number(params.get('days'));
  return (periods as readonly number[]).includes(days) ? days : defaultDays;
}

const periodLabel = (days: number) => (days === 1 ? 'the last day' : `the last ${days} days`);

function savers(entry: PopularLink): HTMLElement {
  const names = entry.Usernames.flatMap((name, index) => [index > 0 ? ', ' : '', h('a', { href: profileHash(name) }, name)]);
  const count = entry.SavedBy === 1 ? '1 person you follow' : `${entry.SavedBy} people you follow`;
  return h('p', { class: 'popular-savers' }, h('strong', { class: 'popular-count', 'data-saved-by': entry.SavedBy }, `Saved by ${count}`), names.length > 0 ? ': ' : '', names);
}

function entryCard(entry: PopularLink): HTMLLIElement {
  const titleId = uniqueId('popular');
  return h(
    'li',
    { class: 'link-card popular-item', 'data-url': entry.Url, 'aria-labelledby': titleId },
    h('div', { class: 'link-head' }, linkTitle(titleId, entry.Url, entry.Title)),
    h('p', { class: 'link-url' }, entry.Url),
    h(
      'div',
      { class: 'link-foot' },
      savers(entry),
      // The description and tags are copied from the first saver's link.
      h('span', { class: 'link-actions' }, saveToMineButton({ url: entry.Url, title: entry.Title, savedBy: entry.Usernames[0] })),
    ),
  );
}

export function popularView(initial: URLSearchParams): View {
  let days = daysOf(initial);
  const select = h('select', { name: 'days', id: uniqueId('popular-days') }, periods.map((value) => h('option', { value: String(value) }, periodLabel(value))));
  select.addEventListener('change', () => {
    // The address holds the period, so Back goes to the previous one; the router calls update().
    location.hash = `#/popular?days=${select.value}`;
  });
  const summary = h('p', { class: 'summary', 'aria-live': 'polite' });
  const error = loadFailurePanel();
  const list = h('ol', { class: 'link-list popular-list', 'aria-label': 'Popular links' });
  const empty = h('div', { class: 'empty', hidden: true });
  const element = h(
    'section',
    { class: 'view popular-view', 'aria-labelledby': 'view-title' },
    h('div', { class: 'view-head' }, h('h1', { id: 'view-title', tabindex: '-1' }, 'Popular')),
    h('p', { class: 'lead' }, 'The links most of the people you follow saved, most savers first. Private links are never counted.'),
    h('div', { class: 'card popular-filter' }, h('div', { class: 'field', 'data-field': 'days' }, h('label', { for: select.id }, 'Saved in'), select)),
    summary,
    error,
    list,
    empty,
  );

  const { load, dispose } = latestLoad({
    screen: element,
    panel: error,
    what: 'Popular links',
    fetch() {
      select.value = String(days);
      return api.popular(days);
    },
    show(answer) {
      list.replaceChildren(...answer.links.map(entryCard));
      const count = answer.links.length;
      summary.textContent = count === 0 ? '' : `${count === 1 ? '1 link' : `${count} links`} saved in ${periodLabel(days)}.`;
      empty.replaceChildren(
        h('p', {}, `Nobody you follow saved a public link in ${periodLabel(days)}.`),
        h('a', { class: 'button', href: '#/people' }, 'Find people to follow'),
      );
      empty.hidden = count > 0;
    },
    failed() {
      list.replaceChildren();
      summary.textContent = '';
      empty.hidden = true;
    },
  });

  void load();
  return {
    element,
    update(params) {
      const next = daysOf(params);
      if (next === days) return;
      days = next;
      void load();
    },
    dispose,
  };
}
