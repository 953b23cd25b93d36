/**
 * The bookmarklet: a bookmark whose address is a little script. Run on any
 * page, it opens this Delinkcious's /save in a small window with the page's
 * address, title and the selected text (as the description); where popups
 * are blocked it goes to /save in the same tab (without popup=1, so it stays
 * open after saving). It runs on other sites, under
 * their rules, so it uses nothing of theirs but location, title and selection
 * (the script itself: bookmarklet-code.ts).
 */
import { bookmarkletHref } from '../bookmarklet-code.ts';
import { h } from '../dom.ts';
import { announce } from '../status.ts';

/** The settings card offering it, with a word on the phone's share sheet. */
export function quickSaveSection(origin = location.origin): HTMLElement {
  const bookmarklet = h(
    'a',
    {
      class: 'button primary bookmarklet',
      href: bookmarkletHref(origin),
      draggable: 'true',
      title: 'Drag me to your bookmarks bar',
      // Here it would only run against this page's own rules (and do nothing useful).
      onclick: (event: Event) => {
        event.preventDefault();
        announce('Drag “Save to Delinkcious” to your bookmarks bar, then click it on any page you want to save.');
      },
    },
    'Save to Delinkcious',
  );
  return h(
    'section',
    { class: 'card settings-section quick-save-section', 'aria-labelledby': 'quick-save-title' },
    h('h2', { id: 'quick-save-title' }, 'Quick save'),
    h('p', {}, 'Drag this button to your bookmarks bar:'),
    h('p', { class: 'bookmarklet-row' }, bookmarklet),
    h(
      'p',
      { class: 'hint' },
      'On any page, click it to save that page: a small window opens with its address and title filled in. Select some text first to use it as the description.',
    ),
    h(
      'p',
      { class: 'hint' },
      'On a phone, install Delinkcious (your browser’s “Add to Home screen” or “Install app”): it then appears in the share sheet, and sharing a page to it saves it. ',
      h('a', { href: '/save' }, 'The save page'),
      ' works on its own too.',
    ),
  );
}
