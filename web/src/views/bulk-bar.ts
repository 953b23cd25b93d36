/**
 * Select mode's action bar: how many links are selected, and what to do to
 * all of them at once (POST /v1/links/bulk, atomic: all change or none).
 * Tags to add or remove are asked in a dialog; Delete is confirmed. A
 * filtered view may instead apply to every link it matches, on every page
 * (`{"q"}`: up to 10,000, the API refuses more), always after a confirmation.
 */
import { ApiError, api, parseTags, type BulkAction } from '../api.ts';
import { confirmDialog, openDialog } from '../dialog.ts';
import { field, h, uniqueId } from '../dom.ts';
import { messageOf, onSubmit, type ErrorMapping } from '../forms.ts';
import { announce } from '../status.ts';

/** The API's limit for one call. */
export const bulkMaxUrls = 1000;

export interface BulkBar {
  element: HTMLElement;
  /** The number selected changed. */
  update(): void;
}

export interface BulkBarOptions {
  selected(): string[];
  selectAllShown(): void;
  clearSelection(): void;
  /** Leaves select mode. */
  done(): void;
  /** After an action changed links: reload what is shown. */
  changed(action: BulkAction, count: number): void;
  /** The view as one query and in words ("links tagged “go”"); undefined when it is not filtered. */
  matching(): { q: string; words: string } | undefined;
}

const tagErrors: ErrorMapping = { fields: { tags: ['tags'] }, byPattern: [[/\btags?\b/, 'tags']] };

const linksWord = (count: number): string => (count === 1 ? '1 link' : `${count} links`);

const actionWords: Record<BulkAction, string> = {
  add_tags: 'Add tags to',
  remove_tags: 'Remove tags from',
  set_private: 'Make private',
  set_public: 'Make public',
  mark_read: 'Mark read',
  mark_unread: 'Mark unread',
  delete: 'Delete',
};

const doneWords: Record<BulkAction, string> = {
  add_tags: 'Tagged',
  remove_tags: 'Untagged',
  set_private: 'Made private',
  set_public: 'Made public',
  mark_read: 'Marked read',
  mark_unread: 'Marked unread',
  delete: 'Deleted',
};

