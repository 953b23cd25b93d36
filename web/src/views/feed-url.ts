/**
 * The settings screen's news-feed section: your private news feed (Atom) at
 * /feeds/news/{feed_token}. The token is kept as a hash, so its URL is shown
 * only in the answer that made it (copy it then); "New feed URL" makes one and
 * the old URL stops working.
 */
import { api, type Settings } from '../api.ts';
import { copy } from '../clipboard.ts';
import { confirmDialog } from '../dialog.ts';
import { h, time } from '../dom.ts';
import { messageOf } from '../forms.ts';
import { announce } from '../status.ts';

/** The section, or null when the API has no feeds (its settings answer has no feed_url). */
export function feedSection(initial: Settings): HTMLElement | null {
  if (initial.feed_url === undefined) return null;
  const body = h('div', { class: 'stack' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const section = h(
    'section',
    { class: 'card settings-section feed-section', 'aria-labelledby': 'feed-title' },
    h('h2', { id: 'feed-title' }, 'Your news feed'),
    h('p', { class: 'muted' }, 'Read your news in a feed reader. Its address is secret: anyone who has it can read your news.'),
    body,
    error,
  );

  function render(settings: Settings, focus = false): void {
    const made = settings.feed_token_created_at ?? '';
    const button = h('button', { type: 'button', class: 'button' }, made ? 'New feed URL' : 'Make a feed URL');
    button.addEventListener('click', () => {
      if (made) {
        confirmDialog({
          title: 'New feed URL',
          message: 'Make a new feed URL? The one you have now stops working.',
          confirmLabel: 'Make a new one',
          action: remake,
        });
      } else void remake().catch(showFailure);
    });
    const parts: Array<HTMLElement | string> = [];
    if (settings.feed_url) {
      const url = new URL(settings.feed_url, location.origin).href;
      const urlField = h('input', { id: 'feed-url', readonly: true, value: url, spellcheck: 'false', class: 'secret' });
      urlField.addEventListener('focus', () => urlField.select());
      const copyButton = h('button', { type: 'button', class: 'button primary' }, 'Copy');
      copyButton.addEventListener('click', () => {
        void copy(url, urlField).then((ok) => {
          announce(ok ? 'Feed URL copied to the clipboard.' : 'Could not copy: select the URL and copy it yourself.', ok ? 'ok' : 'error');
          copyButton.focus();
        });
      });
      parts.push(
        h('p', { class: 'warning' }, 'Copy it now: it will not be shown again.'),
        h('label', { for: urlField.id }, 'Your feed URL'),
        h('div', { class: 'secret-row' }, urlField, copyButton),
      );
      // After a confirming dialog has closed and given the focus back.
      if (focus) window.setTimeout(() => urlField.focus(), 0);
    } else if (made) {
      parts.push(h('p', {}, 'You made a feed URL ', time(made), '. It is shown only when made: if you lost it, make a new one.'));
    } else {
      parts.push(h('p', {}, 'You have no feed URL yet.'));
    }
    body.replaceChildren(...parts, h('div', { class: 'actions' }, button));
  }

  function showFailure(failure: unknown): void {
    error.textContent = `The feed URL could not be made: ${messageOf(failure)}`;
    error.hidden = false;
  }

  async function remake(): Promise<void> {
    error.hidden = true;
    const settings = await api.newFeedToken();
    render(settings, true);
    announce('A new feed URL is made; the old one no longer works.');
  }

  render(initial);
  return section;
}
