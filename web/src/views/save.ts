/**
 * /save?url=&title=&description= (and a share sheet's text=): the quick-save
 * page the bookmarklet and the installed app open. Compact, pre-filled, one
 * form. A URL you already saved opens that link for editing instead (found
 * with url_regex=^<the URL>$; a 409 on saving means the service knows it in
 * another form and is shown on the URL field). After saving it says so, links
 * to your list and, opened as a popup, closes itself. Signing in first (when
 * needed) is the app's: the sign-in screen brings you back to this same URL.
 */
import { limits } from '@delinkcious/object-model';
import { ApiError, api, parseTags, tagsOf, type Link, type Session } from '../api.ts';
import { field, h, time } from '../dom.ts';
import { onSubmit } from '../forms.ts';
import { sharedLink, type SharedLink } from '../share-params.ts';
import { statusRegion } from '../status.ts';
import { defaultPrivate } from '../user-settings.ts';
import { linkErrors } from './link-form.ts';
import '../quick-save.css';

/** How many pages of 100 to look through for the URL before taking it as new (the regex has a time budget per page). */
const maxLookupPages = 5;
/** How long "Saved" shows in a popup before it closes itself. */
const closeDelayMs = 1500;

export function isSavePage(): boolean {
  return location.pathname === '/save';
}

/** RE2 (and JavaScript) syntax characters, escaped: the URL matched as itself. */
export function exactPattern(url: string): string {
  return `^${url.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}$`;
}

/** Your link with exactly this URL, if you saved it. */
async function findSaved(url: string): Promise<Link | undefined> {
  let token: string | undefined;
  for (let page = 0; page < maxLookupPages; page++) {
    const answer = await api.links({ url_regex: exactPattern(url) }, token, 100);
    const found = answer.links.find((link) => link.Url === url);
    if (found) return found;
    if (!answer.next_page_token) return undefined;
    token = answer.next_page_token;
  }
  return undefined;
}

/**
 * Opened as a popup (the bookmarklet's window.open, which adds popup=1): it may
 * close itself. The gateway's Cross-Origin-Opener-Policy cuts the page that
 * opened it off (window.opener is null), hence the parameter.
 */
function isPopup(): boolean {
  return new URLSearchParams(location.search).get('popup') === '1' || (window.opener !== null && window.opener !== undefined);
}

