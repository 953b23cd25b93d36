/**
 * Modal dialogs on the native <dialog>: the browser keeps the focus inside,
 * Escape closes it, and the focus goes back to what opened it.
 */
import { h, uniqueId, type Child } from './dom.ts';
import { messageOf } from './forms.ts';

export interface DialogHandle {
  dialog: HTMLDialogElement;
  close(): void;
}

export function openDialog(title: string, body: (handle: DialogHandle) => Child, options: { onClose?: () => void } = {}): DialogHandle {
  const titleId = uniqueId('dialog-title');
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': titleId });
  const handle: DialogHandle = { dialog, close: () => dialog.close() };
  const closeButton = h('button', { type: 'button', class: 'icon-button dialog-close', 'aria-label': 'Close', onclick: () => dialog.close() }, '×');
  dialog.append(h('div', { class: 'dialog-head' }, h('h2', { id: titleId }, title), closeButton));
  const content = body(handle);
  if (content) dialog.append(h('div', { class: 'dialog-body' }, content));
  dialog.addEventListener('close', () => {
    dialog.remove();
    options.onClose?.();
    if (opener?.isConnected) opener.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  // The first field, else the first button after the close button.
  const first = dialog.querySelector<HTMLElement>('.dialog-body input, .dialog-body textarea, .dialog-body select, .dialog-body button');
  first?.focus();
  return handle;
}

/** "Delete this?" with the action run from the dialog, its failure shown inside it. */
export function confirmDialog(options: { title: string; message: Child; confirmLabel: string; action: () => Promise<void> }): void {
  openDialog(options.title, (handle) => {
    const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const confirm = h('button', { type: 'submit', class: 'button danger' }, options.confirmLabel);
    const form = h(
      'form',
      { method: 'dialog' },
      h('p', {}, options.message),
      error,
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'button', onclick: () => handle.close() }, 'Cancel'), confirm),
    );
    let busy = false;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (busy) return;
      busy = true;
      confirm.setAttribute('aria-disabled', 'true');
      error.hidden = true;
      options
        .action()
        .then(() => handle.close())
        .catch((failure: unknown) => {
          error.textContent = messageOf(failure);
          error.hidden = false;
        })
        .finally(() => {
          busy = false;
          confirm.removeAttribute('aria-disabled');
        });
    });
    return form;
  });
}
