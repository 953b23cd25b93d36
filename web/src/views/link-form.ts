/**
 * Adding a link, or editing one (URL, title, description, tags), in a dialog.
 * An edit sends only what changed: a new URL as new_url, tags as add_tags and
 * remove_tags, as PUT /v1/links takes them.
 */
import { limits } from '@delinkcious/object-model';
import { ApiError, api, parseTags, tagsOf, type Link } from '../api.ts';
import { openDialog } from '../dialog.ts';
import { field, h } from '../dom.ts';
import { onSubmit, type ErrorMapping } from '../forms.ts';
import { checkLengths, watchLength } from '../length-limits.ts';

export const linkErrors: ErrorMapping = {
  fields: {
    url: ['url', 'new_url'],
    title: ['title'],
    description: ['description'],
    tags: ['tags', 'add_tags', 'remove_tags'],
  },
  // 409: "you already saved <url>".
  byStatus: { 409: 'url' },
  byPattern: [[/\btags\b/, 'tags']],
};

export interface LinkFormOptions {
  /** The link to edit; absent, the form adds one. */
  link?: Link;
  /** A new link's fields to start from ("save to mine"), editable first. */
  prefill?: { url: string; title: string; description?: string; tags?: string[] };
  /** Where a new link's privacy switch starts: the user's default_private. */
  defaultPrivate?: boolean;
  /** After a save: the link as the API answered it (when it did), and whether anything changed. */
  onSaved(link: Link | undefined, changed: boolean): void;
}

export function openLinkForm(options: LinkFormOptions): void {
  const { link } = options;
  const editing = link !== undefined;
  openDialog(editing ? 'Edit link' : 'Add a link', (handle) => {
    // No maxlength (it cuts a paste silently): length-limits.ts says what is too long instead.
    const url = h('input', { name: 'url', type: 'url', inputmode: 'url', autocomplete: 'off', required: true, spellcheck: 'false' });
    const title = h('input', { name: 'title', required: true });
    const description = h('textarea', { name: 'description', rows: 3 });
    const tags = h('input', { name: 'tags', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' });
    // A switch (role=switch on a checkbox): on, the link is seen by you only.
    const isPrivate = h('input', { name: 'private', type: 'checkbox', role: 'switch' });
    isPrivate.checked = link ? link.Private === true : options.defaultPrivate === true;
    // A new link only: an existing one has its own Read later toggle on its card.
    const readLater = link ? null : h('input', { name: 'unread', type: 'checkbox', role: 'switch' });
    if (!link && options.prefill) {
      url.value = options.prefill.url;
      title.value = options.prefill.title;
      description.value = options.prefill.description ?? '';
      tags.value = (options.prefill.tags ?? []).join(' ');
    }
    if (link) {
      url.value = link.Url;
      title.value = link.Title;
      description.value = link.Description;
      tags.value = tagsOf(link).join(' ');
    }
    const form = h(
      'form',
      { class: 'stack link-form' },
      field({ label: 'URL', control: url, hint: editing ? 'Changing it checks the new address again.' : 'An http or https address.' }),
      field({ label: 'Title', control: title }),
      field({ label: 'Description (optional)', control: description }),
      field({ label: 'Tags (optional)', control: tags, hint: 'Separated by spaces or commas, e.g. "reading go".' }),
      h('label', { class: 'switch' }, isPrivate, ' Private: only you see it (not in your followers’ news, your profile or popular lists)'),
      readLater ? h('label', { class: 'switch' }, readLater, ' Read later: keep it in your Unread list') : null,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'button', onclick: () => handle.close() }, 'Cancel'),
        h('button', { type: 'submit', class: 'button primary' }, editing ? 'Save changes' : 'Save link'),
      ),
    );

    watchLength(form, url, limits.urlLength);
    watchLength(form, title, limits.titleLength);
    watchLength(form, description, limits.descriptionLength);
    onSubmit(form, linkErrors, async () => {
      checkLengths([
        ['url', url.value.trim(), limits.urlLength],
        ['title', title.value.trim(), limits.titleLength],
        ['description', description.value, limits.descriptionLength],
      ]);
      if (!link) {
        const answer = await api.addLink({
          url: url.value.trim(),
          title: title.value.trim(),
          description: description.value,
          tags: parseTags(tags.value),
          // Always sent: the switch started at the default, so the API need not look it up.
          private: isPrivate.checked,
          // Sent only when on: an API older than read-later refuses nothing then.
          ...(readLater?.checked && { unread: true }),
        });
        handle.close();
        options.onSaved(answer.link, true);
        return;
      }
      if (title.value.trim() === '') throw new ApiError(400, 'title is required');
      const before = tagsOf(link);
      const after = parseTags(tags.value);
      const change = {
        url: link.Url,
        new_url: url.value.trim() !== link.Url ? url.value.trim() : undefined,
        title: title.value.trim() !== link.Title ? title.value.trim() : undefined,
        description: description.value !== link.Description ? description.value : undefined,
        add_tags: after.filter((tag) => !before.includes(tag)),
        remove_tags: before.filter((tag) => !after.includes(tag)),
        private: isPrivate.checked !== (link.Private === true) ? isPrivate.checked : undefined,
      };
      const changed =
        change.new_url !== undefined ||
        change.title !== undefined ||
        change.description !== undefined ||
        change.private !== undefined ||
        change.add_tags.length > 0 ||
        change.remove_tags.length > 0;
      if (!changed) {
        handle.close();
        options.onSaved(link, false);
        return;
      }
      const answer = await api.updateLink(change);
      handle.close();
      options.onSaved(answer.link, true);
    });
    return form;
  });
}