/** The whole quick-save screen, for a signed-in person. */
export function savePage(session: Session): HTMLElement {
  const shared = sharedLink(new URLSearchParams(location.search));
  const content = h('div', { class: 'save-content', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Looking for it among your links…'));
  const heading = h('h1', { id: 'save-title', tabindex: '-1' }, 'Save a link');
  const main = h(
    'main',
    { id: 'main', class: 'save-page', tabindex: '-1' },
    h('section', { class: 'card save-card', 'aria-labelledby': 'save-title' }, heading, content),
  );
  const header = h(
    'header',
    { class: 'topbar save-topbar' },
    h(
      'div',
      { class: 'topbar-inner' },
      h('a', { class: 'brand-link', href: '/#/links', 'aria-label': 'Delinkcious, your links' }, h('span', { class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'Delinkcious')),
      h('span', { class: 'who' }, h('span', { class: 'visually-hidden' }, 'Signed in as '), session.username),
    ),
  );
  document.title = 'Save a link — Delinkcious';

  const show = (...children: Array<Node | string | null>) => content.replaceChildren(...children.filter((child) => child !== null));
  const start = async () => {
    if (!shared.url) {
      show(await linkForm(shared, undefined));
      return;
    }
    try {
      const saved = await findSaved(shared.url);
      if (saved) heading.textContent = 'Edit your saved link';
      show(await linkForm(shared, saved));
    } catch (error) {
      // The lookup failed (a bad URL for a regex, the service away): offer the plain form; saving still checks duplicates.
      show(await linkForm(shared, undefined, error));
    }
  };

  async function linkForm(prefill: SharedLink, saved: Link | undefined, lookupError?: unknown): Promise<HTMLElement> {
    const url = h('input', { name: 'url', type: 'url', inputmode: 'url', autocomplete: 'off', required: true, maxlength: limits.urlLength, spellcheck: 'false' });
    const title = h('input', { name: 'title', maxlength: limits.titleLength });
    const description = h('textarea', { name: 'description', rows: 3, maxlength: limits.descriptionLength });
    const tags = h('input', { name: 'tags', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
    const isPrivate = h('input', { name: 'private', type: 'checkbox', role: 'switch' });
    if (saved) {
      url.value = saved.Url;
      title.value = saved.Title || prefill.title.slice(0, limits.titleLength);
      description.value = saved.Description || prefill.description.slice(0, limits.descriptionLength);
      tags.value = tagsOf(saved).join(' ');
      isPrivate.checked = saved.Private === true;
    } else {
      url.value = prefill.url;
      title.value = prefill.title.slice(0, limits.titleLength);
      description.value = prefill.description.slice(0, limits.descriptionLength);
      isPrivate.checked = await defaultPrivate().catch(() => false);
    }
    const form = h(
      'form',
      { class: 'stack link-form save-form' },
      saved ? h('p', { class: 'notice already-saved' }, 'You already saved this link ', time(saved.CreatedAt, 'on '), ': change it here.') : null,
      lookupError ? h('p', { class: 'hint' }, 'Could not look through your links first; saving still tells you if you already have it.') : null,
      field({ label: 'URL', control: url }),
      field({ label: 'Title (optional)', control: title, hint: saved ? undefined : 'Left empty, the page’s own title is used once it is checked.' }),
      field({ label: 'Description (optional)', control: description }),
      field({ label: 'Tags (optional)', control: tags, hint: 'Separated by spaces or commas, e.g. "reading go".' }),
      h('label', { class: 'switch' }, isPrivate, ' Private: only you see it'),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'button', onclick: leave }, 'Cancel'),
        h('button', { type: 'submit', class: 'button primary' }, saved ? 'Save changes' : 'Save link'),
      ),
    );
    onSubmit(form, linkErrors, async () => {
      if (!saved) {
        let answer: { link?: Link };
        try {
          answer = await api.addLink({
            url: url.value.trim(),
            title: title.value.trim(),
            description: description.value,
            tags: parseTags(tags.value),
            private: isPrivate.checked,
          });
        } catch (error) {
          // Typed in here, or not found before: you have it already, so edit that one (else say so on the URL).
          const existing = error instanceof ApiError && error.status === 409 ? await findSaved(url.value.trim()).catch(() => undefined) : undefined;
          if (!existing) throw error;
          heading.textContent = 'Edit your saved link';
          show(await linkForm({ url: existing.Url, title: title.value.trim(), description: description.value }, existing));
          return;
        }
        done(answer.link, url.value.trim(), 'Saved');
        return;
      }
      const before = tagsOf(saved);
      const after = parseTags(tags.value);
      const newUrl = url.value.trim();
      if (title.value.trim() === '' && saved.Title !== '') throw new ApiError(400, 'title cannot be emptied here: write one, or keep the old one');
      const answer = await api.updateLink({
        url: saved.Url,
        new_url: newUrl !== saved.Url ? newUrl : undefined,
        title: title.value.trim() !== saved.Title ? title.value.trim() : undefined,
        description: description.value !== saved.Description ? description.value : undefined,
        add_tags: after.filter((tag) => !before.includes(tag)),
        remove_tags: before.filter((tag) => !after.includes(tag)),
        private: isPrivate.checked !== (saved.Private === true) ? isPrivate.checked : undefined,
      });
      done(answer.link, newUrl, 'Saved changes');
    });
    window.setTimeout(() => (saved || !prefill.url ? url : title).focus(), 0);
    return form;
  }

  function done(link: Link | undefined, url: string, what: string): void {
    heading.textContent = what;
    const popup = isPopup();
    show(
      h(
        'div',
        { class: 'saved', role: 'status' },
        h('p', { class: 'saved-line' }, h('span', { class: 'saved-mark', 'aria-hidden': 'true' }, '✓ '), `${what}: `, h('strong', {}, link?.Title || url)),
        h('p', { class: 'link-url' }, url),
        h(
          'p',
          { class: 'actions' },
          h('a', { class: 'button primary', href: '/#/links' }, 'Open your links'),
          popup ? h('button', { type: 'button', class: 'button', onclick: () => window.close() }, 'Close') : null,
        ),
        popup ? h('p', { class: 'hint' }, 'This window closes by itself.') : null,
      ),
    );
    heading.focus();
    if (popup) window.setTimeout(() => window.close(), closeDelayMs);
  }

  function leave(): void {
    if (isPopup()) window.close();
    else location.assign('/#/links');
  }

  void start();
  return h('div', { class: 'save-shell' }, header, main, statusRegion());
}
