/**
 * How a screen loads what it shows. Only the newest load may show its answer
 * (the user changed the period, or left the screen, while an older one was on
 * its way); the screen is aria-busy meanwhile; and a failure shows a panel
 * saying what failed and why, with a "Try again" button. One place, so every
 * screen words, marks up (role=alert) and wires these the same way.
 */
import { h } from './dom.ts';
import { messageOf } from './forms.ts';

export function loadFailurePanel(): HTMLDivElement {
  return h('div', { class: 'list-error', role: 'alert', hidden: true });
}

/** Shows "<what> could not be loaded: <why>" in `panel`; the button calls `retry`. */
export function showLoadFailure(panel: HTMLElement, what: string, failure: unknown, retry: () => unknown): void {
  panel.replaceChildren(
    h('p', {}, `${what} could not be loaded: ${messageOf(failure)}`),
    h('button', { type: 'button', class: 'button', onclick: () => void retry() }, 'Try again'),
  );
  panel.hidden = false;
}

export interface LatestLoadOptions<T> {
  /** The screen, aria-busy while a load is on its way. */
  screen: HTMLElement;
  /** Where a failure is shown (loadFailurePanel()). */
  panel: HTMLElement;
  /** What is loaded, as the start of "… could not be loaded". */
  what: string;
  fetch(): Promise<T>;
  show(answer: T): void;
  /** Clears what an earlier load showed, when this one fails. */
  failed?(): void;
}

export interface LatestLoad {
  /** Loads again; an older load still on its way will show nothing. */
  load(): Promise<void>;
  /** Leaving the screen: a load on its way will show nothing. */
  dispose(): void;
}

export function latestLoad<T>({ screen, panel, what, fetch, show, failed }: LatestLoadOptions<T>): LatestLoad {
  let generation = 0;
  async function load(): Promise<void> {
    const mine = ++generation;
    panel.hidden = true;
    screen.setAttribute('aria-busy', 'true');
    try {
      const answer = await fetch();
      if (mine !== generation) return;
      show(answer);
    } catch (failure) {
      if (mine !== generation) return;
      failed?.();
      showLoadFailure(panel, what, failure, load);
    } finally {
      if (mine === generation) screen.removeAttribute('aria-busy');
    }
  }
  return {
    load,
    dispose() {
      generation++;
    },
  };
}
