/**
 * The Delinkcious web UI: signed out, the sign-in screen; signed in, the app
 * shell (skip link, header with navigation and sign-out, the screen, a live
 * region) and the screens behind hash routes (#/links, #/news, #/people,
 * #/popular, #/tokens, #/settings). It uses the public API only.
 */
import './styles.css';
import { api, whenSignedOut, type LoginOptions, type Session } from './api.ts';
import { h } from './dom.ts';
import { messageOf } from './forms.ts';
import { announce, statusRegion } from './status.ts';
import { forgetSettings } from './user-settings.ts';
import type { View } from './view.ts';
import { linksView } from './views/links.ts';
import { newsView } from './views/news.ts';
import { peopleView } from './views/people.ts';
import { profileUsernameOf, profileView } from './views/profile.ts';
import { popularView } from './views/popular.ts';
import { settingsView } from './views/settings.ts';
import { signInView } from './views/signin.ts';
import { tokensView } from './views/tokens.ts';
import { importExportView } from './views/import-export.ts';
import { isSavePage, savePage } from './views/save.ts';
import { registerServiceWorker } from './pwa.ts';

const routes = [
  { path: '/links', label: 'Links', title: 'Your links' },
  { path: '/news', label: 'News', title: 'News' },
  { path: '/popular', label: 'Popular', title: 'Popular' },
  { path: '/people', label: 'People', title: 'People' },
  { path: '/import', label: 'Import', title: 'Import and export' },
  { path: '/tokens', label: 'API tokens', title: 'API tokens' },
  { path: '/settings', label: 'Settings', title: 'Settings' },
] as const;
type RoutePath = (typeof routes)[number]['path'];

const root = document.getElementById('app') ?? document.body;
let options: LoginOptions = { github: false, dev_login: false };
/** The screen shown: its route, or /u/{username} for a profile. */
let current: { path: string; view: View } | undefined;
let main: HTMLElement | undefined;
let navLinks = new Map<RoutePath, HTMLAnchorElement>();

function skipLink(): HTMLAnchorElement {
  // The hash belongs to the router: the skip link moves the focus itself.
  return h(
    'a',
    {
      class: 'skip-link',
      href: '#main',
      onclick: (event: Event) => {
        event.preventDefault();
        main?.focus();
      },
    },
    'Skip to content',
  );
}

function brand(): HTMLElement {
  return h('span', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'Delinkcious');
}

function parseHash(): { path: RoutePath; params: URLSearchParams } {
  const hash = location.hash.replace(/^#/, '');
  const [path = '', query = ''] = hash.split('?');
  const known = routes.find((route) => route.path === path);
  return { path: known?.path ?? '/links', params: new URLSearchParams(query) };
}

function viewFor(path: RoutePath, params: URLSearchParams, signedIn: Session): View {
  switch (path) {
    case '/news':
      return newsView();
    case '/popular':
      return popularView(params);
    case '/people':
      return peopleView({ session: signedIn });
    case '/import':
      return importExportView();
    case '/tokens':
      return tokensView();
    case '/settings':
      return settingsView();
    default:
      return linksView(params);
  }
}

function showRoute(focus: boolean): void {
  if (!main || !session) return;
  const { path, params } = parseHash();
  // #/u/{username}: someone's profile, a route of its own per person.
  const profileOf = profileUsernameOf(location.hash.replace(/^#/, '').split('?')[0] ?? '');
  const key = profileOf ? `/u/${profileOf.toLowerCase()}` : path;
  if (current?.path === key) {
    current.view.update?.(params);
    return;
  }
  current?.view.dispose?.();
  const view = profileOf ? profileView(profileOf, params, { session }) : viewFor(path, params, session);
  current = { path: key, view };
  main.replaceChildren(view.element);
  for (const [route, link] of navLinks) {
    if (route === key) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const route = routes.find((candidate) => candidate.path === key);
  document.title = `${profileOf ?? route?.title ?? 'Delinkcious'} — Delinkcious`;
  // A new screen: a screen reader starts at its heading.
  if (focus) view.element.querySelector<HTMLElement>('h1')?.focus();
}

let session: Session | undefined;

function renderApp(signedIn: Session): void {
  session = signedIn;
  forgetSettings(); // another person's, or older
  current?.view.dispose?.();
  current = undefined;
  navLinks = new Map(routes.map((route) => [route.path, h('a', { href: `#${route.path}` }, route.label)]));
  main = h('main', { id: 'main', tabindex: '-1' });
  const signOut = h('button', { type: 'button', class: 'button subtle sign-out' }, 'Sign out');
  signOut.addEventListener('click', () => {
    void api
      .signOut()
      .then(() => showSignIn('You are signed out.'))
      .catch((error: unknown) => announce(`Could not sign out: ${messageOf(error)}`, 'error'));
  });
  const header = h(
    'header',
    { class: 'topbar' },
    h('div', { class: 'topbar-inner' }, h('a', { class: 'brand-link', href: '#/links', 'aria-label': 'Delinkcious, your links' }, brand()), h('nav', { 'aria-label': 'Main' }, h('ul', {}, [...navLinks.values()].map((link) => h('li', {}, link)))), h('div', { class: 'account' }, h('span', { class: 'who', title: signedIn.name || signedIn.username }, h('span', { class: 'visually-hidden' }, 'Signed in as '), signedIn.username), signOut)),
  );
  root.replaceChildren(skipLink(), header, main, statusRegion());
  showRoute(false);
}

function showSignIn(notice?: string): void {
  current?.view.dispose?.();
  current = undefined;
  session = undefined;
  main = h('main', { id: 'main', tabindex: '-1' });
  main.append(signInView(options, start, notice));
  root.replaceChildren(skipLink(), h('header', { class: 'topbar' }, h('div', { class: 'topbar-inner' }, brand())), main, statusRegion());
  document.title = 'Sign in — Delinkcious';
  if (notice) announce(notice);
}

/** /save (bookmarklet, share sheet): its own compact screen, no navigation. */
function showSavePage(signedIn: Session): void {
  session = signedIn;
  current?.view.dispose?.();
  current = undefined;
  main = undefined;
  root.replaceChildren(savePage(signedIn));
}

async function start(): Promise<void> {
  try {
    const [loginOptions, signedIn] = await Promise.all([api.loginOptions(), api.session()]);
    options = loginOptions;
    if (signedIn && isSavePage()) showSavePage(signedIn);
    else if (signedIn) renderApp(signedIn);
    else showSignIn(isSavePage() ? 'Sign in to save this link: you come back here afterwards.' : undefined);
  } catch (error) {
    const retry = h('button', { type: 'button', class: 'button', onclick: () => void start() }, 'Try again');
    root.replaceChildren(
      h('main', { id: 'main', class: 'boot' }, h('h1', {}, 'Delinkcious is not answering'), h('p', { role: 'alert' }, messageOf(error)), retry),
    );
  }
}

whenSignedOut(() => {
  if (session) showSignIn('Your session has ended: please sign in again.');
});
window.addEventListener('hashchange', () => {
  // The skip link's own "#main" is not a route.
  if (location.hash.startsWith('#/') || location.hash === '') showRoute(true);
});
registerServiceWorker();
void start();
