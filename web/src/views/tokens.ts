/**
 * Personal API tokens: create one, read-only or read-write (its secret is
 * shown this once, with a copy button), list them (names, scopes and dates,
 * never secrets), revoke one.
 */
import { limits } from '@delinkcious/object-model';
import { api, type ApiToken, type TokenScope } from '../api.ts';
import { copy } from '../clipboard.ts';
import { confirmDialog } from '../dialog.ts';
import { field, h, time } from '../dom.ts';
import { onSubmit } from '../forms.ts';
import { watchLength } from '../length-limits.ts';
import { latestLoad, loadFailurePanel } from '../loading.ts';
import { announce } from '../status.ts';
import type { View } from '../view.ts';

const scopeLabels: Record<TokenScope, string> = { write: 'Read and write', read: 'Read only' };

export function tokensView(): View {
  const name = h('input', { name: 'name', autocomplete: 'off', placeholder: 'e.g. my laptop script' });
  const scope = h(
    'select',
    { name: 'scope' },
    (['write', 'read'] as const).map((value) => h('option', { value }, scopeLabels[value])),
  );
  const createForm = h(
    'form',
    { class: 'inline-form card', 'aria-labelledby': 'create-token-title' },
    h('h2', { id: 'create-token-title' }, 'Create a token'),
    field({ label: 'What is it for?', control: name }),
    field({
      label: 'What may it do?',
      control: scope,
      hint: 'A read-only token can list your links, follows and news, and change nothing.',
      beside: h('button', { type: 'submit', class: 'button primary' }, 'Create token'),
    }),
  );
  const secretPanel = h('div', { class: 'secret-panel', hidden: true });
  const list = h('ul', { class: 'token-list', 'aria-labelledby': 'tokens-title' });
  const error = loadFailurePanel();
  const element = h(
    'section',
    { class: 'view tokens-view', 'aria-labelledby': 'view-title' },
    h('div', { class: 'view-head' }, h('h1', { id: 'view-title', tabindex: '-1' }, 'API tokens')),
    h(
      'p',
      { class: 'lead' },
      'A token lets a script use the API as you. Send it as the ',
      h('code', {}, 'Access-Token'),
      ' header or as ',
      h('code', {}, 'Authorization: Bearer …'),
      '. Revoke one you no longer use.',
    ),
    createForm,
    secretPanel,
    h('section', { class: 'card' }, h('h2', { id: 'tokens-title' }, 'Your tokens'), error, list),
  );

  watchLength(createForm, name, limits.tokenNameLength);
  onSubmit(createForm, { fields: { name: ['name'], scope: ['scope'] } }, async () => {
    const created = await api.createToken(name.value.trim(), scope.value as TokenScope);
    name.value = '';
    scope.value = 'write';
    showSecret(created.access_token, created.token.name);
    await load();
  });

  function showSecret(secret: string, tokenName: string): void {
    const secretField = h('input', { id: 'new-token-secret', readonly: true, value: secret, spellcheck: 'false', class: 'secret' });
    secretField.addEventListener('focus', () => secretField.select());
    const copied = h('span', { class: 'copied muted', 'aria-hidden': 'true' });
    const copyButton = h('button', { type: 'button', class: 'button primary' }, 'Copy');
    copyButton.addEventListener('click', () => {
      void copy(secret, secretField).then((ok) => {
        copied.textContent = ok ? 'Copied' : '';
        announce(ok ? 'Token copied to the clipboard.' : 'Could not copy: select the token and copy it yourself.', ok ? 'ok' : 'error');
        copyButton.focus();
      });
    });
    const done = h('button', { type: 'button', class: 'button' }, 'Done');
    done.addEventListener('click', () => {
      secretPanel.hidden = true;
      secretPanel.replaceChildren();
      name.focus();
    });
    secretPanel.replaceChildren(
      h('h2', { id: 'secret-title', tabindex: '-1' }, `Your new token “${tokenName}”`),
      h('p', { class: 'warning' }, 'Copy it now: it will not be shown again.'),
      h('label', { for: secretField.id, class: 'visually-hidden' }, 'The new token'),
      h('div', { class: 'secret-row' }, secretField, copyButton, copied),
      h('div', { class: 'actions' }, done),
    );
    secretPanel.setAttribute('role', 'region');
    secretPanel.setAttribute('aria-labelledby', 'secret-title');
    secretPanel.hidden = false;
    secretField.focus();
    announce('Token created. Copy it now: it will not be shown again.');
  }

  function tokenRow(token: ApiToken): HTMLLIElement {
    const revoke = h('button', { type: 'button', class: 'button small danger-outline', 'aria-label': `Revoke ${token.name}` }, 'Revoke');
    revoke.addEventListener('click', () =>
      confirmDialog({
        title: 'Revoke token',
        message: ['Revoke “', h('strong', {}, token.name), '”? Scripts using it will be refused from now on.'],
        confirmLabel: 'Revoke',
        action: async () => {
          await api.revokeToken(token.id);
          announce(`Revoked “${token.name}”.`);
          await load();
          window.setTimeout(() => name.focus(), 0);
        },
      }),
    );
    return h(
      'li',
      { class: 'token', 'data-token-id': token.id },
      h(
        'div',
        { class: 'token-main' },
        h('strong', { class: 'token-name' }, token.name),
        h('span', { class: `token-scope scope-${token.scope}` }, scopeLabels[token.scope] ?? token.scope),
        h('span', { class: 'muted small' }, time(token.created_at, 'Created '), ' · ', token.last_used_at ? time(token.last_used_at, 'last used ') : 'never used'),
      ),
      revoke,
    );
  }

  const { load, dispose } = latestLoad({
    screen: element,
    panel: error,
    what: 'Your tokens',
    fetch: () => api.tokens(),
    show(answer) {
      const tokens = [...answer.tokens].sort((a, b) => b.created_at.localeCompare(a.created_at));
      list.replaceChildren(...tokens.map(tokenRow));
      if (tokens.length === 0) list.append(h('li', { class: 'muted empty-row' }, 'You have no API tokens.'));
    },
  });

  void load();
  return { element, dispose };
}
