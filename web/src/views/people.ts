/**
 * People: find someone by the start of their username or name (GET /v1/users,
 * 20 a page, "More people"), follow someone by username, stop following, and
 * the two lists, who you follow and who follows you (with "Follow back").
 * Every name links to its profile (#/u/{username}).
 */
import { limits } from '@delinkcious/object-model';
import { api, type Person } from '../api.ts';
import { field, h } from '../dom.ts';
import { messageOf, onSubmit } from '../forms.ts';
import { watchLength } from '../length-limits.ts';
import { latestLoad, loadFailurePanel } from '../loading.ts';
import { announce } from '../status.ts';
import type { View, ViewContext } from '../view.ts';
import { profileHash } from './profile-link.ts';

export function peopleView(context: ViewContext): View {
  let following = new Set<string>();
  let followers = new Set<string>();

  let searchToken = '';
  let searchGeneration = 0;
  const query = h('input', { name: 'q', type: 'search', required: true, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
  const searchForm = h(
    'form',
    { class: 'inline-form card', role: 'search', 'aria-labelledby': 'search-title' },
    h('h2', { id: 'search-title' }, 'Find people'),
    field({ label: 'Username or name starts with', control: query, beside: h('button', { type: 'submit', class: 'button primary' }, 'Search') }),
  );
  const results = h('ul', { class: 'people-list search-results', 'aria-label': 'People found', hidden: true });
  const resultsNote = h('p', { class: 'summary', 'aria-live': 'polite' });
  const moreResults = h('button', { type: 'button', class: 'button more', hidden: true }, 'More people');

  function personFound(person: Person): HTMLLIElement {
    const label = person.name && person.name !== person.username ? [person.username, h('span', { class: 'muted small' }, ` ${person.name}`)] : [person.username];
    return h(
      'li',
      { class: 'person', 'data-username': person.username },
      h('span', { class: 'avatar', 'aria-hidden': 'true' }, person.username.slice(0, 1).toUpperCase()),
      h('a', { class: 'person-name', href: profileHash(person.username) }, label),
    );
  }

  async function search(append: boolean): Promise<void> {
    const mine = ++searchGeneration;
    const q = query.value.trim();
    const page = await api.searchPeople(q, append ? searchToken : undefined);
    if (mine !== searchGeneration) return;
    if (!append) results.replaceChildren();
    results.append(...page.users.map(personFound));
    results.hidden = results.childElementCount === 0;
    searchToken = page.next_page_token;
    moreResults.hidden = !searchToken;
    resultsNote.textContent = results.childElementCount === 0 ? `Nobody’s username or name starts with “${q}”.` : `${results.childElementCount}${searchToken ? '+' : ''} found.`;
  }
  onSubmit(searchForm, { fields: { q: ['q'] } }, () => search(false));
  moreResults.addEventListener('click', () => {
    search(true).catch((failure: unknown) => announce(`More people could not be loaded: ${messageOf(failure)}`, 'error'));
  });

  const username = h('input', { name: 'followed', required: true, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
  const followForm = h(
    'form',
    { class: 'inline-form card', 'aria-labelledby': 'follow-title' },
    h('h2', { id: 'follow-title' }, 'Follow someone'),
    field({ label: 'Username', control: username, beside: h('button', { type: 'submit', class: 'button primary' }, 'Follow') }),
  );
  watchLength(followForm, username, limits.usernameLength);
  onSubmit(followForm, { fields: { followed: ['followed'] }, byStatus: { 403: 'followed', 404: 'followed' }, byPattern: [[/follow/, 'followed']] }, async () => {
    const name = username.value.trim();
    await api.follow(name);
    username.value = '';
    following.add(name);
    renderLists();
    announce(`You follow ${name} now.`);
  });

  const followingList = h('ul', { class: 'people-list', 'aria-labelledby': 'following-title' });
  const followersList = h('ul', { class: 'people-list', 'aria-labelledby': 'followers-title' });
  const followingTitle = h('h2', { id: 'following-title' }, 'Following');
  const followersTitle = h('h2', { id: 'followers-title' }, 'Followers');
  const error = loadFailurePanel();

  const element = h(
    'section',
    { class: 'view people-view', 'aria-labelledby': 'view-title' },
    h('div', { class: 'view-head' }, h('h1', { id: 'view-title', tabindex: '-1' }, 'People')),
    h('p', { class: 'lead' }, 'Follow people to see what they save in your news. You are ', h('strong', {}, context.session.username), '.'),
    searchForm,
    resultsNote,
    results,
    moreResults,
    followForm,
    error,
    h('div', { class: 'columns' }, h('section', { class: 'card' }, followingTitle, followingList), h('section', { class: 'card' }, followersTitle, followersList)),
  );

  function personRow(name: string, action: HTMLElement | null): HTMLLIElement {
    return h('li', { class: 'person', 'data-username': name }, h('span', { class: 'avatar', 'aria-hidden': 'true' }, name.slice(0, 1).toUpperCase()), h('a', { class: 'person-name', href: profileHash(name) }, name), action);
  }

  /** Runs a follow/unfollow from a row's button; a failure is shown in that row. */
  async function act(button: HTMLButtonElement, run: () => Promise<void>): Promise<void> {
    if (button.getAttribute('aria-disabled') === 'true') return;
    button.setAttribute('aria-disabled', 'true');
    const row = button.closest('li');
    row?.querySelector('.row-error')?.remove();
    try {
      await run();
    } catch (failure) {
      row?.append(h('p', { class: 'row-error', role: 'alert' }, messageOf(failure)));
      button.removeAttribute('aria-disabled');
    }
  }

  function renderLists(focusName?: string): void {
    followingTitle.textContent = `Following (${following.size})`;
    followersTitle.textContent = `Followers (${followers.size})`;
    const sorted = (names: Set<string>) => [...names].sort((a, b) => a.localeCompare(b));
    followingList.replaceChildren(
      ...sorted(following).map((name) => {
        const button = h('button', { type: 'button', class: 'button small', 'aria-label': `Unfollow ${name}` }, 'Unfollow');
        button.addEventListener('click', () =>
          void act(button, async () => {
            await api.unfollow(name);
            following.delete(name);
            renderLists();
            announce(`You no longer follow ${name}.`);
            username.focus();
          }),
        );
        return personRow(name, button);
      }),
    );
    if (following.size === 0) followingList.append(h('li', { class: 'muted empty-row' }, 'You follow nobody yet.'));
    followersList.replaceChildren(
      ...sorted(followers).map((name) => {
        if (following.has(name)) return personRow(name, h('span', { class: 'muted small' }, 'you follow them'));
        const button = h('button', { type: 'button', class: 'button small', 'aria-label': `Follow ${name} back` }, 'Follow back');
        button.addEventListener('click', () =>
          void act(button, async () => {
            await api.follow(name);
            following.add(name);
            renderLists(name);
            announce(`You follow ${name} now.`);
          }),
        );
        return personRow(name, button);
      }),
    );
    if (followers.size === 0) followersList.append(h('li', { class: 'muted empty-row' }, 'Nobody follows you yet.'));
    if (focusName) followingList.querySelector<HTMLElement>(`[data-username="${CSS.escape(focusName)}"] button`)?.focus();
  }

  const { load, dispose } = latestLoad({
    screen: element,
    panel: error,
    what: 'Who you follow',
    fetch: () => Promise.all([api.following(), api.followers()]),
    show([a, b]) {
      following = new Set(Object.keys(a.following ?? {}).filter((name) => a.following[name]));
      followers = new Set(Object.keys(b.followers ?? {}).filter((name) => b.followers[name]));
      renderLists();
    },
  });

  void load();
  return { element, dispose };
}
