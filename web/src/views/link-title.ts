/**
 * The title of a link card (Links, Popular, a profile): the page itself,
 * opened in a new tab without handing it this window (noopener), its URL
 * standing in when the link has no title. `id` labels the card (aria-labelledby).
 */
import { h } from '../dom.ts';

export function linkTitle(id: string, url: string, title: string): HTMLAnchorElement {
  return h('a', { class: 'link-title', id, href: url, target: '_blank', rel: 'noopener noreferrer' }, title || url);
}
