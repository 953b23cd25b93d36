/**
 * The sign-in screen: GitHub (a plain link to /login, which goes to GitHub and
 * comes back with a session cookie), and the local sign-in when the server
 * offers it (DEV_LOGIN, embedded mode on one's own machine).
 */
import { limits } from '@delinkcious/object-model';
import { api, type LoginOptions } from '../api.ts';
import { field, h } from '../dom.ts';
import { onSubmit } from '../forms.ts';
import { watchLength } from '../length-limits.ts';

export function signInView(options: LoginOptions, onSignedIn: () => Promise<void>, notice?: string): HTMLElement {
  const github = options.github
    ? h(
        'a',
        { class: 'button primary github', href: gitHubSignInHref() },
        gitHubMark(),
        'Sign in with GitHub',
      )
    : null;

  let local: HTMLElement | null = null;
  if (options.dev_login) {
    const username = h('input', {
      name: 'username',
      required: true,
      autocomplete: 'username',
      autocapitalize: 'none',
      spellcheck: 'false',
    });
    const form = h(
      'form',
      { class: 'stack', 'aria-labelledby': 'local-signin-title' },
      h('h2', { id: 'local-signin-title' }, 'Local sign-in'),
      h('p', { class: 'muted' }, 'For this machine only: pick a username. It is like a GitHub login — letters, digits and single hyphens.'),
      field({ label: 'Username', control: username }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: options.github ? 'button' : 'button primary' }, 'Sign in')),
    );
    watchLength(form, username, limits.usernameLength);
    onSubmit(form, { fields: { username: ['username'] } }, async () => {
      await api.devSignIn(username.value.trim());
      await onSignedIn();
    });
    local = form;
  }

  const none =
    !options.github && !options.dev_login
      ? h(
          'p',
          { class: 'form-error', role: 'alert' },
          'Sign-in is not configured on this server: its operator sets GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET (or DEV_LOGIN=true on a personal machine).',
        )
      : null;

  return h(
    'div',
    { class: 'signin' },
    h(
      'section',
      { class: 'card signin-card', 'aria-labelledby': 'signin-title' },
      h('h1', { id: 'signin-title', tabindex: '-1' }, 'Sign in to Delinkcious'),
      h('p', { class: 'lead' }, 'Save links with tags, find them again, and follow what other people save.'),
      notice ? h('p', { class: 'notice' }, notice) : null,
      github,
      github && local ? h('p', { class: 'divider' }, h('span', {}, 'or')) : null,
      local,
      none,
    ),
  );
}

/** A cookie holds the way back through GitHub: the gateway takes up to this many characters. */
const maxReturnPath = 3000;

/**
 * /login, with the page to come back to (`next`) when it is not the start page:
 * /save?url=… (the bookmarklet, the share sheet) or a screen like #/u/bob.
 * Too long for the trip (a long selection as description), the description goes.
 */
function gitHubSignInHref(): string {
  let back = `${location.pathname}${location.search}${location.hash}`;
  if (back.length > maxReturnPath) {
    const params = new URLSearchParams(location.search);
    params.delete('description');
    params.delete('text');
    back = `${location.pathname}?${params.toString()}`.slice(0, maxReturnPath);
  }
  return back === '/' ? '/login' : `/login?next=${encodeURIComponent(back)}`;
}

/** GitHub's mark, drawn as SVG nodes (no inline markup, no external image). */
function gitHubMark(): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const icon = document.createElementNS(ns, 'svg');
  icon.setAttribute('viewBox', '0 0 16 16');
  icon.setAttribute('aria-hidden', 'true');
  icon.setAttribute('class', 'github-mark');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('fill', 'currentColor');
  path.setAttribute(
    'd',
    'M8 0C3.58 0 0 3.58 0 8c0 3.54 2.29 6.53 5.47 7.59.4.07.55-.17.55-.38 0-.19-.01-.82-.01-1.49-2.01.37-2.53-.49-2.69-.94-.09-.23-.48-.94-.82-1.13-.28-.15-.68-.52-.01-.53.63-.01 1.08.58 1.23.82.72 1.21 1.87.87 2.33.66.07-.52.28-.87.51-1.07-1.78-.2-3.64-.89-3.64-3.95 0-.87.31-1.59.82-2.15-.08-.2-.36-1.02.08-2.12 0 0 .67-.21 2.2.82.64-.18 1.32-.27 2-.27.68 0 1.36.09 2 .27 1.53-1.04 2.2-.82 2.2-.82.44 1.1.16 1.92.08 2.12.51.56.82 1.27.82 2.15 0 3.07-1.87 3.75-3.65 3.95.29.25.54.73.54 1.48 0 1.07-.01 1.93-.01 2.2 0 .21.15.46.55.38A8.013 8.013 0 0016 8c0-4.42-3.58-8-8-8z',
  );
  icon.append(path);
  return icon;
}
