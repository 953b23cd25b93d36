/**
 * Someone's profile (#/u/{username}, #/u/{username}?tag=…): their name and
 * counts, a follow/unfollow button, their public Atom feed (a visible link and
 * `<link rel="alternate">` in the page head while the profile is shown), and
 * their public links, newest first, paged with "More links", each with
 * "Save to mine". Unknown people and profiles this server hides say so.
 */
import { ApiError, api, tagsOf, type Link, type Profile } from '../api.ts';
import { h, time, uniqueId } from '../dom.ts';
import { messageOf } from '../forms.ts';
import { loadFailurePanel, showLoadFailure } from '../loading.ts';
import { announce } from '../status.ts';
import type { View, ViewContext } from '../view.ts';
import { linkTitle } from './link-title.ts';
import { profileHash } from './profile-link.ts';
import { saveToMineButton } from './save-to-mine.ts';

const pageSize = 20;

/** The username of a #/u/{username} path; undefined when it is not one. */
export function profileUsernameOf(path: string): string | undefined {
  const match = /^\/u\/([^/?]+)$/.exec(path);
  if (!match?.[1]) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
}

export function profileView(username: string, initial: URLSearchParams, context: ViewContext): View {
  let tag = initial.get('tag') ?? '';
  let nextToken = '';
  let generation = 0;
  /** Bumped by a new tag filter too: only the list reloads then. */
  let linksGeneration = 0;
  let follows = false;
  const isMe = username.toLowerCase() === context.session.username.toLowerCase();

  const heading = h('h1', { id: 'view-title', tabindex: '-1' }, username);
  const subtitle = h('p', { class: 'lead profile-username' });
  const counts = h('dl', { class: 'profile-counts', 'aria-label': 'Counts' });
  const followButton = h('button', { type: 'button', class: 'button primary follow-toggle', hidden: true });
  const feedLink = h('a', { class: 'feed-link', hidden: true, type: 'application/atom+xml' }, 'Atom feed of their links');
  const headError = loadFailurePanel();
  const filterNote = h('p', { class: 'summary', 'aria-live': 'polite' });
  const list = h('ol', { class: 'link-list profile-links', 'aria-label': `Public links of ${username}` });
  const empty = h('div', { class: 'empty', hidden: true });
  const listError = loadFailurePanel();
  const more = h('button', { type: 'button', class: 'button more', hidden: true }, 'More links');
  const element = h(
    'section',
    { class: 'view profile-view', 'aria-labelledby': 'view-title' },
    h('div', { class: 'view-head profile-head' }, h('div', {}, heading, subtitle), h('div', { class: 'profile-actions' }, followButton, feedLink)),
    headError,
    counts,
    h('h2', { class: 'section-title' }, 'Public links'),
    filterNote,
    listError,
    list,
    empty,
    more,
  );

  // Feed readers and browsers find the feed through the page head while the profile is shown.
  const alternate = h('link', { rel: 'alternate', type: 'application/atom+xml' });

  function showProfile(profile: Profile): void {
    heading.textContent = profile.name || profile.username;
    subtitle.textContent = profile.name && profile.name !== profile.username ? `@${profile.username}` : '';
    const count = (label: string, value: number) =>
      h('div', { class: 'profile-count' }, h('dt', {}, label), h('dd', { 'data-count': label.toLowerCase().replace(/ /g, '-') }, String(value)));
    counts.replaceChildren(count('Public links', profile.public_links), count('Followers', profile.followers), count('Following', profile.following));
    document.title = `${profile.name || profile.username} — Delinkcious`;
    if (profile.feed_url) {
      const title = `${profile.username}'s links on Delinkcious`;
      feedLink.href = profile.feed_url;
      feedLink.hidden = false;
      alternate.setAttribute('href', profile.feed_url);
      alternate.setAttribute('title', title);
      document.head.append(alternate);
    }
  }

  function showFollow(): void {
    followButton.hidden = isMe;
    followButton.textContent = follows ? 'Unfollow' : 'Follow';
    followButton.className = `button follow-toggle ${follows ? '' : 'primary'}`.trim();
    followButton.setAttribute('aria-pressed', String(follows));
    followButton.setAttribute('aria-label', `${follows ? 'Unfollow' : 'Follow'} ${username}`);
  }

  followButton.addEventListener('click', () => {
    if (followButton.getAttribute('aria-disabled') === 'true') return;
    followButton.setAttribute('aria-disabled', 'true');
    const wanted = !follows;
    (wanted ? api.follow(username) : api.unfollow(username))
      .then(() => {
        follows = wanted;
        showFollow();
        announce(wanted ? `You follow ${username} now.` : `You no longer follow ${username}.`);
        return loadHead();
      })
      .catch((failure: unknown) => announce(`Could not ${wanted ? 'follow' : 'unfollow'} ${username}: ${messageOf(failure)}`, 'error'))
      .finally(() => followButton.removeAttribute('aria-disabled'));
  });

  function linkCard(link: Link): HTMLLIElement {
    const tags = tagsOf(link);
    const titleId = uniqueId('profile-link');
    return h(
      'li',
      { class: 'link-card', 'data-url': link.Url, 'aria-labelledby': titleId },
      h('div', { class: 'link-head' }, linkTitle(titleId, link.Url, link.Title)),
      h('p', { class: 'link-url' }, link.Url),
      link.Description ? h('p', { class: 'link-description' }, link.Description) : null,
      tags.length > 0
        ? h(
            'ul',
            { class: 'tags', 'aria-label': 'Tags' },
            tags.map((name) => h('li', {}, h('a', { class: 'tag', href: `${profileHash(username)}?tag=${encodeURIComponent(name)}`, 'aria-label': `Show ${username}'s links tagged ${name}` }, name))),
          )
        : null,
      h(
        'div',
        { class: 'link-foot' },
        h('span', { class: 'muted' }, time(link.CreatedAt, 'Saved ')),
        isMe ? null : h('span', { class: 'link-actions' }, saveToMineButton({ url: link.Url, title: link.Title, link })),
      ),
    );
  }

  /** Why the profile cannot be shown, in words for people. */
  function unavailable(failure: unknown): string {
    if (failure instanceof ApiError && failure.status === 404) return `Nobody here has the username ${username}, or profiles are not shown on this server.`;
    return `This profile could not be loaded: ${messageOf(failure)}`;
  }

  async function loadHead(): Promise<void> {
    const mine = generation;
    try {
      const [{ user }, following] = await Promise.all([api.profile(username), isMe ? undefined : api.following()]);
      if (mine !== generation) return;
      follows = following?.following?.[user.username] === true;
      showProfile(user);
      showFollow();
      headError.hidden = true;
    } catch (failure) {
      if (mine !== generation) return;
      headError.replaceChildren(h('p', {}, unavailable(failure)));
      headError.hidden = false;
    }
  }

  async function loadLinks(append: boolean): Promise<void> {
    const mine = linksGeneration;
    element.setAttribute('aria-busy', 'true');
    try {
      const page = await api.userLinks(username, tag ? { tag } : {}, append ? nextToken : undefined, pageSize);
      if (mine !== linksGeneration) return;
      if (!append) list.replaceChildren();
      list.append(...page.links.map(linkCard));
      nextToken = page.next_page_token;
      more.hidden = !nextToken;
      empty.hidden = list.childElementCount > 0;
      empty.replaceChildren(h('p', {}, tag ? `${username} has no public links tagged ${tag}.` : `${username} has no public links yet.`));
      listError.hidden = true;
    } catch (failure) {
      if (mine !== linksGeneration) return;
      // The head already says when the person does not exist.
      if (failure instanceof ApiError && failure.status === 404) {
        list.replaceChildren();
        more.hidden = true;
        return;
      }
      showLoadFailure(listError, 'Their links', failure, () => loadLinks(append));
    } finally {
      if (mine === linksGeneration) element.removeAttribute('aria-busy');
    }
  }

  function showFilter(): void {
    filterNote.hidden = !tag;
    filterNote.replaceChildren(
      ...(tag ? [`Links tagged ${tag}. `, h('a', { href: profileHash(username) }, 'Show all their links')] : []),
    );
  }

  more.addEventListener('click', () => void loadLinks(true));

  showFilter();
  void loadHead();
  void loadLinks(false);
  return {
    element,
    update(params) {
      tag = params.get('tag') ?? '';
      linksGeneration++;
      showFilter();
      void loadLinks(false);
    },
    dispose() {
      generation++;
      linksGeneration++;
      alternate.remove();
    },
  };
}
