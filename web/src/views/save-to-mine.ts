/**
 * "Save to mine": someone else's link (from the news, the popular list or a
 * profile) copied into your own links through the add form, pre-filled with
 * its title, description and tags so they can be changed before saving.
 */
import { api, tagsOf, type Link } from '../api.ts';
import { h } from '../dom.ts';
import { announce } from '../status.ts';
import { defaultPrivate } from '../user-settings.ts';
import { openLinkForm } from './link-form.ts';

export interface Source {
  url: string;
  title: string;
  /** Whose public link to copy the description and tags from, when they are not known here. */
  savedBy?: string;
  /** The link itself, when the screen has it (a profile page): nothing to look up. */
  link?: Link;
}

/** RE2 matching exactly this text. */
function exactly(text: string): string {
  return `^${text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}$`;
}

/**
 * The public link `source.savedBy` saved at that URL, for its description and
 * tags; none when it cannot be read (profiles off, the link since made private
 * or deleted, a URL too long for a pattern): the URL and title are enough.
 */
async function lookUp(source: Source): Promise<Link | undefined> {
  if (source.link) return source.link;
  if (!source.savedBy) return undefined;
  try {
    const page = await api.userLinks(source.savedBy, { url_regex: exactly(source.url) }, undefined, 1);
    return page.links.find((link) => link.Url === source.url);
  } catch {
    return undefined;
  }
}

export async function saveToMine(source: Source): Promise<void> {
  const [found, isPrivate] = await Promise.all([lookUp(source), defaultPrivate()]);
  openLinkForm({
    defaultPrivate: isPrivate,
    prefill: {
      url: source.url,
      title: found?.Title || source.title,
      description: found?.Description ?? '',
      tags: found ? tagsOf(found) : [],
    },
    onSaved: (link) => announce(`Saved “${link?.Title ?? source.title}” to your links.`),
  });
}

/** The button for a listed link; its accessible name says which link. */
export function saveToMineButton(source: Source): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'button small save-to-mine', 'aria-label': `Save ${source.title || source.url} to my links` }, 'Save to mine');
  button.addEventListener('click', () => {
    if (button.getAttribute('aria-disabled') === 'true') return;
    button.setAttribute('aria-disabled', 'true');
    void saveToMine(source).finally(() => button.removeAttribute('aria-disabled'));
  });
  return button;
}
