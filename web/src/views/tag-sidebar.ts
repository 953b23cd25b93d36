/**
 * Your tags with how many links have each (GET /v1/tags, most used first),
 * beside the links. A tag toggles in and out of the filter (several combine:
 * links with all of them), pressed while it filters. "Manage tags" shows
 * Rename (merging into an existing tag, as the API does) and Delete (removes
 * the tag from every link, the links stay), each from a dialog.
 */
import { ApiError, api, type TagCount } from '../api.ts';
import { confirmDialog, openDialog } from '../dialog.ts';
import { field, h, hiddenText, uniqueId } from '../dom.ts';
import { onSubmit, type ErrorMapping } from '../forms.ts';
import { loadFailurePanel, showLoadFailure } from '../loading.ts';
import { announce } from '../status.ts';
import { limits } from '@delinkcious/object-model';

export interface TagSidebar {
  element: HTMLElement;
  load(): Promise<void>;
  /** The tags filtering now, shown pressed. */
  select(tags: string[]): void;
}

export interface TagSidebarOptions {
  onToggle(tag: string): void;
  /** After a rename or delete: the filter and the links shown change with it. */
  onRenamed(from: string, to: string): void;
  onDeleted(tag: string): void;
}

const renameErrors: ErrorMapping = { fields: { new_tag: ['new_tag', 'tag'] } };

/** More tags than this and the sidebar offers "Find a tag". */
const findAbove = 12;

const linksWord = (count: number): string => (count === 1 ? '1 link' : `${count} links`);

export function tagSidebar(options: TagSidebarOptions): TagSidebar {
  let tags: TagCount[] = [];
  let selected: string[] = [];
  let managing = false;
  let generation = 0;
  const headingId = uniqueId('tags-heading');
  const list = h('ul', { class: 'tag-counts', 'aria-labelledby': headingId });
  const empty = h('p', { class: 'muted small', hidden: true }, 'No tags yet. Tags you give links appear here.');
  const failure = loadFailurePanel();
  // A long list gets a finder (the tags already here, narrowed as one types).
  const finder = h('input', { type: 'search', id: uniqueId('find-tag'), autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
  const finderField = h('div', { class: 'field tag-finder', hidden: true }, h('label', { for: finder.id }, 'Find a tag'), finder);
  finder.addEventListener('input', () => render());
  const manage = h('button', { type: 'button', class: 'button subtle small', 'aria-pressed': 'false', onclick: () => setManaging(!managing) }, 'Manage tags');
  const element = h(
    'aside',
    { class: 'tag-sidebar', 'aria-labelledby': headingId },
    h('div', { class: 'tag-sidebar-head' }, h('h2', { id: headingId }, 'Tags'), manage),
    h('p', { class: 'hint' }, 'Pick several to see links with all of them.'),
    failure,
    empty,
    finderField,
    list,
  );

  function setManaging(on: boolean): void {
    managing = on;
    manage.setAttribute('aria-pressed', String(on));
    render();
  }

  function render(): void {
    empty.hidden = tags.length > 0;
    manage.hidden = tags.length === 0;
    finderField.hidden = tags.length <= findAbove;
    const wanted = finderField.hidden ? '' : finder.value.trim().toLowerCase();
    list.replaceChildren(
      ...tags
        .filter(({ tag }) => wanted === '' || tag.includes(wanted) || selected.includes(tag))
        .map(({ tag, count }) => {
          const on = selected.includes(tag);
          return h(
            'li',
            { 'data-tag': tag },
            h(
              'button',
              { type: 'button', class: 'tag-filter', 'aria-pressed': String(on), onclick: () => options.onToggle(tag) },
              h('span', { class: 'tag-name' }, tag),
              hiddenText(', '),
              h('span', { class: 'tag-count' }, String(count)),
              hiddenText(count === 1 ? ' link' : ' links'),
            ),
            managing
              ? h(
                  'span',
                  { class: 'tag-manage' },
                  h('button', { type: 'button', class: 'button small rename-tag', 'aria-label': `Rename tag ${tag}`, onclick: () => rename(tag, count) }, 'Rename'),
                  h('button', { type: 'button', class: 'button small danger-outline delete-tag', 'aria-label': `Delete tag ${tag}`, onclick: () => remove(tag, count) }, 'Delete'),
                )
              : null,
          );
        }),
    );
  }

  function rename(tag: string, count: number): void {
    openDialog(`Rename tag “${tag}”`, (handle) => {
      const input = h('input', { name: 'new_tag', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', required: true });
      input.value = tag;
      const form = h(
        'form',
        { class: 'stack' },
        field({ label: 'New name', control: input, hint: `On ${linksWord(count)}. An existing tag of that name is merged with it.` }),
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', class: 'button', onclick: () => handle.close() }, 'Cancel'),
          h('button', { type: 'submit', class: 'button primary' }, 'Rename'),
        ),
      );
      onSubmit(form, renameErrors, async () => {
        const to = input.value.trim().toLowerCase();
        if (to === '') throw new ApiError(400, 'new_tag is required');
        if (to.length > limits.tagLength) throw new ApiError(400, `new_tag is longer than ${limits.tagLength} characters`);
        if (to === tag) {
          handle.close();
          return;
        }
        await api.renameTag(tag, to);
        handle.close();
        announce(`Renamed tag “${tag}” to “${to}”.`);
        options.onRenamed(tag, to);
      });
      return form;
    });
  }

  function remove(tag: string, count: number): void {
    confirmDialog({
      title: 'Delete tag',
      message: ['Remove the tag “', h('strong', {}, tag), `” from ${linksWord(count)}? The links stay.`],
      confirmLabel: 'Delete tag',
      action: async () => {
        const answer = await api.deleteTag(tag);
        announce(`Removed tag “${tag}” from ${linksWord(answer.changed ?? count)}.`);
        options.onDeleted(tag);
      },
    });
  }

  async function load(): Promise<void> {
    const mine = ++generation;
    failure.hidden = true;
    try {
      const answer = await api.tags();
      if (mine !== generation) return;
      tags = answer.tags ?? [];
      render();
    } catch (error) {
      if (mine !== generation) return;
      showLoadFailure(failure, 'Your tags', error, load);
    }
  }

  return {
    element,
    load,
    select(next) {
      selected = next;
      for (const button of list.querySelectorAll<HTMLButtonElement>('.tag-filter')) {
        const tag = button.closest('li')?.getAttribute('data-tag') ?? '';
        button.setAttribute('aria-pressed', String(selected.includes(tag)));
      }
    },
  };
}
