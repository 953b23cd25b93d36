/**
 * Showing what the API said next to what caused it. The API's messages start
 * with the field they are about ("url must be an http or https URL…",
 * "add_tags: … must not contain spaces", "title_regex is not a valid regular
 * expression…"); a form maps those API names to its own fields. A message
 * naming no field of the form is shown at the form's foot, by its buttons.
 */
import { ApiError } from './api.ts';
import { h } from './dom.ts';

export interface ErrorMapping {
  /** API field names, by the form field (its `name`) that shows them. */
  fields: Record<string, string[]>;
  /** Statuses whose message belongs to one field whatever it says (409 "you already saved …" → url). */
  byStatus?: Record<number, string>;
  /** Messages about a field that do not start with its name ("a link has at most 64 tags" → tags). */
  byPattern?: Array<[RegExp, string]>;
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Which form field the message is about, if any. */
export function fieldFor(error: unknown, mapping: ErrorMapping): string | undefined {
  if (error instanceof ApiError && mapping.byStatus?.[error.status]) return mapping.byStatus[error.status];
  const message = messageOf(error);
  const matched = mapping.byPattern?.find(([pattern]) => pattern.test(message));
  if (matched) return matched[1];
  const candidates = Object.entries(mapping.fields)
    .flatMap(([field, names]) => names.map((name) => ({ field, name })))
    .sort((a, b) => b.name.length - a.name.length);
  // "url" must not claim "url_regex …": a name ends at a space or a colon.
  return candidates.find(({ name }) => message === name || message.startsWith(`${name} `) || message.startsWith(`${name}:`))?.field;
}

/** The form's own error line, created on first use just before its buttons. */
function formError(form: HTMLFormElement): HTMLElement {
  let slot = form.querySelector<HTMLElement>('.form-error');
  if (!slot) {
    slot = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const actions = form.querySelector('.actions');
    if (actions) actions.before(slot);
    else form.append(slot);
  }
  return slot;
}

export function clearErrors(form: HTMLFormElement): void {
  for (const control of form.querySelectorAll('[aria-invalid="true"]')) {
    control.removeAttribute('aria-invalid');
    setDescribedBy(control, control.id ? `${control.id}-error` : '', false);
  }
  for (const slot of form.querySelectorAll<HTMLElement>('.field-error, .form-error')) {
    slot.textContent = '';
    slot.hidden = true;
  }
}

function setDescribedBy(control: Element, id: string, on: boolean): void {
  if (!id) return;
  const ids = new Set((control.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean));
  if (on) ids.add(id);
  else ids.delete(id);
  if (ids.size > 0) control.setAttribute('aria-describedby', [...ids].join(' '));
  else control.removeAttribute('aria-describedby');
}

/** Puts the message on a field, marks it invalid and focuses it. */
export function showFieldError(form: HTMLFormElement, name: string, message: string): boolean {
  const control = form.elements.namedItem(name);
  if (!(control instanceof HTMLInputElement || control instanceof HTMLTextAreaElement || control instanceof HTMLSelectElement)) return false;
  const slot = form.querySelector<HTMLElement>(`#${CSS.escape(control.id)}-error`);
  if (!slot) return false;
  slot.textContent = message;
  slot.hidden = false;
  control.setAttribute('aria-invalid', 'true');
  setDescribedBy(control, slot.id, true);
  control.focus();
  // Typing again clears the complaint about that field.
  control.addEventListener(
    'input',
    () => {
      control.removeAttribute('aria-invalid');
      setDescribedBy(control, slot.id, false);
      slot.hidden = true;
    },
    { once: true },
  );
  return true;
}

/** Shows an API error on the field it names, or at the form's foot. */
export function showError(form: HTMLFormElement, error: unknown, mapping: ErrorMapping): void {
  const message = messageOf(error);
  const name = fieldFor(error, mapping);
  if (name && showFieldError(form, name, message)) return;
  const slot = formError(form);
  slot.textContent = message;
  slot.hidden = false;
}

/**
 * Runs a form's submit: clears old errors, disables its buttons while the call
 * runs (so Enter twice does not save twice), shows a failure where it belongs.
 */
export function onSubmit(form: HTMLFormElement, mapping: ErrorMapping, action: () => Promise<void>): void {
  form.noValidate = true; // the API's messages, shown by their fields, instead of the browser's bubbles
  let busy = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (busy) return;
    busy = true;
    clearErrors(form);
    // aria-disabled, not disabled: a disabled button would drop the keyboard focus to the page.
    const buttons = [...form.querySelectorAll<HTMLButtonElement>('button[type="submit"]')];
    for (const button of buttons) button.setAttribute('aria-disabled', 'true');
    form.setAttribute('aria-busy', 'true');
    action()
      .catch((error: unknown) => showError(form, error, mapping))
      .finally(() => {
        busy = false;
        form.removeAttribute('aria-busy');
        for (const button of buttons) button.removeAttribute('aria-disabled');
      });
  });
  // Ctrl/Cmd+Enter submits from a textarea too.
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && event.target instanceof HTMLTextAreaElement) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}
