/**
 * Settings: whether new links start private (default_private, saved with
 * PUT /v1/settings as soon as the switch changes) and, where the API has
 * feeds, your news feed's URL (its own section, feed-url.ts); the quick-save
 * bookmarklet (bookmarklet.ts).
 */
import { api, type Settings } from '../api.ts';
import { h } from '../dom.ts';
import { messageOf } from '../forms.ts';
import { latestLoad, loadFailurePanel } from '../loading.ts';
import { announce } from '../status.ts';
import { rememberSettings } from '../user-settings.ts';
import type { View } from '../view.ts';
import { feedSection } from './feed-url.ts';
import { quickSaveSection } from './bookmarklet.ts';

function privacySection(initial: Settings): HTMLElement {
  const toggle = h('input', { name: 'default_private', type: 'checkbox', role: 'switch', 'aria-describedby': 'default-private-hint' });
  toggle.checked = initial.default_private === true;
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  let busy = false;
  toggle.addEventListener('change', () => {
    if (busy) {
      toggle.checked = !toggle.checked; // one change at a time
      return;
    }
    busy = true;
    error.hidden = true;
    const wanted = toggle.checked;
    toggle.setAttribute('aria-busy', 'true');
    api
      .updateSettings({ default_private: wanted })
      .then((saved) => {
        rememberSettings(saved);
        toggle.checked = saved.default_private;
        announce(saved.default_private ? 'New links are now private unless you say otherwise.' : 'New links are now public unless you say otherwise.');
      })
      .catch((failure: unknown) => {
        toggle.checked = !wanted;
        error.textContent = `Not saved: ${messageOf(failure)}`;
        error.hidden = false;
      })
      .finally(() => {
        busy = false;
        toggle.removeAttribute('aria-busy');
      });
  });
  return h(
    'section',
    { class: 'card settings-section', 'aria-labelledby': 'privacy-title' },
    h('h2', { id: 'privacy-title' }, 'New links'),
    h('label', { class: 'switch' }, toggle, ' Make new links private'),
    h(
      'p',
      { class: 'hint', id: 'default-private-hint' },
      'Where the add form’s privacy switch starts. A private link is seen by you only: not in your followers’ news, your profile, feeds or popular lists.',
    ),
    error,
  );
}

export function settingsView(): View {
  const content = h('div', { class: 'stack' });
  const error = loadFailurePanel();
  const element = h(
    'section',
    { class: 'view settings-view', 'aria-labelledby': 'view-title' },
    h('div', { class: 'view-head' }, h('h1', { id: 'view-title', tabindex: '-1' }, 'Settings')),
    error,
    content,
  );

  const { load, dispose } = latestLoad({
    screen: element,
    panel: error,
    what: 'Your settings',
    fetch: () => api.settings(),
    show(settings) {
      rememberSettings(settings);
      content.replaceChildren(privacySection(settings), feedSection(settings) ?? '', quickSaveSection());
    },
  });

  void load();
  return { element, dispose };
}
