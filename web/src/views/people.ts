/**
 * Following: follow someone by username, stop following, and the two lists,
 * who you follow and who follows you (with "Follow back").
 */
import { limits } from '@delinkcious/object-model';
import { api } from '../api.ts';
import { field, h } from '../dom.ts';
import { messageOf, onSubmit } from '../forms.ts';
import { announce } from '../status.ts';
import type { View, ViewContext } from '../view.ts';

export function peopleView(context: ViewContext): View {
  let following = new Set<string>();
  let followers = new Set<string>();
  let generation = 0;

  const username = h('input', { name: 'followed', required: true, maxlength: limits.usernameLength, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
  const followForm = h(
    'form',
    { class: 'inline-form card', 'aria-labelledby': 'follow-title' },
    h('h2', { id: 'follow-title' }, 'Follow someone'),
    field({ label: 'Username', control: username, beside: h('button', { type: 'submit', class: 'button primary' }, 'Follow') }),
  );
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
  const error = h('div', { class: 'list-error', role: 'alert', hidden: true });

  const element = h(
    'section',
    { class: 'view people-view', 'aria-labelledby': 'view-title' },
    h('div', { class: 'view-head' }, h('h1', { id: 'view-title', tabindex: '-1' }, 'People')),
    h('p', { class: 'lead' }, 'Follow people to see what they save in your news. You are ', h('strong', {}, context.session.username), '.'),
    followForm,
    error,
    h('div', { class: 'columns' }, h('section', { class: 'card' }, followingTitle, followingList), h('section', { class: 'card' }, followersTitle, followersList)),
  );

  function personRow(name: string, action: HTMLElement | null): HTMLLIElement {
    return h('li', { class: 'person', 'data-username': name }, h('span', { class: 'avatar', 'aria-hidden': 'true' }, name.slice(0, 1).toUpperCase()), h('span', { class: 'person-name' }, name), action);
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

  async function load(): Promise<void> {
    const mine = ++generation;
    element.setAttribute('aria-busy', 'true');
    try {
      const [a, b] = await Promise.all([api.following(), api.followers()]);
      if (mine !== generation) return;
      following = new Set(Object.keys(a.following ?? {}).filter((name) => a.following[name]));
      followers = new Set(Object.keys(b.followers ?? {}).filter((name) => b.followers[name]));
      renderLists();
    } catch (failure) {
      if (mine !== generation) return;
      error.replaceChildren(
        h('p', {}, `Who you follow could not be loaded: ${messageOf(failure)}`),
        h('button', { type: 'button', class: 'button', onclick: () => void load() }, 'Try again'),
      );
      error.hidden = false;
    } finally {
      if (mine === generation) element.removeAttribute('aria-busy');
    }
  }

  void load();
  return {
    element,
    dispose() {
      generation++;
    },
  };
}
