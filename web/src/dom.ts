/**
 * Building DOM nodes without innerHTML: every text from the API goes in as a
 * text node, so a title or a tag can never become markup.
 */

type AttributeValue = string | number | boolean | null | undefined | ((event: Event) => void);
export type Attributes = Record<string, AttributeValue>;
export type Child = Node | string | null | undefined | false | Child[];

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (name === 'class') element.className = String(value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** Text only a screen reader reads (e.g. "Status:" before a badge). */
export function hiddenText(text: string): HTMLSpanElement {
  return h('span', { class: 'visually-hidden' }, text);
}

let ids = 0;
/** A fresh id for label/aria wiring. */
export function uniqueId(prefix: string): string {
  ids += 1;
  return `${prefix}-${ids}`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A <time> with a readable date and the exact one as its datetime. */
export function time(iso: string | null | undefined, prefix = ''): HTMLElement | string {
  if (!iso) return 'never';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return h('time', { datetime: date.toISOString(), title: date.toLocaleString() }, `${prefix}${dateFormat.format(date)}`);
}

/** A label and a control with its hint and error slot, wired together for assistive technology. */
export function field(options: {
  label: string;
  control: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
  hint?: string;
  /** A button beside the control (Follow, Create token), kept level with it at any width. */
  beside?: HTMLElement;
}): HTMLDivElement {
  const { control } = options;
  const id = control.id || uniqueId(control.getAttribute('name') ?? 'field');
  control.id = id;
  const hint = options.hint ? h('p', { class: 'hint', id: `${id}-hint` }, options.hint) : null;
  if (hint) control.setAttribute('aria-describedby', hint.id);
  const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  const input = options.beside ? h('div', { class: 'input-row' }, control, options.beside) : control;
  return h('div', { class: 'field', 'data-field': control.getAttribute('name') ?? '' }, h('label', { for: id }, options.label), hint, input, error);
}