export function bulkBar(options: BulkBarOptions): BulkBar {
  const count = h('p', { class: 'bulk-count', 'aria-live': 'polite' });
  // What the actions apply to: the links ticked, or everything the view matches.
  const scopeName = uniqueId('bulk-scope');
  const scopeSelected = h('input', { type: 'radio', name: scopeName, value: 'selected', checked: true });
  const scopeMatching = h('input', { type: 'radio', name: scopeName, value: 'matching' });
  const matchingLabel = h('span', {});
  const scope = h(
    'fieldset',
    { class: 'bulk-scope', hidden: true },
    h('legend', {}, 'Apply to'),
    h('label', {}, scopeSelected, ' the links selected'),
    h('label', {}, scopeMatching, ' ', matchingLabel),
  );
  scope.addEventListener('change', () => update());
  /** The query when the actions apply to everything matching, else undefined. */
  const matchingQuery = (): { q: string; words: string } | undefined => (scopeMatching.checked && !scope.hidden ? options.matching() : undefined);
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const actions: HTMLButtonElement[] = [];
  const action = (label: string, run: () => void, extra = ''): HTMLButtonElement => {
    const button = h('button', { type: 'button', class: `button small ${extra}`.trim(), onclick: () => run() }, label);
    actions.push(button);
    return button;
  };
  const element = h(
    'div',
    { class: 'bulk-bar', role: 'region', 'aria-label': 'Selected links' },
    count,
    scope,
    h(
      'div',
      { class: 'bulk-actions' },
      action('Add tags…', () => askTags('add_tags')),
      action('Remove tags…', () => askTags('remove_tags')),
      action('Mark read', () => void run('mark_read')),
      action('Mark unread', () => void run('mark_unread')),
      action('Make private', () => void run('set_private')),
      action('Make public', () => void run('set_public')),
      action('Delete…', () => confirmDelete(), 'danger-outline'),
    ),
    h(
      'div',
      { class: 'bulk-selection' },
      h('button', { type: 'button', class: 'button subtle small', onclick: () => options.selectAllShown() }, 'Select all shown'),
      h('button', { type: 'button', class: 'button subtle small', onclick: () => options.clearSelection() }, 'Clear selection'),
      h('button', { type: 'button', class: 'button small', onclick: () => options.done() }, 'Done'),
    ),
    error,
  );

  function urls(): string[] {
    const selected = options.selected();
    if (selected.length === 0) throw new ApiError(400, 'Select some links first (the box on each link, or x).');
    if (selected.length > bulkMaxUrls) throw new ApiError(400, `At most ${bulkMaxUrls} links at once: ${selected.length} are selected.`);
    return selected;
  }

  async function send(act: BulkAction, tags?: string[]): Promise<void> {
    const matching = matchingQuery();
    const answer = await api.bulk({ ...(matching ? { q: matching.q } : { urls: urls() }), action: act, tags });
    announce(`${doneWords[act]} ${linksWord(answer.changed)}.`);
    options.changed(act, answer.changed);
  }

  async function run(act: BulkAction): Promise<void> {
    const matching = matchingQuery();
    if (matching) {
      confirmAll(act, matching.words);
      return;
    }
    error.hidden = true;
    for (const button of actions) button.setAttribute('aria-disabled', 'true');
    try {
      await send(act);
    } catch (failure) {
      error.textContent = messageOf(failure);
      error.hidden = false;
    } finally {
      for (const button of actions) button.removeAttribute('aria-disabled');
    }
  }

  /** Everything the view matches, maybe thousands on pages not seen: asked first. */
  function confirmAll(act: BulkAction, words: string): void {
    confirmDialog({
      title: 'Change every matching link',
      message: `${actionWords[act]} all ${words}, on every page? At most 10,000 at once; nothing changes if there are more.`,
      confirmLabel: actionWords[act],
      action: () => send(act),
    });
  }

  function guard(open: () => void): void {
    error.hidden = true;
    try {
      if (!matchingQuery()) urls();
      open();
    } catch (failure) {
      error.textContent = messageOf(failure);
      error.hidden = false;
    }
  }

  function askTags(act: 'add_tags' | 'remove_tags'): void {
    guard(() => {
      const matching = matchingQuery();
      const what = matching ? `all ${matching.words}` : linksWord(options.selected().length);
      openDialog(`${actionWords[act]} ${what}`, (handle) => {
        const input = h('input', { name: 'tags', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', required: true });
        const form = h(
          'form',
          { class: 'stack' },
          field({ label: 'Tags', control: input, hint: 'Separated by spaces or commas.' }),
          h(
            'div',
            { class: 'actions' },
            h('button', { type: 'button', class: 'button', onclick: () => handle.close() }, 'Cancel'),
            h('button', { type: 'submit', class: 'button primary' }, act === 'add_tags' ? 'Add tags' : 'Remove tags'),
          ),
        );
        onSubmit(form, tagErrors, async () => {
          const tags = parseTags(input.value);
          if (tags.length === 0) throw new ApiError(400, 'tags: give at least one tag');
          await send(act, tags);
          handle.close();
        });
        return form;
      });
    });
  }

  function confirmDelete(): void {
    const matching = matchingQuery();
    if (matching) {
      confirmAll('delete', matching.words);
      return;
    }
    guard(() => {
      const n = options.selected().length;
      confirmDialog({
        title: 'Delete links',
        message: `Delete ${linksWord(n)}? This cannot be undone.`,
        confirmLabel: `Delete ${linksWord(n)}`,
        action: () => send('delete'),
      });
    });
  }

  function update(): void {
    const matching = options.matching();
    scope.hidden = matching === undefined;
    if (matching) matchingLabel.textContent = `all ${matching.words}, on every page`;
    const n = options.selected().length;
    count.textContent = matchingQuery() ? `All ${matching!.words}` : n === 0 ? 'No links selected' : `${linksWord(n)} selected`;
  }
  update();
  return { element, update };
}
