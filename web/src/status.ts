/**
 * Status messages ("Link saved", "Signed out"): one polite live region for
 * screen readers, shown as a toast at the foot of the screen for everyone.
 */
import { h } from './dom.ts';

let region: HTMLElement | undefined;
let timer: number | undefined;

export function statusRegion(): HTMLElement {
  region ??= h('div', { class: 'toast', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true', 'data-testid': 'status' });
  return region;
}

export function announce(message: string, kind: 'ok' | 'error' = 'ok'): void {
  const element = statusRegion();
  window.clearTimeout(timer);
  // Emptied first, so the same message twice is read twice.
  element.textContent = '';
  element.dataset.kind = kind;
  window.setTimeout(() => {
    element.textContent = message;
    element.classList.add('visible');
  }, 30);
  timer = window.setTimeout(() => element.classList.remove('visible'), 6000);
}
