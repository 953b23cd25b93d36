/**
 * A link's last check, in words a person can act on: "404 Not Found since
 * 3 Mar", "timeout since …", or "checked 2 h ago"; an "archived copy" link
 * when the Wayback Machine has one; and "Check now" (POST /v1/links/recheck,
 * limited per user: a 429 is said politely, not as a failure). The link card
 * places it; after a check it redraws itself and tells the card through
 * `onUpdated` and a bubbling `link-updated` event (detail: the new LINK).
 */
import { ApiError, api, type Link } from '../api.ts';
import { h } from '../dom.ts';
import { messageOf } from '../forms.ts';
import { announce } from '../status.ts';
import '../quick-save.css';

/** The UI's own filter for failing links (the search query language's `is:invalid`). */
export const brokenLinksHash = '#/links?q=is%3Ainvalid';

export interface LinkHealthOptions {
  onUpdated?(link: Link): void;
  /** For tests and screenshots: what "now" is. */
  now?: () => Date;
}

const dayMonth = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short' });
const dayMonthYear = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });

/** "3 Mar" this year, "3 Mar 2025" before; "today 14:05" when it was today. */
export function sinceText(date: Date, now: Date): string {
  if (date.toDateString() === now.toDateString()) return `today ${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
  return (date.getFullYear() === now.getFullYear() ? dayMonth : dayMonthYear).format(date);
}

/** "just now", "5 min ago", "2 h ago", "3 days ago". */
export function agoText(date: Date, now: Date): string {
  const minutes = Math.floor((now.getTime() - date.getTime()) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

/** Why the link failed, as the checker said it ("404 Not Found", "timeout", "DNS failure"). */
export function failureReason(link: Link): string {
  if (link.CheckError) return link.CheckError;
  if (link.HttpStatus) return `HTTP ${link.HttpStatus}`;
  return 'failed';
}

function dateOf(iso: string | null | undefined): Date | undefined {
  if (!iso) return undefined;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function timeElement(date: Date, text: string): HTMLTimeElement {
  return h('time', { datetime: date.toISOString(), title: date.toLocaleString() }, text);
}

/** Only a web address is offered as a link: an archive URL is data from elsewhere. */
function webAddress(url: string | undefined): string | undefined {
  return url && /^https?:\/\//i.test(url) ? url : undefined;
}

export function linkHealth(link: Link, options: LinkHealthOptions = {}): HTMLElement {
  const now = options.now?.() ?? new Date();
  const checkedAt = dateOf(link.CheckedAt);
  const failing = link.Status === 'invalid';
  const words: Array<Node | string> = [];
  if (failing) {
    const since = dateOf(link.InvalidSince) ?? checkedAt;
    words.push(h('strong', { class: 'health-reason' }, failureReason(link)));
    if (since) words.push(' since ', timeElement(since, sinceText(since, now)));
    if (checkedAt) words.push(h('span', { class: 'muted' }, ' · checked ', timeElement(checkedAt, agoText(checkedAt, now))));
  } else if (checkedAt) {
    words.push('checked ', timeElement(checkedAt, agoText(checkedAt, now)));
  } else {
    words.push('not checked yet');
  }

  const archive = webAddress(link.ArchiveUrl);
  const note = h('span', { class: 'health-note', hidden: true });
  const name = link.Title || link.Url;
  const check = h('button', { type: 'button', class: 'button small subtle check-now', 'aria-label': `Check ${name} now` }, 'Check now');
  const element = h(
    'p',
    { class: `link-health${failing ? ' failing' : ''}`, 'data-health': failing ? 'failing' : checkedAt ? 'ok' : 'unchecked' },
    h('span', { class: 'health-text' }, ...words),
    archive
      ? h('a', { class: 'archive-link', href: archive, target: '_blank', rel: 'noopener noreferrer', 'aria-label': `Archived copy of ${name}` }, 'archived copy')
      : null,
    check,
    note,
  );

  let busy = false;
  check.addEventListener('click', () => {
    if (busy) return;
    busy = true;
    check.setAttribute('aria-disabled', 'true');
    check.textContent = 'Checking…';
    note.hidden = true;
    api
      .recheckLink(link.Url)
      .then(({ link: updated }) => {
        const replacement = linkHealth(updated, options);
        element.replaceWith(replacement);
        replacement.querySelector<HTMLElement>('.check-now')?.focus();
        announce(updated.Status === 'invalid' ? `“${name}” fails: ${failureReason(updated)}.` : `“${name}” is ${updated.Status}.`);
        options.onUpdated?.(updated);
        replacement.dispatchEvent(new CustomEvent<Link>('link-updated', { detail: updated, bubbles: true }));
      })
      .catch((error: unknown) => {
        // Checked too often: not an error of the link, only a pause.
        note.textContent =
          error instanceof ApiError && error.status === 429 ? `Checked often enough for now: ${messageOf(error)}.` : `Could not check: ${messageOf(error)}`;
        note.hidden = false;
        note.dataset.kind = error instanceof ApiError && error.status === 429 ? 'wait' : 'error';
        announce(note.textContent, note.dataset.kind === 'wait' ? 'ok' : 'error');
      })
      .finally(() => {
        busy = false;
        check.removeAttribute('aria-disabled');
        check.textContent = 'Check now';
      });
  });
  return element;
}
