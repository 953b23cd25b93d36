/**
 * Single-key shortcuts of a screen (`/`, `n`, `j`…): active while the screen
 * is, never while someone types in a field or a dialog is open, never with
 * Ctrl, Alt or Cmd (those belong to the browser). `?` lists them in a dialog.
 */
import { openDialog } from './dialog.ts';
import { h } from './dom.ts';

export interface Shortcut {
  /** The key as KeyboardEvent.key gives it: '/', 'n', '?'. */
  key: string;
  /** What it does, for the list: "Search". */
  description: string;
  run(): void;
}

const textTypes = new Set(['text', 'search', 'url', 'email', 'password', 'number', 'tel', 'date', 'datetime-local', 'month', 'time', 'week']);

/** Whether a key pressed here is typing: a text field, a text area, a select, an editable element. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target instanceof HTMLInputElement) return textTypes.has(target.type);
  return target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement || target.isContentEditable;
}

/** The shortcuts and `?`, which lists them all. */
export function withHelp(shortcuts: Shortcut[]): Shortcut[] {
  const all: Shortcut[] = [...shortcuts, { key: '?', description: 'Show these shortcuts', run: () => showShortcuts(all) }];
  return all;
}

/** Listens for the shortcuts (and `?`); answers the function that stops listening. */
export function installShortcuts(shortcuts: Shortcut[]): () => void {
  const all = withHelp(shortcuts);
  const onKey = (event: KeyboardEvent): void => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (isTyping(event.target) || document.querySelector('dialog[open]')) return;
    const shortcut = all.find((candidate) => candidate.key === event.key);
    if (!shortcut) return;
    // `/` would otherwise be typed into the search box it focuses.
    event.preventDefault();
    shortcut.run();
  };
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}

export function showShortcuts(shortcuts: Shortcut[]): void {
  openDialog('Keyboard shortcuts', (handle) => [
    h(
      'dl',
      { class: 'shortcut-list' },
      shortcuts.map((shortcut) => [h('dt', {}, h('kbd', {}, shortcut.key)), h('dd', {}, shortcut.description)]),
    ),
    h('p', { class: 'hint' }, 'They work when the focus is not in a text field.'),
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button', onclick: () => handle.close() }, 'Close')),
  ]);
}
